"""History and market data over HTTP: candles, the ticker, funding, oracle prices, order
history, JIT auctions and quotes, admin routes, and CORS."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal

import httpx
import pytest
from solders.keypair import Keypair
from sqlalchemy import Engine

from backend.domain.fixed_point import parse_price
from backend.domain.markets import MarketCatalog
from backend.gateway.app import create_app
from backend.gateway.context import GatewayContext, make_context
from backend.services.clock import ManualClock
from backend.services.liquidity.maker_agents import MarketMakerAgents
from backend.services.trading.commands import SetPrices, Tick
from backend.services.trading.service import TradingService
from tests.gateway.traders import Trader, sign_in

START = 1_790_000_080_000  # 40 s into a minute
ADMIN = Keypair()


@dataclass
class Env:
    http: httpx.AsyncClient
    clock: ManualClock
    trading: TradingService
    context: GatewayContext


@pytest.fixture
async def env(catalog: MarketCatalog, db: Engine) -> AsyncIterator[Env]:
    clock = ManualClock(START)
    trading = TradingService(catalog, db, clock)
    trading.execute(
        SetPrices("SOL-PERP", oracle=parse_price("150"), derive_mark=True, source="sim")
    )
    context = make_context(
        catalog,
        "quantdesk.test",
        b"k" * 32,
        clock,
        cors_origins=["https://desk.example"],
        trading=trading,
        admin_keys=frozenset({str(ADMIN.pubkey())}),
    )
    transport = httpx.ASGITransport(app=create_app(context))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
        yield Env(http, clock, trading, context)


def _order(**fields) -> dict:
    return {
        "market": "SOL-PERP",
        "side": "buy",
        "type": "market",
        "size": "1",
        "client_order_id": f"c{id(fields)}",
    } | fields


async def _trade(trader: Trader, size: str, side: str = "buy", cid: str = "") -> dict:
    answer = await trader.post("/api/orders", _order(size=size, side=side, client_order_id=cid))
    assert answer.status_code == 201, answer.text
    return answer.json()


async def test_candles_group_trades_by_interval_with_open_and_close(env: Env) -> None:
    MarketMakerAgents(env.trading, env.clock).step()
    trader = await sign_in(env.http)
    await _trade(trader, "1", cid="a")  # lifts the best ask
    await _trade(trader, "2", "sell", cid="b")  # hits the best bid
    env.clock.advance(30_000)  # the next minute
    await _trade(trader, "3", cid="c")
    minute = (await env.http.get("/api/markets/SOL-PERP/candles?interval=1m")).json()
    assert [c["start_ms"] for c in minute] == [
        START // 60_000 * 60_000 + i * 60_000 for i in (0, 1)
    ]
    first, second = minute
    assert (first["open"], first["close"]) == ("150.075", "149.925")
    assert (first["high"], first["low"], first["volume"], first["trades"]) == (
        "150.075",
        "149.925",
        "3",
        2,
    )
    assert first["notional"] == "449.925"  # 150.075 + 2 x 149.925
    assert second["volume"] == "3" and second["trades"] == 1
    hour = (await env.http.get("/api/markets/SOL-PERP/candles?interval=1h")).json()
    assert len(hour) == 1 and hour[0]["volume"] == "6" and hour[0]["trades"] == 3
    last_only = (await env.http.get("/api/markets/SOL-PERP/candles?interval=1m&limit=1")).json()
    assert last_only == [second]

    bad = await env.http.get("/api/markets/SOL-PERP/candles?interval=7m")
    assert bad.status_code == 422 and bad.json()["field"] == "interval"
    backwards = await env.http.get("/api/markets/SOL-PERP/candles?start_ms=10&end_ms=5")
    assert backwards.status_code == 400 and backwards.json()["code"] == "invalid_range"
    unknown = await env.http.get("/api/markets/XRP-PERP/candles")
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_market"


async def test_public_trades_are_paged_newest_first_without_accounts(env: Env) -> None:
    MarketMakerAgents(env.trading, env.clock).step()
    trader = await sign_in(env.http)
    await _trade(trader, "1", cid="t1")
    await _trade(trader, "2", "sell", cid="t2")
    trades = (await env.http.get("/api/markets/SOL-PERP/trades")).json()
    assert [(t["size"], t["side"]) for t in trades] == [("2", "sell"), ("1", "buy")]
    assert set(trades[0]) == {"id", "price", "size", "side", "time_ms"}  # no accounts
    older = await env.http.get(f"/api/markets/SOL-PERP/trades?before_id={trades[0]['id']}")
    assert [t["id"] for t in older.json()] == [trades[1]["id"]]
    unknown = await env.http.get("/api/markets/XYZ-PERP/trades")
    assert unknown.status_code == 404


async def test_ticker_shows_the_day_open_interest_and_funding(env: Env) -> None:
    MarketMakerAgents(env.trading, env.clock).step()
    buyer, seller = await sign_in(env.http), await sign_in(env.http)
    await _trade(buyer, "4", cid="x")
    await _trade(seller, "1", "sell", cid="y")
    ticker = (await env.http.get("/api/markets/SOL-PERP/ticker")).json()
    assert ticker["market"] == "SOL-PERP" and ticker["halted"] is False
    assert ticker["oracle"] == "150" and ticker["last_price"] == "149.925"
    assert (ticker["open_24h"], ticker["high_24h"], ticker["low_24h"]) == (
        "150.075",
        "150.075",
        "149.925",
    )
    assert ticker["volume_24h"] == "5" and ticker["trades_24h"] == 2
    assert ticker["change_24h"] == "-0.001"  # (149.925 - 150.075) / 150.075, floored
    assert ticker["open_interest"] == "4"  # the buyer's long; the seller's short is its match
    assert ticker["next_funding_ms"] == (START // 3_600_000 + 1) * 3_600_000
    quiet = (await env.http.get("/api/markets/BTC-PERP/ticker")).json()
    assert quiet["last_price"] is None and quiet["volume_24h"] == "0" and quiet["mark"] is None
    every = (await env.http.get("/api/markets/tickers")).json()
    assert [t["market"] for t in every] == [spec.symbol for spec in env.trading.state.catalog]
    assert next(t for t in every if t["market"] == "SOL-PERP") == ticker | {
        "time_ms": every[0]["time_ms"]
    }


async def test_funding_rates_and_payments_are_paged_newest_first(env: Env) -> None:
    MarketMakerAgents(env.trading, env.clock).step()
    trader = await sign_in(env.http)
    await _trade(trader, "10", cid="long")
    env.trading.execute(SetPrices("SOL-PERP", mark=parse_price("151"), oracle=parse_price("150")))
    for hour in range(1, 4):  # the mark sits above the oracle: longs pay each period
        env.clock.advance(START // 3_600_000 * 3_600_000 + hour * 3_600_000 - env.clock.now_ms())
        env.trading.execute(
            SetPrices("SOL-PERP", mark=parse_price("151"), oracle=parse_price("150"))
        )
        env.trading.execute(Tick())
    rates = (await env.http.get("/api/markets/SOL-PERP/funding")).json()
    assert len(rates) == 3 and rates[0]["id"] > rates[1]["id"] > rates[2]["id"]
    # (151 - 150) / 150 over a day, per one-hour period
    assert {r["rate"] for r in rates} == {"0.000277777"}
    older = (await env.http.get(f"/api/markets/SOL-PERP/funding?before_id={rates[0]['id']}")).json()
    assert older == rates[1:]
    trader = await sign_in(env.http, trader.key)  # three hours on: a fresh session
    payments = (await trader.get("/api/account/funding")).json()
    assert len(payments) == 3 and all(p["amount"].startswith("-") for p in payments)
    assert payments[0]["position"] == "10" and payments[0]["market"] == "SOL-PERP"
    page = (await trader.get(f"/api/account/funding?before_id={payments[1]['id']}")).json()
    assert page == payments[2:]
    stranger = await sign_in(env.http)
    assert (await stranger.get("/api/account/funding")).json() == []
    stats = (await trader.get("/api/account/stats")).json()
    paid = -sum(Decimal(p["amount"]) for p in payments)
    assert stats["trades"] == 1 and Decimal(stats["funding_paid"]) == paid > 0
    assert Decimal(stats["volume"]) >= 10 * 150 and Decimal(stats["fees_paid"]) > 0
    assert stats["realised_pnl"] == "0"  # the position is still open
    assert (await stranger.get("/api/account/stats")).json()["trades"] == 0


async def test_oracle_history_pages_recorded_prices(env: Env) -> None:
    for cents in range(1, 5):
        env.clock.advance(1_000)
        price = parse_price("150") + cents * 10_000
        env.trading.execute(SetPrices("SOL-PERP", oracle=price, derive_mark=True, source="sim"))
    history = (await env.http.get("/api/oracle/history?market=SOL-PERP&limit=3")).json()
    assert [h["price"] for h in history] == ["150.04", "150.03", "150.02"]
    assert {h["source"] for h in history} == {"sim"}
    rest = await env.http.get(f"/api/oracle/history?market=SOL-PERP&before_id={history[-1]['id']}")
    assert [h["price"] for h in rest.json()] == ["150.01", "150"]
    missing = await env.http.get("/api/oracle/history?market=NOPE")
    assert missing.status_code == 404


async def test_order_history_lists_finished_orders_by_cursor(env: Env) -> None:
    MarketMakerAgents(env.trading, env.clock).step()
    trader = await sign_in(env.http)
    for i in range(5):
        env.clock.advance(10)
        await _trade(trader, "1", cid=f"h{i}")
    resting = await trader.post(
        "/api/orders", _order(type="limit", price="100", client_order_id="rest")
    )
    assert resting.json()["status"] == "open"
    first = (await trader.get("/api/orders/history?limit=3")).json()
    assert [o["client_order_id"] for o in first["orders"]] == ["h4", "h3", "h2"]
    assert all(o["status"] == "filled" and o["average_price"] for o in first["orders"])
    second = (await trader.get(f"/api/orders/history?limit=3&cursor={first['next_cursor']}")).json()
    assert [o["client_order_id"] for o in second["orders"]] == ["h1", "h0"]
    assert second["next_cursor"] is None
    bad = await trader.get("/api/orders/history?cursor=yesterday")
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_request"


async def test_auction_quote_over_rest_and_its_record(env: Env) -> None:
    MarketMakerAgents(env.trading, env.clock).step()
    whale, maker = await sign_in(env.http), await sign_in(env.http)
    for trader in (whale, maker):
        deposit = {"asset": "USDC", "amount": "1000000"}
        assert (await trader.post("/api/account/deposit", deposit)).status_code == 200
    await _trade(whale, "2000", cid="big")
    (auction,) = (await env.http.get("/api/liquidity/auctions?market=SOL-PERP")).json()
    assert auction["status"] == "open" and auction["size"] == "2000"
    env.clock.advance(200)
    now_price = (await env.http.get("/api/liquidity/auctions?market=SOL-PERP")).json()[0][
        "price_now"
    ]
    quote = {"market": "SOL-PERP", "auction_id": auction["auction_id"], "size": "2000"}
    answer = await maker.post("/api/liquidity/quotes", quote | {"price": now_price})
    assert answer.status_code == 201, answer.text
    off_tick = await maker.post("/api/liquidity/quotes", quote | {"price": "150.0001"})
    assert off_tick.status_code == 400 and off_tick.json()["code"] == "invalid_quote"
    anonymous = await env.http.post("/api/liquidity/quotes", json=quote | {"price": now_price})
    assert anonymous.status_code == 401

    env.clock.advance(2_000)
    env.trading.execute(Tick())
    record = (await env.http.get(f"/api/liquidity/auctions/{auction['auction_id']}")).json()
    assert record["status"] == "settled" and record["price_now"] is None
    assert record["quotes"] == [{"price": now_price, "size": "2000", "time_ms": START + 200}]
    assert [f["size"] for f in record["fills"]] == ["2000"]
    late = await maker.post("/api/liquidity/quotes", quote | {"price": now_price})
    assert late.status_code == 409 and late.json()["code"] == "auction_closed"
    assert (await env.http.get("/api/liquidity/auctions/42")).status_code == 404
    metrics = (await env.http.get("/metrics")).text
    assert 'quantdesk_auctions_total{outcome="started"} 1.0' in metrics
    assert 'quantdesk_auctions_total{outcome="settled"} 1.0' in metrics
    figures = dict(
        line.split(" ") for line in metrics.splitlines() if line.startswith("quantdesk_store_")
    )
    transactions = float(figures["quantdesk_store_transactions_total"])
    assert transactions == env.trading.transactions > 0
    assert float(figures["quantdesk_store_commands_total"]) >= transactions


async def test_admin_routes_need_an_admin_key(env: Env) -> None:
    trader, admin = await sign_in(env.http), await sign_in(env.http, ADMIN)
    refused = await trader.post("/api/admin/markets/SOL-PERP/halt", {"reason": "test"})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert (await env.http.get("/api/admin/events")).status_code == 401

    halted = await admin.post("/api/admin/markets/SOL-PERP/halt", {"reason": "oracle check"})
    assert halted.status_code == 200
    assert (await env.http.get("/api/markets/SOL-PERP/ticker")).json()["halted"] is True
    order = await trader.post("/api/orders", _order(type="limit", price="140"))
    assert order.status_code == 409 and order.json()["code"] == "market_halted"
    twice = await admin.post("/api/admin/markets/SOL-PERP/halt", {})
    assert twice.status_code == 409 and twice.json()["code"] == "market_status_unchanged"
    assert (await admin.post("/api/admin/markets/SOL-PERP/resume", {})).status_code == 200

    changed = await admin.patch("/api/admin/markets/SOL-PERP", {"taker_fee": "0.001"})
    assert changed.status_code == 200 and changed.json()["taker_fee"] == "0.001"
    assert (await env.http.get("/api/markets/SOL-PERP")).json()["taker_fee"] == "0.001"
    for body, status in (
        ({"maintenance_margin_ratio": "0.5"}, 400),  # above the initial margin ratio
        ({"taker_fee": "lots"}, 400),
        ({}, 400),
        ({"tick_size": "1"}, 422),  # not adjustable while the market runs
    ):
        answer = await admin.patch("/api/admin/markets/SOL-PERP", body)
        assert answer.status_code == status, (body, answer.text)
    assert (await env.http.get("/api/markets/SOL-PERP")).json()["taker_fee"] == "0.001"
    events = (await admin.get("/api/admin/events")).json()
    assert [e["kind"] for e in events] == ["market_parameters", "market_resume", "market_halt"]
    assert "oracle check" in events[2]["message"]


async def test_cors_allows_only_the_configured_origins(env: Env) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization",
    }
    allowed = await env.http.options(
        "/api/orders", headers={"Origin": "https://desk.example"} | preflight
    )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://desk.example"
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
    foreign = await env.http.options(
        "/api/orders", headers={"Origin": "https://evil.example"} | preflight
    )
    assert foreign.status_code == 400
    assert "access-control-allow-origin" not in foreign.headers
    simple = await env.http.get("/api/markets", headers={"Origin": "https://evil.example"})
    assert simple.status_code == 200 and "access-control-allow-origin" not in simple.headers
