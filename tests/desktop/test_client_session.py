"""The workstation's client layer against a real embedded backend: sign-in, the markets,
followed books and candles, orders from intents, a dropped socket that reconnects and
re-subscribes, and a sequence gap answered by a fresh snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.domain.fixed_point import PRICE_PRECISION, format_fixed
from quantdesk_desktop.client.backoff import Backoff
from quantdesk_desktop.client.embedded import BackendFailed, EmbeddedBackend
from quantdesk_desktop.client.outcomes import OrderRefusal
from quantdesk_desktop.client.stream import StreamClient
from tests.desktop.live_backend import until

MARKET = "SOL-PERP"


async def test_the_session_fills_the_store_and_follows_what_panels_want(client) -> None:
    store = client.store
    assert len(store.board.symbols) == 6 and store.account.pubkey == client.wallet.pubkey
    await until(lambda: store.connection.state == "online", "the socket online")
    await until(lambda: all(p.mark for p in store.board.prices.values()), "every mark price")

    store.follow("book", MARKET)
    store.follow("candles", MARKET, "1s")
    client.sync_wanted()
    book = store.book(MARKET)
    await until(lambda: book.bids and book.asks, "the book's snapshot")
    assert book.best_bid() < book.best_ask()
    await until(lambda: store.connection.latency_ms is not None, "a ping's round trip")
    await until(lambda: store.account.health is not None, "the account's health")

    store.follow("trades", MARKET)
    client.sync_wanted()
    tape = store.tape(MARKET)
    await until(lambda: tape.reloads == 1, "the recent trades loaded")
    ids = [t.trade_id for t in tape.trades]
    assert ids == sorted(set(ids))  # history and live trades in order, none twice

    store.unfollow("book", MARKET)
    client.sync_wanted()
    assert ("book", MARKET, None) not in client.stream.subscriptions

    bid = book.best_bid()
    price = bid - 10 * 1_000 * 100  # well below the touch: it rests
    client.place_limit(MARKET, "buy", price, 10**9)
    await until(lambda: store.orders.in_market(MARKET), "the order in the working list")
    (order,) = store.orders.in_market(MARKET)
    assert (order.side, order.price, order.size) == ("buy", price, 10**9)
    client.cancel(order.order_id)
    await until(lambda: not store.orders.in_market(MARKET), "the order cancelled")


async def test_a_refused_order_becomes_a_notice(client) -> None:
    await until(lambda: client.stream.connected, "the socket online")
    client.place_limit(MARKET, "buy", 150_000_123, 10**9)  # not a tick multiple
    await until(lambda: client.notices, "the refusal")
    assert "tick" in client.notices[-1]


async def test_a_dropped_socket_reconnects_and_snapshots_again(client) -> None:
    store = client.store
    store.follow("book", MARKET)
    client.sync_wanted()
    book = store.book(MARKET)
    await until(lambda: book.seq is not None, "the first snapshot")
    await client.stream._socket.close()  # the network drops the stream
    await until(lambda: client.stream.connects == 2, "the reconnection")
    before = book.version
    await until(lambda: book.version > before and book.bids, "a snapshot after reconnecting")
    assert ("book", MARKET, None) in client.stream.subscriptions


def test_a_sequence_gap_asks_for_a_fresh_snapshot() -> None:
    seen: list[dict] = []

    async def no_token() -> None:
        return None

    stream = StreamClient("ws://unused", lambda m, _: seen.append(m), lambda *_: None, no_token)
    trades = {"channel": "trades", "market": MARKET, "type": "trades", "trades": []}
    stream._dispatch(trades | {"seq": 4}, 0.0)
    stream._dispatch(trades | {"seq": 5}, 0.0)
    stream._dispatch(trades | {"seq": 7}, 0.0)  # 6 never came
    assert [m["seq"] for m in seen] == [4, 5] and stream.gaps == 1
    stream._dispatch(trades | {"seq": 1}, 0.0)  # the new subscription starts afresh
    assert [m["seq"] for m in seen] == [4, 5, 1]


async def test_a_backend_that_cannot_start_says_why(tmp_path: Path) -> None:
    blocker = tmp_path / "embedded"
    blocker.write_text("a file where the data folder should be")
    with pytest.raises((BackendFailed, OSError)):
        await EmbeddedBackend(blocker).start(timeout_s=20)


async def test_orders_from_panels_are_answered_and_a_retry_cannot_double(client) -> None:
    store = client.store
    await until(lambda: client.stream.connected, "the socket online")
    await until(lambda: store.board.prices[MARKET].oracle, "a price")
    results: list[object] = []
    far_below = store.board.prices[MARKET].oracle * 8 // 10 // 1_000 * 1_000
    body = {"market": MARKET, "side": "buy", "type": "limit", "size": "1",
            "price": format_fixed(far_below, PRICE_PRECISION)}  # fmt: skip
    client.submit(body, results.append)
    await until(lambda: results, "the answer")
    placed = results.pop()
    assert isinstance(placed, dict) and placed["status"] == "open"

    client.submit(body | {"price": "150.0005"}, results.append)  # not a tick multiple
    await until(lambda: results, "the refusal")
    refusal = results.pop()
    assert isinstance(refusal, OrderRefusal) and refusal.field == "price"

    await client.stream._socket.close()  # offline for a moment
    retry = body | {"client_order_id": "ticket-retry-1"}
    client.submit(retry, results.append)
    await until(lambda: results, "the offline answer")
    offline = results.pop()
    assert isinstance(offline, OrderRefusal) and offline.code == "offline"
    await until(lambda: client.stream.connected, "the reconnection")
    client.submit(retry, results.append)
    client.submit(retry, results.append)  # the same order twice: placed once
    await until(lambda: len(results) == 2, "both answers")
    assert results[0]["order_id"] == results[1]["order_id"]

    client.amend(placed["order_id"], None, 3 * 10**9)
    await until(
        lambda: any(o.size == 3 * 10**9 for o in store.orders.in_market(MARKET)), "the new size"
    )
    client.cancel_all(MARKET)
    await until(lambda: not store.orders.in_market(MARKET), "every order cancelled")


async def test_a_dropped_socket_resumes_the_private_channels_from_their_numbers(client) -> None:
    stream = client.stream
    account = ("account", None, None)
    await until(lambda: stream.connected and account in stream.subscriptions, "the socket")
    await client.rest.deposit("USDC", "1")
    await until(lambda: account in stream._seq, "an account message")
    seen: list[dict] = []
    deliver = stream.on_message
    stream.on_message = lambda message, at: (seen.append(message), deliver(message, at))
    stream.backoff = Backoff(base_s=2.0)  # the client stays away for a second or two
    last = stream._seq[account]
    await stream._socket.close()  # the network drops the stream
    await until(lambda: not stream.connected, "the drop")
    await client.rest.deposit("USDC", "2")  # while the client is away
    await until(lambda: stream.connects == 2, "the reconnection")
    await until(lambda: stream.resumed >= 1, "the resumed subscriptions")
    await until(lambda: [m for m in seen if m.get("channel") == "account"], "the missed one")
    missed = [m for m in seen if m.get("channel") == "account"]
    assert missed[0]["seq"] == last + 1 and stream.gaps == 0
