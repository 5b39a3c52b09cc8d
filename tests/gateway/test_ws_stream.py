"""The WebSocket stream over a real socket: snapshots, numbered deltas that rebuild the
book, private channels after auth, trading ops, and bad frames answered, not fatal."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest
import websockets
from solders.keypair import Keypair
from sqlalchemy import Engine

from backend.domain.fixed_point import parse_base, parse_price
from backend.domain.markets import MarketCatalog
from backend.gateway.app import create_app
from backend.gateway.context import make_context
from backend.gateway.rate_limit import RateLimits, TokenBucket
from backend.services.clock import ManualClock
from backend.services.trading.commands import Deposit, SetPrices, Submit, Tick
from backend.services.trading.service import TradingService
from tests.domain.order_factory import request
from tests.loopback_server import LoopbackServer

NOW = 1_790_000_000_000


@pytest.fixture
async def env(
    catalog: MarketCatalog, db: Engine, clock: ManualClock, private_burst: int
) -> AsyncIterator[tuple[LoopbackServer, TradingService]]:
    trading = TradingService(catalog, db, clock)
    price = parse_price("150")
    trading.execute(SetPrices("SOL-PERP", mark=price, oracle=price, last=price))
    context = make_context(catalog, "quantdesk.test", b"k" * 32, clock, trading=trading)
    context.demo_capital = 0  # each test funds its traders exactly
    context.limits = RateLimits(private=TokenBucket(rate=1, burst=private_burst))
    async with LoopbackServer(create_app(context)) as server:
        yield server, trading


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def private_burst() -> int:
    """Orders an account may send at once over the socket before it is rate-limited."""
    return 1_000


async def _next(socket, **match) -> dict:
    """The next message whose fields equal ``match`` (others are skipped)."""
    while True:
        message = json.loads(await asyncio.wait_for(socket.recv(), 5))
        if all(message.get(k) == v for k, v in match.items()):
            return message


async def _until(socket, **match) -> list[dict]:
    """Every message up to and including the first whose fields equal ``match``."""
    seen = []
    while True:
        seen.append(json.loads(await asyncio.wait_for(socket.recv(), 5)))
        if all(seen[-1].get(k) == v for k, v in match.items()):
            return seen


async def _token(port: int) -> tuple[str, str]:
    key = Keypair()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
        nonce = (await http.get("/api/auth/nonce", params={"pubkey": str(key.pubkey())})).json()
        body = {
            "pubkey": str(key.pubkey()),
            "message": nonce["message"],
            "signature": str(key.sign_message(nonce["message"].encode())),
        }
        tokens = (await http.post("/api/auth/verify", json=body)).json()
    return str(key.pubkey()), tokens["access_token"]


async def test_book_snapshot_then_deltas_rebuild_the_book(env) -> None:
    server, trading = env
    trading.execute(Deposit("mm", "USDC", 10**12))
    trading.execute(Submit(request("sell", price="151", size="2", account="mm")))
    async with websockets.connect(f"ws://127.0.0.1:{server.port}/ws") as socket:
        await socket.send(json.dumps({"op": "subscribe", "channel": "book", "market": "SOL-PERP"}))
        snapshot = await _next(socket, type="snapshot")
        book = {("ask", p): s for p, s in snapshot["asks"]}
        assert book == {("ask", "151"): "2"}
        await _next(socket, type="ack")
        trading.execute(Submit(request("sell", price="151", size="1", account="mm")))
        trading.execute(Submit(request("buy", price="149", size="3", account="mm")))
        seq = snapshot["seq"]
        for _ in range(2):
            delta = await _next(socket, channel="book", type="delta")
            assert delta["prev_seq"] == seq  # no gap
            seq = delta["seq"]
            for side, levels in (("bid", delta["bids"]), ("ask", delta["asks"])):
                for price, size in levels:
                    if Decimal(size):
                        book[(side, price)] = size
                    else:
                        book.pop((side, price), None)
    assert book == {("ask", "151"): "3", ("bid", "149"): "3"}


async def test_private_channels_and_trading_over_the_socket(env) -> None:
    server, trading = env
    pubkey, token = await _token(server.port)
    trading.execute(Deposit(pubkey, "USDC", 10**12))
    trading.execute(Deposit("mm", "USDC", 10**12))
    trading.execute(Submit(request("sell", price="150", size="1", account="mm")))
    async with websockets.connect(f"ws://127.0.0.1:{server.port}/ws") as socket:
        await socket.send(json.dumps({"op": "subscribe", "channel": "fills"}))
        assert (await _next(socket, type="error"))["code"] == "auth_required"
        await socket.send(json.dumps({"op": "auth", "token": token}))
        assert (await _next(socket, type="ack"))["pubkey"] == pubkey
        for channel in ("fills", "orders", "positions"):
            await socket.send(json.dumps({"op": "subscribe", "channel": channel}))
            await _next(socket, type="ack", channel=channel)
        order = {
            "market": "SOL-PERP",
            "side": "buy",
            "type": "market",
            "size": "1",
            "client_order_id": "ws-1",
        }
        await socket.send(json.dumps({"op": "place", "order": order, "request_id": 7}))
        # the stream updates are queued as the order commits, before its acknowledgement
        seen = await _until(socket, type="ack", op="place")
        ack = seen[-1]
        assert ack["request_id"] == 7 and ack["order"]["status"] == "filled"
        fill = next(m for m in seen if m.get("channel") == "fills")
        assert fill["fill"]["role"] == "taker" and fill["fill"]["price"] == "150"
        position = next(m for m in seen if m.get("channel") == "positions")
        assert position["positions"][0]["size"] == "1"
        orders = [m for m in seen if m.get("channel") == "orders"]
        assert orders[-1]["order"]["status"] == "filled"
        await socket.send(json.dumps({"op": "place", "order": order, "request_id": 8}))
        again = await _next(socket, type="ack", op="place")
        assert again["duplicate"] and again["order"]["order_id"] == ack["order"]["order_id"]


async def test_a_burst_of_orders_on_one_socket_keeps_its_order(env) -> None:
    server, trading = env
    pubkey, token = await _token(server.port)
    trading.execute(Deposit(pubkey, "USDC", 10**12))
    async with websockets.connect(f"ws://127.0.0.1:{server.port}/ws") as socket:
        await socket.send(json.dumps({"op": "auth", "token": token}))
        await _next(socket, type="ack")
        for i in range(5):  # sent back to back, no waiting for acknowledgements
            order = {
                "market": "SOL-PERP",
                "side": "buy",
                "type": "limit",
                "size": "1",
                "price": str(140 + i),
                "client_order_id": f"burst-{i}",
            }
            await socket.send(json.dumps({"op": "place", "order": order, "request_id": i}))
        acks = [await _next(socket, type="ack", op="place") for _ in range(5)]
        assert [a["request_id"] for a in acks] == [0, 1, 2, 3, 4]  # answered in order
        ids = [a["order"]["order_id"] for a in acks]
        assert ids == sorted(ids)  # and applied in the order they were sent
        book = trading.state.engines["SOL-PERP"].book
        assert [book.resting(i).remaining for i in ids] == [10**9] * 5


async def test_an_order_sent_before_a_new_auth_belongs_to_the_earlier_account(env) -> None:
    server, trading = env
    first, first_token = await _token(server.port)
    second, second_token = await _token(server.port)
    for account in (first, second):
        trading.execute(Deposit(account, "USDC", 10**12))
    order = {
        "market": "SOL-PERP",
        "side": "buy",
        "type": "limit",
        "size": "1",
        "price": "140",
        "client_order_id": "before-reauth",
    }
    async with websockets.connect(f"ws://127.0.0.1:{server.port}/ws") as socket:
        await socket.send(json.dumps({"op": "auth", "token": first_token}))
        await _next(socket, type="ack", op="auth")
        # back to back: the order, then a sign-in as another wallet
        await socket.send(json.dumps({"op": "place", "order": order, "request_id": 1}))
        await socket.send(json.dumps({"op": "auth", "token": second_token}))
        placed = await _next(socket, type="ack", op="place")
    engine = trading.state.engines["SOL-PERP"]
    assert [o.order_id for o in engine.open_orders(first)] == [placed["order"]["order_id"]]
    assert engine.open_orders(second) == []


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", "malformed_json"),
        ("[1, 2]", "invalid_op"),
        ('{"op": "dance"}', "invalid_op"),
        ('{"op": "subscribe", "channel": "book", "market": "XRP-PERP"}', "unknown_market"),
        ('{"op": "subscribe", "channel": "gossip", "market": "SOL-PERP"}', "unknown_channel"),
        ('{"op": "auth", "token": "nope"}', "invalid_token"),
        ('{"op": "place", "order": {"market": "SOL-PERP"}}', "auth_required"),
        ("x" * 20_000, "message_too_large"),
    ],
)
async def test_bad_frames_get_an_error_and_the_socket_stays_open(env, frame, code) -> None:
    server, _ = env
    async with websockets.connect(f"ws://127.0.0.1:{server.port}/ws") as socket:
        await socket.send(frame)
        error = await _next(socket, type="error")
        assert error["code"] == code and error["message"]
        await socket.send(json.dumps({"op": "ping"}))
        assert (await _next(socket))["type"] == "pong"


async def test_prices_channel_numbers_its_messages(env) -> None:
    server, trading = env
    async with websockets.connect(f"ws://127.0.0.1:{server.port}/ws") as socket:
        await socket.send(
            json.dumps({"op": "subscribe", "channel": "prices", "market": "SOL-PERP"})
        )
        await _next(socket, type="ack")
        for price in ("150.1", "150.2"):
            trading.execute(
                SetPrices("SOL-PERP", mark=parse_price(price), oracle=parse_price(price))
            )
        first = await _next(socket, channel="prices")
        second = await _next(socket, channel="prices")
    assert (first["mark"], second["mark"]) == ("150.1", "150.2")
    assert second["seq"] == first["seq"] + 1


async def _subscribed(socket, channel: str, **fields) -> dict:
    """Subscribe and return the subscription's snapshot (sent before the ack)."""
    await socket.send(json.dumps({"op": "subscribe", "channel": channel} | fields))
    seen = await _until(socket, type="ack")
    return seen[0]


