"""The Portfolio routes: deposits and withdrawals (and every refusal, which changes
nothing), the realised PnL of each fill on `GET /api/trades`, PnL by market (realised,
fees, funding and unrealised, and that realised is what the ledger credited, liquidations
included), and the equity curve the recorder writes."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import Engine

from backend.domain.fixed_point import QUOTE_PRECISION, format_fixed, parse_price, parse_quote
from backend.domain.markets import MarketCatalog
from backend.gateway.app import create_app
from backend.gateway.context import make_context
from backend.services.clock import ManualClock
from backend.services.portfolio.equity_recorder import EquityRecorder
from backend.services.trading.commands import Command, Deposit, SetPrices, Tick
from backend.services.trading.risk_keeper import KEEPER
from backend.services.trading.service import TradingService
from backend.services.trading.state import Outcome
from tests.gateway.traders import Trader, sign_in

START = 1_790_000_080_000
HOUR_MS = 3_600_000
SOL = "SOL-PERP"


@dataclass
class Credited:
    """What the ledger credited each account as realised PnL, by market (from each
    committed outcome's fill settlements and liquidation closes)."""

    realised: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))

    def __call__(self, _command: Command, outcome: Outcome) -> None:
        for fill, settled in outcome.settlements:
            self.realised[fill.taker_account, fill.market] += settled.taker_realised
            self.realised[fill.maker_account, fill.market] += settled.maker_realised
        for result in outcome.liquidations:
            for closed in result.closed:
                self.realised[result.account_id, closed.market] += closed.realised
                self.realised[result.liquidator_id, closed.market] += closed.liquidator_realised


@dataclass
class Env:
    http: httpx.AsyncClient
    clock: ManualClock
    trading: TradingService
    recorder: EquityRecorder
    credited: Credited


@pytest.fixture
async def env(catalog: MarketCatalog, db: Engine) -> AsyncIterator[Env]:
    clock = ManualClock(START)
    trading = TradingService(catalog, db, clock)
    credited = Credited()
    trading.on_commit(credited)
    _price(trading, "150")
    recorder = EquityRecorder(trading, clock, interval_s=60)
    context = make_context(catalog, "quantdesk.test", b"k" * 32, clock, trading=trading)
    context.demo_capital = 0
    transport = httpx.ASGITransport(app=create_app(context))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
        yield Env(http, clock, trading, recorder, credited)


def _price(trading: TradingService, price: str, mark: str | None = None) -> None:
    oracle = parse_price(price)
    marked = parse_price(mark) if mark is not None else oracle
    trading.execute(SetPrices(SOL, mark=marked, oracle=oracle, last=marked))


async def _funded(env: Env, amount: str = "10000") -> Trader:
    trader = await sign_in(env.http)
    answer = await trader.post("/api/account/deposit", {"asset": "USDC", "amount": amount})
    assert answer.status_code == 200, answer.text
    return trader


async def _order(trader: Trader, side: str, size: str, price: str | None, cid: str) -> dict:
    body = {"market": SOL, "side": side, "size": size, "client_order_id": cid}
    body |= {"type": "limit", "price": price} if price else {"type": "market"}
    answer = await trader.post("/api/orders", body)
    assert answer.status_code == 201, answer.text
    return answer.json()


async def _round_trip(env: Env) -> tuple[Trader, Trader]:
    """The taker buys 2 SOL from the maker at 150 and sells them back to it at 160."""
    maker, taker = await _funded(env), await _funded(env)
    await _order(maker, "sell", "2", "150", "m1")
    await _order(taker, "buy", "2", None, "t1")
    _price(env.trading, "160")
    await _order(taker, "sell", "2", "160", "t2")  # rests: the taker is maker this time
    assert (await _order(maker, "buy", "2", "160", "m2"))["status"] == "filled"
    return maker, taker


def _pubkey(trader: Trader) -> str:
    return str(trader.key.pubkey())


async def _balances(trader: Trader) -> list[dict]:
    return (await trader.get("/api/account/balances")).json()


# -- deposits and withdrawals ---------------------------------------------------------


async def test_deposit_then_withdraw_moves_the_balance_and_both_answer_it(env: Env) -> None:
    trader = await sign_in(env.http)
    deposited = await trader.post("/api/account/deposit", {"asset": "USDC", "amount": "250.5"})
    assert deposited.status_code == 200 and deposited.json() == [
        {"asset": "USDC", "amount": "250.5"}
    ]
    withdrawn = await trader.post("/api/account/withdraw", {"asset": "USDC", "amount": "50.25"})
    assert withdrawn.status_code == 200 and withdrawn.json() == [
        {"asset": "USDC", "amount": "200.25"}
    ]
    assert await _balances(trader) == withdrawn.json()


