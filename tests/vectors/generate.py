"""Writes the shared settlement vectors from the Python domain.

Run ``python -m tests.vectors.generate`` from the repository root.

The scenarios' inputs are written here; their expected figures come from replaying them
against `backend.domain` (`replay.py`). Regenerate only when a change to the domain's
arithmetic is intended, and make the same change in `programs/quantdesk_perp/src/math`:
`cargo test` replays the same files against the Rust implementation.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from backend.domain.fills import fee_for
from backend.domain.fixed_point import parse_base, parse_price, parse_quote
from backend.domain.funding import PriceAccumulator, funding_payment, funding_rate
from backend.domain.liquidation import close_size
from backend.domain.margin import health, requirement
from backend.domain.markets import load_default_catalog
from backend.domain.positions import Position, apply_trade
from tests.vectors.replay import catalog_json, replay

HERE = Path(__file__).resolve().parent
Step = dict[str, Any]

REFERENCE = {
    "BTC-PERP": "67000",
    "ETH-PERP": "3500",
    "SOL-PERP": "150",
    "ADA-PERP": "0.45",
    "DOT-PERP": "7",
    "LINK-PERP": "15",
}


def prices(**moves: tuple[str, str]) -> Step:
    """A price step; markets not named keep their reference price."""
    table = {m: (p, p) for m, p in REFERENCE.items()}
    table.update({k.replace("_", "-") + "-PERP": v for k, v in moves.items()})
    return {
        "op": "prices",
        "prices": {
            m: {"mark": parse_price(a), "oracle": parse_price(b)} for m, (a, b) in table.items()
        },
    }


def deposit(account: str, asset: str, amount: str) -> Step:
    precision = {"USDC": parse_quote, "SOL": parse_base}
    units = precision[asset](amount) if asset in precision else _token(asset, amount)
    return {"op": "deposit", "account": account, "asset": asset, "amount": units}


def withdraw(account: str, asset: str, amount: str) -> Step:
    step = deposit(account, asset, amount)
    step["op"] = "withdraw"
    return step


def _token(asset: str, amount: str) -> int:
    decimals = load_default_catalog().asset(asset).decimals
    from backend.domain.fixed_point import parse_fixed

    return parse_fixed(amount, 10**decimals)


def fill(market: str, taker: str, side: str, maker: str, size: str, price: str) -> Step:
    return {
        "op": "fill",
        "market": market,
        "taker": taker,
        "taker_side": side,
        "maker": maker,
        "size": parse_base(size),
        "price": parse_price(price),
    }


def funding(market: str, mark_twap: str, oracle_twap: str, period_s: int = 3600) -> Step:
    return {
        "op": "funding",
        "market": market,
        "mark_twap": parse_price(mark_twap),
        "oracle_twap": parse_price(oracle_twap),
        "period_s": period_s,
    }


def liquidate(account: str, liquidator: str) -> Step:
    return {"op": "liquidate", "account": account, "liquidator": liquidator}


SCENARIOS: dict[str, tuple[str, list[Step]]] = {
    "fills_and_withdrawals": (
        "Opening, partly closing and flipping positions between three accounts, with fees, "
        "cross collateral and withdrawals refused by balance and by margin.",
        [
            prices(),
            deposit("alice", "USDC", "10000"),
            deposit("bob", "USDC", "50000"),
            deposit("bob", "SOL", "20"),
            deposit("carol", "USDC", "20000"),
            deposit("carol", "BTC", "0.5"),
            fill("SOL-PERP", "alice", "buy", "bob", "12.5", "150.123"),
            prices(SOL=("152.456", "152.401")),
            fill("SOL-PERP", "alice", "sell", "bob", "5.03", "152.457"),
            fill("SOL-PERP", "bob", "buy", "alice", "17.47", "151.999"),
            fill("BTC-PERP", "alice", "buy", "carol", "0.1234", "67012.3"),
            prices(BTC=("65000.1", "65010.7"), SOL=("149", "149.013")),
            withdraw("alice", "USDC", "1000000"),
            withdraw("alice", "USDC", "9999"),
            withdraw("alice", "USDC", "100.5"),
            withdraw("bob", "SOL", "5.123456789"),
            withdraw("carol", "BTC", "0.6"),
            withdraw("carol", "BTC", "0.3"),
            fill("BTC-PERP", "carol", "buy", "alice", "0.1234", "65000"),
        ],
    ),
    "funding": (
        "Funding periods with positive, negative and clamped premiums over several holders, "
        "positions opened after the index moved, and the rounding dust kept by the fund.",
        [
            prices(),
            deposit("alice", "USDC", "20000"),
            deposit("bob", "USDC", "20000"),
            deposit("carol", "USDC", "20000"),
            deposit("dave", "USDC", "20000"),
            fill("SOL-PERP", "alice", "buy", "bob", "3.21", "150.001"),
            fill("ADA-PERP", "carol", "buy", "dave", "1234", "0.4501"),
            fill("ETH-PERP", "alice", "sell", "dave", "0.777", "3499.99"),
            fill("SOL-PERP", "carol", "buy", "bob", "0.33", "150.002"),
            funding("SOL-PERP", "150.5", "150.0"),
            funding("ETH-PERP", "3490.12", "3500.01"),
            funding("ADA-PERP", "0.65", "0.45"),
            funding("DOT-PERP", "7.01", "7"),
            fill("SOL-PERP", "dave", "sell", "alice", "1.11", "150.3"),
            funding("SOL-PERP", "149.876543", "150.012345"),
            fill("SOL-PERP", "alice", "sell", "carol", "2.1", "149.9"),
            funding("SOL-PERP", "151", "150", 3600),
            funding("ETH-PERP", "3333.333333", "3500"),
        ],
    ),
    "partial_liquidation": (
        "A leveraged long falls below maintenance and is liquidated in lots to the buffer, "
        "twice; a healthy account is left alone.",
        [
            prices(),
            deposit("alice", "USDC", "1000"),
            deposit("bob", "USDC", "100000"),
            deposit("keeper", "USDC", "100000"),
            fill("SOL-PERP", "alice", "buy", "bob", "60", "150"),
            prices(SOL=("140.05", "140")),
            liquidate("alice", "keeper"),
            prices(SOL=("137.2", "137.15")),
            liquidate("alice", "keeper"),
            liquidate("bob", "keeper"),
            fill("SOL-PERP", "keeper", "sell", "bob", "10", "137.1"),
        ],
    ),
    "bankruptcy_socialised": (
        "A price gap leaves a long bankrupt: the insurance fund covers what it holds and the "
        "rest is socialised across the shorts, pro rata.",
        [
            prices(),
            deposit("alice", "USDC", "800"),
            deposit("bob", "USDC", "50000"),
            deposit("carol", "USDC", "50000"),
            deposit("keeper", "USDC", "100000"),
            deposit("erin", "USDC", "120"),
            fill("SOL-PERP", "alice", "buy", "bob", "30", "150"),
            fill("SOL-PERP", "alice", "buy", "carol", "20", "150.01"),
            fill("ETH-PERP", "erin", "buy", "bob", "0.5", "3500"),
            prices(ETH=("3300", "3300")),
            liquidate("erin", "keeper"),
            prices(SOL=("119.9", "120")),
            liquidate("alice", "keeper"),
        ],
    ),
    "bad_debt": (
        "The only counterparty is also the liquidator: after the fund, nobody holds the "
        "opposite side and the rest stays on the account as bad debt.",
        [
            prices(),
            deposit("alice", "USDC", "200"),
            deposit("bob", "USDC", "10000"),
            fill("SOL-PERP", "alice", "buy", "bob", "10", "150"),
            prices(SOL=("120", "120.5")),
            liquidate("alice", "bob"),
        ],
    ),
    "cross_collateral": (
        "SOL and BTC collateral hedged and unhedged against perpetuals: weighted values, "
        "quote debt at full weight, liquidation prices that move the collateral too.",
        [
            prices(),
            deposit("alice", "SOL", "100"),
            deposit("bob", "USDC", "100000"),
            deposit("carol", "BTC", "1.5"),
            fill("SOL-PERP", "alice", "sell", "bob", "50", "150.05"),
            fill("ETH-PERP", "alice", "buy", "bob", "2", "3500.5"),
            fill("BTC-PERP", "carol", "buy", "bob", "2", "67001.1"),
            prices(SOL=("180.5", "180.3"), ETH=("3100", "3101.01"), BTC=("61000", "60990.5")),
            withdraw("alice", "SOL", "40"),
            withdraw("alice", "SOL", "10"),
            withdraw("carol", "BTC", "0.1"),
            prices(SOL=("600", "599.9"), ETH=("1500", "1500.5"), BTC=("40000", "39990")),
            liquidate("alice", "bob"),
            liquidate("carol", "bob"),
        ],
    ),
    "multi_market_liquidation": (
        "Losses across three markets: the largest requirement is cut first, then the next, "
        "until the account is back above maintenance with the buffer.",
        [
            prices(),
            deposit("alice", "USDC", "5000"),
            deposit("bob", "USDC", "500000"),
            deposit("keeper", "USDC", "500000"),
            fill("BTC-PERP", "alice", "buy", "bob", "0.6", "67000"),
            fill("ETH-PERP", "alice", "sell", "bob", "8", "3500"),
            fill("LINK-PERP", "alice", "buy", "bob", "900", "15"),
            prices(BTC=("63500", "63480"), ETH=("3600", "3601"), LINK=("14.2", "14.19")),
            liquidate("alice", "keeper"),
        ],
    ),
}


def math_vectors(seed: int = 8) -> dict[str, Any]:
    """Function-level cases over wide random inputs (negative values and odd remainders)."""
    rng = random.Random(seed)
    trades = []
    for _ in range(300):
        position = Position("X", rng.randint(-(10**13), 10**13), rng.randint(-(10**13), 10**13))
        if rng.random() < 0.2:
            position = Position("X", 0, 0)
        before = (position.base, position.quote_entry)
        delta = rng.choice([-1, 1]) * rng.randint(1, 2 * 10**13)
        price = rng.randint(1, 10**11)
        realised, flow = apply_trade(position, delta, price)
        trades.append(
            {
                "base": before[0],
                "quote_entry": before[1],
                "delta": delta,
                "price": price,
                "realised": realised,
                "flow": flow,
                "base_after": position.base,
                "quote_entry_after": position.quote_entry,
                "unrealised_at_price": position.unrealised_pnl(price),
                "notional_at_price": position.notional(price),
            }
        )
    rates = []
    for _ in range(200):
        mark, oracle = rng.randint(1, 10**11), rng.randint(1, 10**11)
        if rng.random() < 0.5:
            mark = max(1, oracle + rng.randint(-oracle // 50, oracle // 50))
        period, cap = rng.choice([60, 1800, 3600, 28800]), rng.randint(0, 20_000)
        rates.append(
            {
                "mark_twap": mark,
                "oracle_twap": oracle,
                "period_s": period,
                "max_funding_rate": cap,
                "rate": funding_rate(mark, oracle, period, cap),
            }
        )
    payments = []
    for _ in range(200):
        base, delta = rng.randint(-(10**14), 10**14), rng.randint(-(10**18), 10**18)
        payments.append({"base": base, "delta": delta, "payment": funding_payment(base, delta)})
    healths = []
    for _ in range(200):
        coll, req = rng.randint(-(10**12), 10**13), rng.choice([0, rng.randint(1, 10**13)])
        healths.append({"collateral": coll, "requirement": req, "health": health(coll, req)})
    requirements = []
    for _ in range(200):
        base, mark, ratio = (
            rng.randint(-(10**14), 10**14),
            rng.randint(1, 10**11),
            rng.randint(1, 10**6),
        )
        notional = rng.randint(0, 10**13)
        requirements.append(
            {
                "base": base,
                "mark": mark,
                "ratio": ratio,
                "requirement": requirement(base, mark, ratio),
                "notional": notional,
                "fee": fee_for(notional, ratio),
            }
        )
    closes = []
    catalog = load_default_catalog()
    for _ in range(200):
        spec = rng.choice(list(catalog))
        base = rng.choice([-1, 1]) * spec.lot_size * rng.randint(1, 10**5)
        mark = rng.randint(spec.reference_price // 2, spec.reference_price * 2)
        price = max(1, mark + rng.randint(-mark // 100, mark // 100))
        gap, buffer = rng.randint(1, 10**16), rng.choice([0, 50_000, 100_000])
        closes.append(
            {
                "market": spec.symbol,
                "gap": gap,
                "base": base,
                "mark": mark,
                "price": price,
                "buffer": buffer,
                "size": close_size(gap, Position("X", base), spec, mark, price, buffer),
            }
        )
    series = []
    for _ in range(30):
        accumulator = PriceAccumulator(0)
        samples, now = [], rng.randint(0, 10**12)
        for _ in range(rng.randint(1, 12)):
            now += rng.randint(0, 120_000)
            sample = [rng.randint(1, 10**11), rng.randint(1, 10**11), now]
            accumulator.add_sample(*sample)
            samples.append(sample)
        end = now + rng.randint(0, 60_000)
        series.append({"samples": samples, "end_ms": end, "twaps": list(accumulator.twaps(end))})
    return {
        "catalog": catalog_json(catalog),
        "apply_trade": trades,
        "funding_rate": rates,
        "funding_payment": payments,
        "health": healths,
        "requirement_and_fee": requirements,
        "close_size": closes,
        "twap": series,
    }


def write_all() -> list[Path]:
    """(Re)write every vector file; returns their paths."""
    catalog = catalog_json(load_default_catalog())
    written = []
    for name, (description, steps) in SCENARIOS.items():
        scenario = {"name": name, "description": description, "catalog": catalog, "steps": steps}
        scenario["expected"] = replay(scenario)
        path = HERE / "scenarios" / f"{name}.json"
        path.write_text(json.dumps(scenario, indent=1) + "\n", encoding="utf-8")
        written.append(path)
    path = HERE / "math.json"
    path.write_text(json.dumps(math_vectors(), indent=1) + "\n", encoding="utf-8")
    written.append(path)
    return written


if __name__ == "__main__":
    for written in write_all():
        print(written.relative_to(HERE.parents[1]))