async def test_candles_channel_snapshot_then_updates(env) -> None:
    server, trading = env
    trading.execute(Deposit("mm", "USDC", 10**12))
    trading.execute(Deposit("taker", "USDC", 10**12))
    trading.execute(Submit(request("sell", price="150", size="5", account="mm")))
    trading.execute(Submit(request("buy", type="market", price=None, size="1", account="taker")))
    async with websockets.connect(f"ws://127.0.0.1:{server.port}/ws") as socket:
        snapshot = await _subscribed(socket, "candles", market="SOL-PERP", interval="1m")
        assert snapshot["type"] == "snapshot" and snapshot["interval"] == "1m"
        assert snapshot["candle"]["volume"] == "1" and snapshot["candle"]["trades"] == 1
        trading.execute(
            Submit(request("buy", type="market", price=None, size="2", account="taker"))
        )
        update = await _next(socket, channel="candles", type="update")
        assert update["seq"] == snapshot["seq"] + 1
        candle = update["candle"]
        assert (candle["volume"], candle["trades"], candle["close"]) == ("3", 2, "150")
        assert candle["start_ms"] == snapshot["candle"]["start_ms"]
        await socket.send(
            json.dumps({"op": "subscribe", "channel": "candles", "market": "SOL-PERP"})
        )
        assert (await _next(socket, type="error"))["code"] == "invalid_interval"