@pytest.mark.parametrize(
    ("route", "body", "status", "code", "field"),
    [
        ("deposit", {"asset": "DOGE", "amount": "1"}, 404, "unknown_asset", "asset"),
        ("withdraw", {"asset": "DOGE", "amount": "1"}, 404, "unknown_asset", "asset"),
        ("deposit", {"asset": "USDC", "amount": "abc"}, 400, "invalid_amount", "amount"),
        ("deposit", {"asset": "USDC", "amount": "-5"}, 400, "invalid_amount", "amount"),
        ("deposit", {"asset": "USDC", "amount": "0"}, 400, "invalid_amount", "amount"),
        ("deposit", {"asset": "USDC", "amount": "1.0000001"}, 400, "invalid_amount", "amount"),
        ("withdraw", {"asset": "USDC", "amount": "1,5"}, 400, "invalid_amount", "amount"),
        ("deposit", {"asset": "USDC", "amount": "1e30"}, 400, "invalid_amount", "amount"),
        # beyond a 64-bit balance with the 1,000 already held
        (
            "deposit",
            {"asset": "USDC", "amount": "9223372036000"},
            400,
            "invalid_amount",
            "amount",
        ),
        (
            "withdraw",
            {"asset": "USDC", "amount": "1000.5"},
            400,
            "insufficient_collateral",
            "amount",
        ),
        ("withdraw", {"asset": "SOL", "amount": "1"}, 400, "insufficient_collateral", "amount"),
        ("deposit", {"asset": "USDC"}, 422, "invalid_request", "amount"),
    ],
)
async def test_bad_transfers_are_refused_at_their_field_and_change_nothing(
    env: Env, route: str, body: dict, status: int, code: str, field: str
) -> None:
    trader = await _funded(env, "1000")
    before_points = env.recorder.recorded
    answer = await trader.post(f"/api/account/{route}", body)
    assert answer.status_code == status, answer.text
    assert (answer.json()["code"], answer.json()["field"]) == (code, field)
    assert await _balances(trader) == [{"asset": "USDC", "amount": "1000"}]
    assert env.recorder.record(only={_pubkey(trader)}) == 1  # one point: the balance as it was
    assert env.recorder.recorded == before_points + 1
    (point,) = (await trader.get("/api/account/equity")).json()
    assert point["equity"] == "1000"


async def test_a_withdrawal_that_would_breach_initial_margin_is_refused(env: Env) -> None:
    maker, taker = await _funded(env), await _funded(env, "1000")
    await _order(maker, "sell", "50", "150", "m1")
    await _order(taker, "buy", "50", "150", "t1")  # 7,500 of notional: 750 of initial margin
    # 1000 - 3.75 fee = 996.25 of collateral, 750 required: 246.25 can go
    risk = (await taker.get("/api/risk")).json()
    assert risk["free_collateral"] == "246.25"
    refused = await taker.post("/api/account/withdraw", {"asset": "USDC", "amount": "246.26"})
    assert refused.status_code == 400
    error = refused.json()
    assert (error["code"], error["field"]) == ("insufficient_margin", "amount")
    assert "initial margin" in error["message"] and "at most 246.25 USDC" in error["message"]
    assert await _balances(taker) == [{"asset": "USDC", "amount": "996.25"}]
    assert (await taker.get("/api/positions")).json()[0]["size"] == "50"
    allowed = await taker.post("/api/account/withdraw", {"asset": "USDC", "amount": "246.25"})
    assert allowed.status_code == 200 and allowed.json() == [{"asset": "USDC", "amount": "750"}]


# -- realised PnL per fill -------------------------------------------------------------


async def test_each_fill_states_what_it_realised_for_its_side(env: Env) -> None:
    maker, taker = await _round_trip(env)
    taker_fills = (await taker.get("/api/trades")).json()["trades"]
    assert [(t["side"], t["role"], t["realised_pnl"]) for t in taker_fills] == [
        ("buy", "taker", "0"),  # opening realises nothing
        ("sell", "maker", "20"),  # 2 x (160 - 150)
    ]
    maker_fills = (await maker.get("/api/trades")).json()["trades"]
    assert [t["realised_pnl"] for t in maker_fills] == ["0", "-20"]


