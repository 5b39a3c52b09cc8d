"""`quantdesk-backend`: start the backend server.

This build holds the trading core only; it checks the market catalog and reports it.
"""

from __future__ import annotations

import argparse
import sys

from backend.domain.markets import MarketSpecError, default_markets_path, load_catalog


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `quantdesk-backend` console script."""
    parser = argparse.ArgumentParser(prog="quantdesk-backend", description="QuantDesk backend")
    parser.add_argument("--markets", default=str(default_markets_path()), help="markets file")
    args = parser.parse_args(argv)
    try:
        catalog = load_catalog(args.markets)
    except (OSError, MarketSpecError) as error:
        print(f"quantdesk-backend: cannot load markets: {error}", file=sys.stderr)
        return 2
    markets = ", ".join(spec.symbol for spec in catalog)
    print(f"quantdesk-backend: markets {markets}; the gateway is not part of this build yet.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