async def test_auctions_channel_and_quoting_over_the_socket(env, clock: ManualClock) -> None:
    server, trading = env
    pubkey, token = await _token(server.port)
    trading.execute(Deposit(pubkey, "USDC", 10**13))
    trading.execute(Deposit("whale", "USDC", 10**13))
    trading.execute(Deposit("mm", "USDC", 10**13))
    trading.execute(Submit(request("sell", price="151", size="3000", account="mm")))
    async with websockets.connect(f"ws://127.0.0.1:{server.port}/ws") as socket:
        snapshot = await _subscribed(socket, "auctions", market="SOL-PERP")
        assert snapshot["auctions"] == []
        trading.execute(
            Submit(request("buy", type="market", price=None, size="2000", account="whale"))
        )
        started = await _next(socket, channel="auctions", type="started")
        auction = started["auction"]
        assert auction["size"] == "2000" and auction["side"] == "buy"
        clock.advance(1_000)  # halfway: the curve has risen past the oracle
        price = (
            trading.state.engines["SOL-PERP"]
            .auction(auction["auction_id"])
            .price_at(clock.now_ms())
        )
        await socket.send(json.dumps({"op": "auth", "token": token}))
        await _next(socket, type="ack", op="auth")
        quote = {
            "market": "SOL-PERP",
            "auction_id": auction["auction_id"],
            "price": str(Decimal(price) / 10**6),
            "size": "1500",
        }
        await socket.send(json.dumps({"op": "quote", "quote": quote, "request_id": 3}))
        seen = await _until(socket, type="ack", op="quote")
        assert seen[-1]["request_id"] == 3
        public = next(m for m in seen if m.get("type") == "quote")
        assert public["size"] == "1500" and "maker" not in public
        await socket.send(json.dumps({"op": "quote", "quote": quote | {"size": "0.001"}}))
        assert (await _next(socket, type="error"))["code"] == "invalid_quote"
        clock.advance(1_000)
        trading.execute(Tick())
        settled = await _next(socket, channel="auctions", type="settled")
    assert settled["filled"] == "1500" and settled["remainder"] == "500"
    assert settled["average_price"] == quote["price"] and settled["fills"] == 1
    assert trading.state.engines["SOL-PERP"].position("whale") == parse_base("2000")


