"""`quantdesk`: start the workstation.

This build holds the trading core; it prints the markets the workstation will trade.
"""

from __future__ import annotations

import argparse
import sys

from backend.domain.fixed_point import (
    BASE_PRECISION,
    PRICE_PRECISION,
    RATIO_PRECISION,
    format_fixed,
)
from backend.domain.markets import load_default_catalog


def describe_markets() -> str:
    """A table of the shipped perpetual markets, one line each."""
    catalog = load_default_catalog()
    header = f"{'market':<10} {'tick':>8} {'lot':>8} {'max lev':>7} {'IMR':>6} {'MMR':>6}"
    lines = [header]
    for spec in catalog:
        lines.append(
            f"{spec.symbol:<10} {format_fixed(spec.tick_size, PRICE_PRECISION):>8} "
            f"{format_fixed(spec.lot_size, BASE_PRECISION):>8} {spec.max_leverage:>7} "
            f"{format_fixed(spec.initial_margin_ratio, RATIO_PRECISION):>6} "
            f"{format_fixed(spec.maintenance_margin_ratio, RATIO_PRECISION):>6}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `quantdesk` console script."""
    parser = argparse.ArgumentParser(prog="quantdesk", description="QuantDesk trading workstation")
    parser.parse_args(argv)
    print("QuantDesk: trading core loaded; the desktop panels are not part of this build yet.")
    print(describe_markets())
    return 0


if __name__ == "__main__":
    sys.exit(main())