# -- PnL by market ---------------------------------------------------------------------


async def test_pnl_by_market_sums_realised_fees_and_matches_the_ledger(env: Env) -> None:
    maker, taker = await _round_trip(env)
    pnl = (await taker.get("/api/account/pnl")).json()
    # fees: 0.05% of 300 as taker, 0.02% of 320 as maker
    expected = {
        "market": SOL,
        "realised_pnl": "20",
        "unrealised_pnl": "0",
        "fees_paid": "0.214",
        "funding": "0",
        "net": "19.786",
    }
    assert pnl["markets"] == [expected]
    assert pnl["total"] == {k: v for k, v in expected.items() if k != "market"}
    for trader in (maker, taker):
        realised = (await trader.get("/api/account/pnl")).json()["markets"][0]["realised_pnl"]
        assert parse_quote(realised) == env.credited.realised[_pubkey(trader), SOL]
    # the ledger credited realised PnL less fees to the balance, nothing else moved it
    assert await _balances(taker) == [{"asset": "USDC", "amount": "10019.786"}]
    stats = (await taker.get("/api/account/stats")).json()
    assert (stats["realised_pnl"], stats["fees_paid"]) == ("20", "0.214")


async def test_an_open_position_adds_its_unrealised_pnl_at_the_mark(env: Env) -> None:
    maker, taker = await _funded(env), await _funded(env)
    await _order(maker, "sell", "3", "150", "m1")
    await _order(taker, "buy", "3", None, "t1")
    _price(env.trading, "149", mark="152")
    pnl = (await taker.get("/api/account/pnl")).json()
    (row,) = pnl["markets"]
    (position,) = (await taker.get("/api/positions")).json()
    assert row["unrealised_pnl"] == position["unrealised_pnl"] == "6"  # 3 x (152 - 150)
    assert (row["realised_pnl"], row["fees_paid"], row["net"]) == ("0", "0.225", "5.775")
    short = (await maker.get("/api/account/pnl")).json()["total"]
    assert (short["unrealised_pnl"], short["fees_paid"], short["net"]) == ("-6", "0.09", "-6.09")