async def test_margin_call_alert_once_until_recovered(env) -> None:
    server, trading = env
    pubkey, token = await _token(server.port)
    trading.execute(Deposit(pubkey, "USDC", 20 * 10**6))
    trading.execute(Deposit("mm", "USDC", 10**12))
    trading.execute(Submit(request("sell", price="150", size="1", account="mm")))
    trading.execute(Submit(request("buy", price="150", size="1", account=pubkey)))

    def move(price: str) -> None:
        trading.execute(SetPrices("SOL-PERP", mark=parse_price(price), oracle=parse_price(price)))

    async with websockets.connect(f"ws://127.0.0.1:{server.port}/ws") as socket:
        await socket.send(json.dumps({"op": "auth", "token": token}))
        await _next(socket, type="ack", op="auth")
        await socket.send(json.dumps({"op": "subscribe", "channel": "alerts"}))
        await _next(socket, type="ack")
        # health: 1 - 5% of the mark / (19.925 + mark - 150): 0.51 at 145, 0.13 at 138
        for price in ("145", "138", "139", "138", "145", "138", "120"):
            move(price)
        first = await _next(socket, channel="alerts")
        second = await _next(socket, channel="alerts")
        third = await _next(socket, channel="alerts")
    assert first["type"] == second["type"] == "margin_call"
    assert first["market"] == "SOL-PERP" and Decimal(first["health"]) < Decimal("0.2")
    assert second["seq"] == first["seq"] + 1  # 139 and 138 again did not alert a second time
    assert third["type"] == "liquidation"  # at 120 the account is below maintenance
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as http:
        assert "quantdesk_liquidations_total 1.0" in (await http.get("/metrics")).text


@pytest.mark.parametrize("private_burst", [2])
async def test_socket_orders_share_the_accounts_rate_limit(env) -> None:
    server, trading = env
    pubkey, token = await _token(server.port)
    trading.execute(Deposit(pubkey, "USDC", 10**12))
    async with websockets.connect(f"ws://127.0.0.1:{server.port}/ws") as socket:
        await socket.send(json.dumps({"op": "auth", "token": token}))
        await _next(socket, type="ack", op="auth")
        answers = []
        for i in range(3):
            order = {
                "market": "SOL-PERP",
                "side": "buy",
                "type": "limit",
                "size": "1",
                "price": "100",
                "client_order_id": f"rl-{i}",
            }
            await socket.send(json.dumps({"op": "place", "order": order, "request_id": i}))
            answers.append(await _next(socket, request_id=i))
    assert [a["type"] for a in answers] == ["ack", "ack", "error"]
    assert answers[2]["code"] == "rate_limited"
    assert len(trading.state.engines["SOL-PERP"].open_orders(pubkey)) == 2


