"""The ``/ws`` endpoint: JSON ops in, numbered channel messages out.

Ops: ``subscribe`` / ``unsubscribe`` (channel, market, interval for candles), ``auth``
(token), ``place`` (order), ``cancel`` (order_id), ``quote`` (an auction quote), ``ping``.
Public channels: book, trades, candles, prices, funding, auctions. Private channels, after
``auth``: orders, fills, positions, account, alerts. See docs/ws-protocol.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable
from typing import Any, TypeVar

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, ValidationError

from backend.domain.candles import INTERVALS
from backend.domain.errors import DomainError
from backend.gateway.context import GatewayContext
from backend.gateway.views import find_order
from backend.gateway.ws.candles import candle_topic
from backend.gateway.ws.events import book_snapshot, prices_snapshot
from backend.gateway.ws.hub import Subscriber, Topic
from backend.gateway.ws.wire import auction_out
from backend.schemas.liquidity import QuoteBody, quote_values
from backend.schemas.orders import OrderBody, OrderOut, to_request
from backend.services.auth.errors import AuthError
from backend.services.trading.commands import Cancel, QuoteAuction, Submit
from backend.services.trading.service import TradingService, TradingUnavailable

router = APIRouter()
BodyT = TypeVar("BodyT", bound=BaseModel)

MAX_FRAME_BYTES = 16_384
PUBLIC = {"book", "trades", "candles", "prices", "funding", "auctions"}
PRIVATE = {"orders", "fills", "positions", "account", "alerts"}
TRADING_OPS = {"place", "cancel", "quote"}
SNAPSHOT_ONLY = {"book", "candles"}
"""Channels that always start from a snapshot, also when a client asks to resume."""


class OpError(Exception):
    """A refused op: answered on the socket, the connection stays open."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@router.websocket("/ws")
async def stream(socket: WebSocket) -> None:
    """One client's stream until it disconnects."""
    await socket.accept()
    context: GatewayContext = socket.app.state.context
    subscriber = Subscriber()
    writer = asyncio.create_task(_write(socket, subscriber))
    context.hub.connections += 1
    answering: set[asyncio.Task] = set()
    try:
        while True:
            text = await socket.receive_text()
            try:
                message = _parse(text)
            except OpError as error:
                _reply(
                    subscriber,
                    None,
                    {"type": "error", "code": error.code, "message": error.message},
                )
                continue
            if message["op"] in TRADING_OPS:
                # applied in arrival order when the task starts, for the account signed in
                # now (a later auth cannot take it over); answered once durable, while the
                # next messages are read (a burst is not one commit per order)
                work = _trade(context, subscriber.user, message)
                task = asyncio.create_task(_answer(subscriber, message, work))
                answering.add(task)
                task.add_done_callback(answering.discard)
            else:
                await _answer(subscriber, message, _handle(context, subscriber, message))
    except WebSocketDisconnect:
        pass
    finally:
        context.hub.connections -= 1
        context.hub.drop(subscriber)
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await writer


async def _answer(subscriber: Subscriber, message: dict, work: Awaitable[dict | None]) -> None:
    """Carry out one op (``work``) and queue its answer (an ack, or an error with its
    reason)."""
    try:
        reply = await work
    except OpError as error:
        reply = {"type": "error", "code": error.code, "message": error.message}
    except DomainError as error:
        reply = {
            "type": "error",
            "code": error.code.value,
            "message": error.message,
            "field": error.field,
        }
    except AuthError as error:
        reply = {"type": "error", "code": error.code.value, "message": error.message}
    except TradingUnavailable as error:
        reply = {"type": "error", "code": "trading_unavailable", "message": str(error)}
    if reply is not None:
        _reply(subscriber, message.get("request_id"), reply)


def _reply(subscriber: Subscriber, request_id: object, reply: dict) -> None:
    if request_id is not None:
        reply["request_id"] = request_id
    subscriber.send(json.dumps(reply, separators=(",", ":")))


async def _write(socket: WebSocket, subscriber: Subscriber) -> None:
    """Send queued messages in order; close the socket when the client fell behind."""
    while True:
        text = await subscriber.queue.get()
        if text is None:
            error = {
                "type": "error",
                "code": "slow_consumer",
                "message": "the client read too slowly; reconnect and re-snapshot",
            }
            with contextlib.suppress(Exception):
                await socket.send_text(json.dumps(error))
                await socket.close(code=1013)
            return
        await socket.send_text(text)


def _parse(text: str) -> dict[str, Any]:
    if len(text.encode()) > MAX_FRAME_BYTES:
        raise OpError("message_too_large", f"messages are limited to {MAX_FRAME_BYTES} bytes")
    try:
        message = json.loads(text)
    except json.JSONDecodeError as error:
        raise OpError("malformed_json", f"not JSON: {error.msg}") from None
    if not isinstance(message, dict) or not isinstance(message.get("op"), str):
        raise OpError("invalid_op", 'each message is a JSON object with an "op"')
    return message


async def _handle(context: GatewayContext, subscriber: Subscriber, message: dict) -> dict | None:
    op = message["op"]
    if op == "ping":
        return {"type": "pong"}
    if op == "auth":
        token = message.get("token")
        if not isinstance(token, str):
            raise OpError("invalid_op", "auth needs a token")
        subscriber.user = context.login.sessions.subject(token, context.clock.now_ms())
        return {"type": "ack", "op": "auth", "pubkey": subscriber.user}
    if op in ("subscribe", "unsubscribe"):
        return await _subscription(context, subscriber, message, op == "subscribe")
    raise OpError("invalid_op", f"unknown op {op!r}")