async def test_funding_payments_count_in_their_market(env: Env) -> None:
    maker, taker = await _funded(env), await _funded(env)
    await _order(maker, "sell", "10", "150", "m1")
    await _order(taker, "buy", "10", None, "t1")
    _price(env.trading, "150", mark="151")  # longs pay all period
    due_at = (START // HOUR_MS + 1) * HOUR_MS
    env.clock.advance(due_at - env.clock.now_ms())
    _price(env.trading, "150", mark="151")
    assert [s.market for s in env.trading.execute(Tick()).funding] == [SOL]
    _price(env.trading, "150")  # back to the oracle: no unrealised PnL to mix in
    for before, sign in ((taker, -1), (maker, 1)):
        trader = await sign_in(env.http, before.key)  # a fresh session, an hour on
        payments = (await trader.get("/api/account/funding")).json()
        paid = sum(Decimal(p["amount"]) for p in payments)
        assert paid * sign > 0
        (row,) = (await trader.get("/api/account/pnl")).json()["markets"]
        assert Decimal(row["funding"]) == paid
        assert Decimal(row["net"]) == paid - Decimal(row["fees_paid"])


async def test_liquidation_closes_count_as_realised_pnl_like_the_ledger_credited(
    env: Env,
) -> None:
    maker, trader = await _funded(env), await _funded(env, "100")
    await _order(maker, "sell", "5", "150", "m1")
    await _order(trader, "buy", "5", "150", "t1")  # 750 of notional on 100 of collateral
    _price(env.trading, "135")  # down 10%: below maintenance, the keeper takes over
    liquidated = env.credited.realised[_pubkey(trader), SOL]
    assert liquidated < 0 and env.credited.realised[KEEPER, SOL] == 0
    pnl = (await trader.get("/api/account/pnl")).json()
    (row,) = pnl["markets"]
    assert parse_quote(row["realised_pnl"]) == liquidated
    positions = (await trader.get("/api/positions")).json()
    held = next((p for p in positions if p["market"] == SOL), None)
    unrealised = parse_quote(held["unrealised_pnl"]) if held else 0
    assert parse_quote(row["unrealised_pnl"]) == unrealised
    # the balance is what was deposited plus everything the ledger credited
    net_realised = parse_quote(row["realised_pnl"]) - parse_quote(row["fees_paid"])
    (usdc,) = await _balances(trader)
    assert usdc["amount"] == format_fixed(100 * QUOTE_PRECISION + net_realised, QUOTE_PRECISION)


async def test_an_account_without_trading_has_empty_pnl(env: Env) -> None:
    trader = await sign_in(env.http)
    zero = {"realised_pnl": "0", "unrealised_pnl": "0", "fees_paid": "0", "funding": "0"}
    assert (await trader.get("/api/account/pnl")).json() == {
        "markets": [],
        "total": zero | {"net": "0"},
    }
    assert (await env.http.get("/api/account/pnl")).status_code == 401


# -- the equity curve ------------------------------------------------------------------


async def test_equity_points_come_oldest_first_within_the_range_asked(env: Env) -> None:
    maker, taker = await _funded(env), await _funded(env)
    await _order(maker, "sell", "1", "150", "m1")
    await _order(taker, "buy", "1", None, "t1")
    times = []
    for price in ("150", "151", "153", "152"):
        _price(env.trading, price)
        assert env.recorder.record() >= 1  # a position: recorded each round
        times.append(env.clock.now_ms())
        env.clock.advance(60_000)
    taker = await sign_in(env.http, taker.key)
    points = (await taker.get("/api/account/equity")).json()
    assert [p["time_ms"] for p in points] == times
    # 10,000 less the 0.075 fee, and 1 SOL at 150, 151, 153, 152
    assert [p["equity"] for p in points] == ["9999.925", "10000.925", "10002.925", "10001.925"]
    assert [p["unrealised_pnl"] for p in points] == ["0", "1", "3", "2"]
    assert {p["collateral_value"] for p in points} == {"9999.925"}
    ranged = (await taker.get(f"/api/account/equity?start_ms={times[1]}&end_ms={times[3]}")).json()
    assert [p["time_ms"] for p in ranged] == times[1:3]
    last_two = (await taker.get("/api/account/equity?limit=2")).json()
    assert [p["time_ms"] for p in last_two] == times[2:]
    bad = await taker.get(f"/api/account/equity?start_ms={times[2]}&end_ms={times[1]}")
    assert bad.status_code == 400
    assert (bad.json()["code"], bad.json()["field"]) == ("invalid_range", "start_ms")
    assert (await taker.get("/api/account/equity?limit=0")).status_code == 422
    risk = (await taker.get("/api/risk")).json()
    assert risk["equity"] == points[-1]["equity"]  # the same figure as the risk route


async def test_idle_accounts_and_the_exchanges_own_get_no_new_points(env: Env) -> None:
    maker, taker = await _funded(env), await _funded(env)
    idle = await _funded(env, "500")
    await _order(maker, "sell", "1", "150", "m1")
    await _order(taker, "buy", "1", None, "t1")
    assert env.recorder.record() == 3  # the first round: every trader once
    env.clock.advance(60_000)
    assert env.recorder.record() == 2  # the idle one's equity has not moved
    idle_points = (await idle.get("/api/account/equity")).json()
    assert [p["equity"] for p in idle_points] == ["500"]
    await idle.post("/api/account/deposit", {"asset": "USDC", "amount": "1"})
    env.clock.advance(60_000)
    assert env.recorder.record() == 3  # it moved: one more point
    env.trading.execute(Deposit("market-maker:SOL-PERP", "USDC", 10**9))  # the exchange's own
    env.clock.advance(60_000)
    assert env.recorder.record() == 2


async def test_the_recorder_writes_after_a_transfer_and_stops_cleanly(env: Env) -> None:
    trader = await _funded(env, "100")
    env.recorder.interval_s = 3_600  # the periodic round does not come again in this test
    stop = asyncio.Event()
    running = asyncio.create_task(env.recorder.run(stop))
    try:
        await _until(lambda: env.recorder.recorded == 1, "the first round")
        await trader.post("/api/account/deposit", {"asset": "USDC", "amount": "20"})
        await _until(lambda: env.recorder.recorded == 2, "a point after the deposit")
        points = (await trader.get("/api/account/equity")).json()
        assert [p["equity"] for p in points] == ["100", "120"]
    finally:
        stop.set()
        await asyncio.wait_for(running, timeout=5)
    assert running.done() and running.exception() is None


async def _until(condition, what: str, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"not seen in {timeout_s:g} s: {what}"
        await asyncio.sleep(0.01)