async def test_own_fills_carry_the_pnl_they_realised_for_each_side(env) -> None:
    server, trading = env
    pubkey, token = await _token(server.port)
    trading.execute(Deposit(pubkey, "USDC", 10**12))
    trading.execute(Deposit("mm", "USDC", 10**12))
    trading.execute(Submit(request("sell", price="150", size="2", account="mm")))
    trading.execute(Submit(request("buy", price="150", size="2", account=pubkey)))  # long 2
    price = parse_price("155")
    trading.execute(SetPrices("SOL-PERP", mark=price, oracle=price, last=price))
    trading.execute(Submit(request("buy", price="155", size="2", account="mm")))
    async with websockets.connect(f"ws://127.0.0.1:{server.port}/ws") as socket:
        await socket.send(json.dumps({"op": "auth", "token": token}))
        await _next(socket, type="ack", op="auth")
        await socket.send(json.dumps({"op": "subscribe", "channel": "fills"}))
        await _next(socket, type="ack", channel="fills")
        trading.execute(Submit(request("sell", price="155", size="2", account=pubkey)))
        fill = (await _next(socket, channel="fills"))["fill"]
    assert (fill["side"], fill["role"], fill["size"]) == ("sell", "taker", "2")
    assert fill["realised_pnl"] == "10"  # 2 x (155 - 150), before the fee
    assert fill["fee"] == "0.155"


async def test_a_client_that_reconnects_resumes_from_its_sequence_numbers(env) -> None:
    server, trading = env
    pubkey, token = await _token(server.port)
    trading.execute(Deposit(pubkey, "USDC", 10**12))
    url = f"ws://127.0.0.1:{server.port}/ws"
    async with websockets.connect(url) as socket:
        await socket.send(json.dumps({"op": "auth", "token": token}))
        await socket.send(json.dumps({"op": "subscribe", "channel": "orders"}))
        await _next(socket, type="ack", channel="orders")
        trading.execute(Submit(request("buy", price="140", size="1", account=pubkey)))
        last_seen = (await _next(socket, channel="orders", type="update"))["seq"]
    # while the client is away, two more orders change
    for price in ("141", "142"):
        trading.execute(Submit(request("buy", price=price, size="1", account=pubkey)))
    async with websockets.connect(url) as socket:
        await socket.send(json.dumps({"op": "auth", "token": token}))
        await socket.send(json.dumps({"op": "subscribe", "channel": "orders", "since": last_seen}))
        seen = await _until(socket, type="ack", op="subscribe")
        assert seen[-1]["resumed"] is True
        missed = [m for m in seen if m.get("channel") == "orders" and m["type"] == "update"]
        assert [m["seq"] for m in missed] == [last_seen + 1, last_seen + 2]
        assert [m["order"]["price"] for m in missed] == ["141", "142"]
        trading.execute(Submit(request("buy", price="143", size="1", account=pubkey)))
        live = await _next(socket, channel="orders", type="update")
        assert live["seq"] == last_seen + 3


async def test_a_resume_from_before_the_kept_history_starts_from_a_snapshot(env) -> None:
    server, trading = env
    price = parse_price("151")
    trading.execute(SetPrices("SOL-PERP", mark=price, oracle=price, last=price))  # seq 1
    async with websockets.connect(f"ws://127.0.0.1:{server.port}/ws") as socket:
        for since in (-1, "3", True):
            subscribe = {"op": "subscribe", "channel": "prices", "market": "SOL-PERP"}
            await socket.send(json.dumps(subscribe | {"since": since}))
            assert (await _next(socket, type="error"))["code"] == "invalid_request"
        # nothing was kept for this topic before anyone followed it: a snapshot instead
        subscribe = {"op": "subscribe", "channel": "prices", "market": "SOL-PERP", "since": 0}
        await socket.send(json.dumps(subscribe))
        seen = await _until(socket, type="ack", op="subscribe")
        assert seen[-1]["resumed"] is False
        assert [m["type"] for m in seen[:-1]] == ["snapshot"]