async def _trade(context: GatewayContext, user: str | None, message: dict) -> dict:
    """A trading op for ``user`` (the account signed in when it arrived)."""
    op = message["op"]
    if op == "place":
        return await _place(context, user, message)
    if op == "cancel":
        return await _cancel(context, user, message)
    return await _quote(context, user, message)


async def _subscription(
    context: GatewayContext, subscriber: Subscriber, message: dict, subscribe: bool
) -> dict:
    channel = message.get("channel")
    topic: Topic
    if channel in PUBLIC:
        market = message.get("market")
        if market not in context.catalog.markets:
            raise OpError("unknown_market", f"unknown market {market!r}")
        topic = (channel, market)
        if channel == "candles":
            interval = message.get("interval")
            if interval not in INTERVALS:
                raise OpError("invalid_interval", f"interval must be one of {', '.join(INTERVALS)}")
            topic = candle_topic(market, interval)
    elif channel in PRIVATE:
        if subscriber.user is None:
            raise OpError("auth_required", f"authenticate before subscribing to {channel}")
        topic = (channel, subscriber.user)
    else:
        raise OpError("unknown_channel", f"unknown channel {channel!r}")
    if not subscribe:
        context.hub.unsubscribe(topic, subscriber)
        return {"type": "ack", "op": "unsubscribe", "channel": channel}
    since = message.get("since")
    if since is not None and (not isinstance(since, int) or isinstance(since, bool) or since < 0):
        raise OpError("invalid_request", "since must be a sequence number (an integer >= 0)")
    await context.hub.ready(topic)  # a deployment's hub first follows the topic's source
    missed = None
    if since is not None and channel not in SNAPSHOT_ONLY:
        missed = await context.hub.resume(topic, since)
    if missed is not None:
        # a resumed subscription: the messages after ``since``, then the live ones
        for text in missed:
            subscriber.send(text)
    else:
        # the snapshot and the subscription happen with no command in between (one loop)
        snapshot = _snapshot(context, channel, topic)
        if snapshot is not None:
            subscriber.send(json.dumps(snapshot, separators=(",", ":")))
    context.hub.subscribe(topic, subscriber)
    ack = {"type": "ack", "op": "subscribe", "channel": channel}
    if since is not None:
        ack["resumed"] = missed is not None
    ack["market"] = message.get("market") if channel in PUBLIC else None
    if channel == "candles":
        ack["interval"] = message["interval"]
    return ack


def _snapshot(context: GatewayContext, channel: str, topic: Topic) -> dict | None:
    """The first message of a subscription that starts from a state."""
    if context.trading is None:
        return None
    if channel == "book":
        if context.book_frames is not None:
            context.book_frames.flush(topic[1])  # the first delta must follow the snapshot
        return book_snapshot(context.trading.state, topic[1])
    if channel == "candles" and context.candles is not None:
        market, interval = topic[1]
        return context.candles.snapshot(market, interval, context.clock.now_ms())
    if channel == "prices":
        return prices_snapshot(context.trading.state, topic[1], context.hub.seq(topic))
    if channel == "auctions":
        engine = context.trading.state.engines[topic[1]]
        return {
            "channel": "auctions",
            "market": topic[1],
            "type": "snapshot",
            "seq": context.hub.seq(topic),
            "auctions": [auction_out(a) for a in engine.open_auctions()],
        }
    return None


def _trading(context: GatewayContext, user: str | None) -> TradingService:
    if user is None:
        raise OpError("auth_required", "authenticate before trading")
    wait = context.limits.private.take(user, context.clock.now_ms())
    if wait is not None:
        raise OpError("rate_limited", f"too many account requests; retry in {wait} s")
    if context.trading is None:
        raise TradingUnavailable("trading is not enabled on this server")
    return context.trading


def _validated(model: type[BodyT], value: object) -> BodyT:
    """``value`` as ``model``, or the first problem as an `invalid_request` error."""
    try:
        return model.model_validate(value)
    except ValidationError as error:
        first = error.errors()[0]
        raise OpError(
            "invalid_request", f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
        ) from None


async def _place(context: GatewayContext, user: str | None, message: dict) -> dict:
    trading = _trading(context, user)
    body = _validated(OrderBody, message.get("order"))
    request = to_request(body, user, context.catalog)
    result = (await trading.execute_durably(Submit(request))).primary
    return {
        "type": "ack",
        "op": "place",
        "duplicate": result.duplicate,
        "order": OrderOut.of(result.order).model_dump(),
    }


async def _quote(context: GatewayContext, user: str | None, message: dict) -> dict:
    trading = _trading(context, user)
    body = _validated(QuoteBody, message.get("quote"))
    price, size = quote_values(body, context.catalog)
    await trading.execute_durably(QuoteAuction(user, body.market, body.auction_id, price, size))
    return {"type": "ack", "op": "quote", "auction_id": body.auction_id}


async def _cancel(context: GatewayContext, user: str | None, message: dict) -> dict:
    trading = _trading(context, user)
    order_id = message.get("order_id")
    order = find_order(trading.state, user, order_id) if isinstance(order_id, int) else None
    if order is None:
        raise OpError("order_not_found", f"no working order {order_id} for this account")
    await trading.execute_durably(Cancel(user, order.request.market, order.order_id))
    return {"type": "ack", "op": "cancel", "order": OrderOut.of(order).model_dump()}
