"""Trading over HTTP: deposit, place, list, cancel, positions, and every refusal."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from solders.keypair import Keypair
from sqlalchemy import Engine

from backend.domain.fixed_point import parse_price
from backend.domain.markets import MarketCatalog
from backend.gateway.app import create_app
from backend.gateway.context import make_context
from backend.services.clock import ManualClock
from backend.services.trading.commands import SetPrices
from backend.services.trading.service import TradingService
from tests.gateway.traders import Trader, sign_in

NOW = 1_790_000_000_000


@pytest.fixture
async def http(
    catalog: MarketCatalog, db: Engine, demo_capital: int
) -> AsyncIterator[httpx.AsyncClient]:
    clock = ManualClock(NOW)
    trading = TradingService(catalog, db, clock)
    price = parse_price("150")
    trading.execute(SetPrices("SOL-PERP", mark=price, oracle=price, last=price))
    context = make_context(catalog, "quantdesk.test", b"k" * 32, clock, trading=trading)
    context.demo_capital = demo_capital
    transport = httpx.ASGITransport(app=create_app(context))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield client


@pytest.fixture
def demo_capital() -> int:
    """Paper USDC for new wallets: none, so that each test funds its traders exactly."""
    return 0


def _order(**fields) -> dict:
    return {
        "market": "SOL-PERP",
        "side": "buy",
        "type": "limit",
        "size": "1",
        "price": "149",
        "client_order_id": "c1",
    } | fields


async def _funded(http: httpx.AsyncClient) -> Trader:
    trader = await sign_in(http)
    answer = await trader.post("/api/account/deposit", {"asset": "USDC", "amount": "10000"})
    assert answer.status_code == 200 and answer.json() == [{"asset": "USDC", "amount": "10000"}]
    return trader


async def test_place_list_cancel(http: httpx.AsyncClient) -> None:
    trader = await _funded(http)
    placed = await trader.post("/api/orders", _order())
    assert placed.status_code == 201
    order = placed.json()
    assert order["status"] == "open" and order["price"] == "149" and order["size"] == "1"
    again = await trader.post("/api/orders", _order())
    assert again.status_code == 200 and again.json()["order_id"] == order["order_id"]
    listed = (await trader.get("/api/orders")).json()
    assert [o["order_id"] for o in listed] == [order["order_id"]]
    cancelled = await trader.delete(f"/api/orders/{order['order_id']}")
    assert cancelled.json()["status"] == "cancelled"
    assert (await trader.get("/api/orders")).json() == []


async def test_a_fill_shows_in_positions(http: httpx.AsyncClient) -> None:
    maker, taker = await _funded(http), await _funded(http)
    await maker.post("/api/orders", _order(side="sell", price="150", size="2"))
    filled = await taker.post("/api/orders", _order(type="market", price=None, size="2"))
    assert filled.json()["status"] == "filled" and filled.json()["average_price"] == "150"
    positions = (await taker.get("/api/positions")).json()
    assert positions[0]["market"] == "SOL-PERP" and positions[0]["size"] == "2"
    assert positions[0]["entry_price"] == "150" and positions[0]["unrealised_pnl"] == "0"
    prices = (await http.get("/api/oracle/prices")).json()
    assert prices == [
        {
            "market": "SOL-PERP",
            "mark": "150",
            "oracle": "150",
            "status": "live",
            "source": None,
            "published_ms": None,
        }
    ]


@pytest.mark.parametrize(
    ("fields", "status", "code", "field"),
    [
        ({"price": "149.0005"}, 400, "price_not_tick_multiple", "price"),
        ({"size": "0.001"}, 400, "size_below_minimum", "size"),
        ({"size": "5000"}, 400, "insufficient_margin", "size"),
        ({"market": "XRP-PERP"}, 404, "unknown_market", "market"),
        ({"market": "ETH-PERP", "price": "3000"}, 409, "market_halted", None),
        ({"side": "up"}, 422, "invalid_request", "side"),
        ({"price": "abc"}, 400, "invalid_price", "price"),
    ],
)
async def test_bad_orders_are_refused_and_change_nothing(http, fields, status, code, field) -> None:
    trader = await _funded(http)
    answer = await trader.post("/api/orders", _order(**fields))
    assert answer.status_code == status, answer.text
    assert answer.json()["code"] == code and answer.json()["field"] == field
    assert (await trader.get("/api/orders")).json() == []


async def test_another_users_order_cannot_be_cancelled(http: httpx.AsyncClient) -> None:
    owner, other = await _funded(http), await _funded(http)
    order = (await owner.post("/api/orders", _order())).json()
    answer = await other.delete(f"/api/orders/{order['order_id']}")
    assert answer.status_code == 404 and answer.json()["code"] == "order_not_found"
    assert len((await owner.get("/api/orders")).json()) == 1


async def test_withdrawal_beyond_margin_is_refused(http: httpx.AsyncClient) -> None:
    trader = await _funded(http)
    await trader.post("/api/orders", _order(size="50", price="149"))
    refused = await trader.post("/api/account/withdraw", {"asset": "USDC", "amount": "9999"})
    assert refused.status_code == 400
    ok = await trader.post("/api/account/withdraw", {"asset": "USDC", "amount": "100"})
    assert ok.json() == [{"asset": "USDC", "amount": "9900"}]
    bad = await trader.post("/api/account/deposit", {"asset": "DOGE", "amount": "1"})
    assert bad.status_code == 404 and bad.json()["code"] == "unknown_asset"


async def test_private_routes_need_a_session(http: httpx.AsyncClient) -> None:
    answer = await http.post("/api/orders", json=_order())
    assert answer.status_code == 401 and answer.json()["code"] == "invalid_token"


async def test_metrics_count_orders_fills_and_price_age(http: httpx.AsyncClient) -> None:
    maker, taker = await _funded(http), await _funded(http)
    await maker.post("/api/orders", _order(side="sell", price="150", size="1"))
    await taker.post("/api/orders", _order(type="market", price=None, size="1"))
    await taker.post("/api/orders", _order(price="1.0001", client_order_id="bad"))
    text = (await http.get("/metrics")).text
    assert 'quantdesk_orders_total{result="accepted"} 2.0' in text
    assert 'quantdesk_orders_total{result="rejected"} 1.0' in text
    assert "quantdesk_fills_total 1.0" in text
    assert "quantdesk_order_latency_seconds_count 3.0" in text
    assert 'quantdesk_price_age_seconds{market="SOL-PERP"} 0.0' in text
    assert "quantdesk_ws_clients 0.0" in text


async def test_book_route_shows_resting_levels(http: httpx.AsyncClient) -> None:
    trader = await _funded(http)
    await trader.post("/api/orders", _order(price="149", size="2"))
    await trader.post("/api/orders", _order(price="149", size="1", client_order_id="c2"))
    book = (await http.get("/api/markets/SOL-PERP/book", params={"depth": 5})).json()
    assert book["bids"] == [["149", "3"]] and book["asks"] == [] and book["seq"] >= 2
    missing = await http.get("/api/markets/XRP-PERP/book")
    assert missing.status_code == 404 and missing.json()["code"] == "unknown_market"
    too_deep = await http.get("/api/markets/SOL-PERP/book", params={"depth": 10_000})
    assert too_deep.status_code == 422


async def test_modify_cancel_all_and_lookup_by_client_id(http: httpx.AsyncClient) -> None:
    trader = await _funded(http)
    first = (await trader.post("/api/orders", _order(size="3"))).json()
    await trader.post("/api/orders", _order(price="148", client_order_id="c2"))
    shrunk = await trader.http.patch(
        f"/api/orders/{first['order_id']}", json={"size": "2"}, headers=trader.headers
    )
    assert shrunk.status_code == 200 and shrunk.json()["size"] == "2"
    moved = await trader.http.patch(
        f"/api/orders/{first['order_id']}", json={"price": "149.5"}, headers=trader.headers
    )
    assert moved.json()["price"] == "149.5"
    book = (await http.get("/api/markets/SOL-PERP/book")).json()
    assert book["bids"] == [["149.5", "2"], ["148", "1"]]
    for body, code in (
        ({}, "invalid_price"),
        ({"price": "149.0001"}, "price_not_tick_multiple"),
        ({"size": "0.001"}, "size_below_minimum"),
    ):
        bad = await trader.http.patch(
            f"/api/orders/{first['order_id']}", json=body, headers=trader.headers
        )
        assert bad.status_code == 400 and bad.json()["code"] == code
    wrong_market = await trader.http.delete(
        "/api/orders", params={"market": "XRP-PERP"}, headers=trader.headers
    )
    assert wrong_market.status_code == 404
    cancelled = await trader.http.delete(
        "/api/orders", params={"market": "SOL-PERP"}, headers=trader.headers
    )
    assert sorted(o["status"] for o in cancelled.json()) == ["cancelled", "cancelled"]
    assert (await trader.get("/api/orders")).json() == []
    found = (await trader.get("/api/orders/by-client-id/c1")).json()
    assert found["order_id"] == first["order_id"] and found["status"] == "cancelled"
    missing = await trader.get("/api/orders/by-client-id/nope")
    assert missing.status_code == 404 and missing.json()["code"] == "order_not_found"


async def test_own_trades_page_by_cursor(http: httpx.AsyncClient) -> None:
    maker, taker = await _funded(http), await _funded(http)
    await maker.post("/api/orders", _order(side="sell", price="150", size="3"))
    for index in range(3):
        await taker.post(
            "/api/orders", _order(type="market", price=None, size="1", client_order_id=f"t{index}")
        )
    first = (await taker.get("/api/trades?limit=2")).json()
    assert [t["role"] for t in first["trades"]] == ["taker", "taker"]
    assert first["trades"][0]["side"] == "buy" and first["trades"][0]["fee"] == "0.075"
    rest = (await taker.get(f"/api/trades?cursor={first['next_cursor']}")).json()
    ids = [t["trade_id"] for t in first["trades"] + rest["trades"]]
    assert len(ids) == 3 == len(set(ids)) and ids == sorted(ids)
    assert (await taker.get(f"/api/trades?cursor={rest['next_cursor']}")).json()["trades"] == []
    maker_view = (await maker.get("/api/trades")).json()["trades"]
    assert {t["role"] for t in maker_view} == {"maker"} and maker_view[0]["side"] == "sell"
    assert (await taker.get("/api/trades?limit=0")).status_code == 422


async def test_risk_shows_margin_health_and_liquidation_distance(http: httpx.AsyncClient) -> None:
    maker, taker = await _funded(http), await _funded(http)
    await maker.post("/api/orders", _order(side="sell", price="150", size="10"))
    await taker.post("/api/orders", _order(type="market", price=None, size="10"))
    await taker.post("/api/orders", _order(price="100", size="10", client_order_id="rest"))
    risk = (await taker.get("/api/risk")).json()
    # 10 SOL at mark 150: IM 10% = 150, MM 5% = 75; the resting bid holds 10 * 150 * 10%
    assert risk["initial_requirement"] == "150" and risk["maintenance_requirement"] == "75"
    assert risk["reserved_for_orders"] == "150"
    assert risk["free_collateral"] == "9699.25"  # 10,000 - 0.75 fee - 150 - 150
    assert risk["liquidatable"] is False and risk["leverage"] == "0.150011"
    position = risk["positions"][0]
    assert position["market"] == "SOL-PERP" and position["liquidation_price"] is None


@pytest.mark.parametrize("demo_capital", [25_000 * 10**6])
async def test_a_new_wallet_gets_a_funded_demo_account_once(http: httpx.AsyncClient) -> None:
    key = Keypair()
    trader = await sign_in(http, key)
    assert (await trader.get("/api/account/balances")).json() == [
        {"asset": "USDC", "amount": "25000"}
    ]
    await trader.post("/api/account/withdraw", {"asset": "USDC", "amount": "5000"})
    again = await sign_in(http, key)  # the same wallet signing in again is not topped up
    assert (await again.get("/api/account/balances")).json() == [
        {"asset": "USDC", "amount": "20000"}
    ]
