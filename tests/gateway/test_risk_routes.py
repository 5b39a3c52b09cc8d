"""`GET /api/risk` with a real position: the cross-collateral breakdown adds up to the
collateral figures, the liquidation price is where the domain puts maintenance margin,
funding due is the next settlement's payment, and the funding paid is the stats' figure;
and an empty account."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import Engine

from backend.domain.fixed_point import (
    FUNDING_RATE_PRECISION,
    parse_base,
    parse_fixed,
    parse_price,
    parse_quote,
    parse_ratio,
)
from backend.domain.funding import funding_payment, funding_rate, index_delta
from backend.domain.margin import MarketPrices, asset_value, risk_view
from backend.domain.markets import MarketCatalog
from backend.gateway.app import create_app
from backend.gateway.context import make_context
from backend.services.clock import ManualClock
from backend.services.trading.commands import SetMarketStatus, SetPrices, Tick
from backend.services.trading.service import TradingService
from tests.gateway.traders import Trader, sign_in

START = 1_790_000_080_000  # 40 s into a minute, 33 min 20 s into an hour
HOUR_MS = 3_600_000
MARK, ORACLE = parse_price("151"), parse_price("150")


@dataclass
class Env:
    http: httpx.AsyncClient
    clock: ManualClock
    trading: TradingService


@pytest.fixture
async def env(catalog: MarketCatalog, db: Engine) -> AsyncIterator[Env]:
    clock = ManualClock(START)
    trading = TradingService(catalog, db, clock)
    # the mark sits 1 above the oracle all period: longs pay funding
    trading.execute(SetPrices("SOL-PERP", mark=MARK, oracle=ORACLE, last=MARK))
    context = make_context(catalog, "quantdesk.test", b"k" * 32, clock, trading=trading)
    context.demo_capital = 0
    transport = httpx.ASGITransport(app=create_app(context))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
        yield Env(http, clock, trading)


async def _deposit(trader: Trader, asset: str, amount: str) -> None:
    answer = await trader.post("/api/account/deposit", {"asset": asset, "amount": amount})
    assert answer.status_code == 200, answer.text


async def _long_with_sol_collateral(env: Env) -> Trader:
    """A trader with 1,000 USDC and 2 SOL as collateral, long 10 SOL-PERP at 150."""
    maker, taker = await sign_in(env.http), await sign_in(env.http)
    await _deposit(maker, "USDC", "10000")
    await _deposit(taker, "USDC", "1000")
    await _deposit(taker, "SOL", "2")
    order = {"market": "SOL-PERP", "size": "10", "client_order_id": "c1"}
    sell = await maker.post(
        "/api/orders", order | {"side": "sell", "type": "limit", "price": "150"}
    )
    assert sell.status_code == 201, sell.text
    buy = await taker.post("/api/orders", order | {"side": "buy", "type": "market"})
    assert buy.status_code == 201 and buy.json()["status"] == "filled", buy.text
    return taker


async def test_collateral_breakdown_adds_up_to_the_collateral_figures(env: Env) -> None:
    taker = await _long_with_sol_collateral(env)
    risk = (await taker.get("/api/risk")).json()
    usdc, sol = risk["collateral"]
    # USDC: 1,000 less the 0.05% taker fee on 1,500 of notional, at 1 and weight 1
    assert usdc == {
        "asset": "USDC",
        "balance": "999.25",
        "price": "1",
        "initial_weight": "1",
        "maintenance_weight": "1",
        "value": "999.25",
        "weighted_initial": "999.25",
        "weighted_maintenance": "999.25",
    }
    # 2 SOL at the oracle, 150: 300 in full, 80% of it for initial margin, 90% maintenance
    assert sol == {
        "asset": "SOL",
        "balance": "2",
        "price": "150",
        "initial_weight": "0.8",
        "maintenance_weight": "0.9",
        "value": "300",
        "weighted_initial": "240",
        "weighted_maintenance": "270",
    }
    spec = env.trading.state.catalog.asset("SOL")
    prices = {"SOL-PERP": MarketPrices(MARK, ORACLE)}
    assert parse_quote(sol["weighted_initial"]) == asset_value(
        spec, parse_base("2"), prices, spec.initial_weight
    )
    # long 10 at 150, marked at 151: +10 of unrealised PnL on top of the weighted values
    assert risk["unrealised_pnl"] == "10"
    for weighted, total in (
        ("weighted_initial", "collateral_initial"),
        ("weighted_maintenance", "collateral_maintenance"),
        ("value", "equity"),
    ):
        summed = sum(Decimal(row[weighted]) for row in risk["collateral"])
        assert summed + Decimal(risk["unrealised_pnl"]) == Decimal(risk[total])
    assert (risk["collateral_initial"], risk["collateral_maintenance"], risk["equity"]) == (
        "1249.25",
        "1279.25",
        "1309.25",
    )
    # requirements at the mark: 10 x 151 x 10% and x 5%
    assert (risk["initial_requirement"], risk["maintenance_requirement"]) == ("151", "75.5")
    assert risk["notional"] == "1510" and risk["free_collateral"] == "1098.25"
    # 75.5 / 1279.25 = 0.05901895..., rounded up; health is what is left of 1
    assert risk["margin_ratio"] == "0.059019" and risk["health"] == "0.940981"
    assert risk["leverage"] == "1.153332"  # 1510 / 1309.25, rounded down


async def test_liquidation_price_is_where_maintenance_margin_runs_out(env: Env) -> None:
    taker = await _long_with_sol_collateral(env)
    risk = (await taker.get("/api/risk")).json()
    (position,) = risk["positions"]
    assert position["market"] == "SOL-PERP" and position["size"] == "10"
    assert position["mark_price"] == "151"
    # 999.25 + 2 x 0.9 p + 10 (p - 150) - 10 x 5% p = 0 (the SOL collateral falls too)
    liquidation = parse_price(position["liquidation_price"])
    assert liquidation == parse_price("44.314160")  # 500.75 / 11.3, rounded up: early
    account = env.trading.state.ledger.accounts[str(taker.key.pubkey())].copy()
    catalog = env.trading.state.catalog

    def at(price: int):
        return risk_view(account, catalog, {"SOL-PERP": MarketPrices(price, price)})

    assert at(liquidation - 1).liquidatable
    assert not at(liquidation).liquidatable
    assert at(liquidation + 1).health == 0  # within a unit of maintenance margin
    distance = (MARK - liquidation) * 10**6 // MARK
    assert parse_ratio(position["distance"]) == distance and position["distance"] == "0.706528"


async def test_funding_due_is_the_next_settlements_payment_and_paid_follows_stats(
    env: Env,
) -> None:
    taker = await _long_with_sol_collateral(env)
    env.clock.advance(10 * 60_000)
    risk = (await taker.get("/api/risk")).json()
    (position,) = risk["positions"]
    due_at = (START // HOUR_MS + 1) * HOUR_MS
    assert position["next_funding_ms"] == due_at
    # the period's TWAPs are 151 and 150: (151 - 150) / 150 a day, for one hour
    rate = funding_rate(MARK, ORACLE, 3_600, parse_ratio("0.0075"))
    assert rate == 277_777 and position["funding_rate_estimate"] == "0.000277777"
    assert parse_fixed(position["funding_rate_estimate"], FUNDING_RATE_PRECISION) == rate
    payment = funding_payment(parse_base("10"), index_delta(rate, ORACLE))
    assert payment == parse_quote("-0.416666")  # 10 x 150 x 0.0277777%: the long pays
    assert position["funding_due"] == "-0.416666" == risk["funding_due"]
    assert risk["funding_paid"] == "0"
    ticker = (await env.http.get("/api/markets/SOL-PERP/ticker")).json()
    assert ticker["funding_rate_estimate"] == position["funding_rate_estimate"]

    env.clock.advance(due_at - env.clock.now_ms())
    env.trading.execute(SetPrices("SOL-PERP", mark=MARK, oracle=ORACLE, last=MARK))
    assert [s.market for s in env.trading.execute(Tick()).funding] == ["SOL-PERP"]
    taker = await sign_in(env.http, taker.key)  # a fresh session, an hour on
    settled = (await taker.get("/api/account/funding")).json()
    assert [p["amount"] for p in settled] == ["-0.416666"]  # what was due was paid
    stats = (await taker.get("/api/account/stats")).json()
    after = (await taker.get("/api/risk")).json()
    assert after["funding_paid"] == stats["funding_paid"] == "0.416666"
    assert after["positions"][0]["next_funding_ms"] == due_at + HOUR_MS
    usdc = next(row for row in after["collateral"] if row["asset"] == "USDC")
    assert usdc["balance"] == "998.833334"  # 999.25 - 0.416666


async def test_an_empty_account_has_no_risk(env: Env) -> None:
    trader = await sign_in(env.http)
    risk = (await trader.get("/api/risk")).json()
    assert risk["collateral"] == [] and risk["positions"] == []
    assert risk["health"] == "1" and risk["margin_ratio"] == "0"
    assert risk["leverage"] is None and risk["liquidatable"] is False
    for field in ("equity", "free_collateral", "notional", "funding_due", "funding_paid"):
        assert risk[field] == "0", field


async def test_a_position_in_a_halted_market_has_no_funding_estimate(env: Env) -> None:
    taker = await _long_with_sol_collateral(env)
    env.trading.execute(SetMarketStatus("SOL-PERP", halted=True, reason="test"))
    (position,) = (await taker.get("/api/risk")).json()["positions"]
    assert position["funding_due"] is None and position["next_funding_ms"] is None
    assert position["liquidation_price"] is not None  # the margin figures still stand
