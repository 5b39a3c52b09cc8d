"""A market-data load generator that speaks the backend's wire protocol, for the
workstation benchmarks: the REST calls the workstation makes at start, and `/ws` with
one market's book changing ``book_rate`` times a second and ``trade_rate`` trades a
second, each its own message with the protocol's sequence numbers.

The real backend matches about a thousand orders a second here, so it cannot make five
thousand book changes a second; this stands in for a busy venue's stream. Market specs
come from the real catalog and its wire schema, so the shapes are the backend's own.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from backend.domain.fixed_point import PRICE_PRECISION, format_fixed
from backend.domain.markets import load_default_catalog
from backend.schemas.markets import MarketSpecOut

LEVELS = 200
TICK_TEXT_DECIMALS = 3
STEP_S = 0.002


@dataclass(frozen=True, slots=True)
class Load:
    """What the generator sends for ``market``."""

    market: str = "SOL-PERP"
    book_rate: float = 5_000.0
    trade_rate: float = 500.0
    seed: int = 1


def _price(units: int) -> str:
    return format_fixed(units, PRICE_PRECISION)


class BookChurn:
    """A book around a mid whose levels change size at random, and trades at its touch."""

    def __init__(self, load: Load) -> None:
        spec = load_default_catalog().market(load.market)
        self.market = load.market
        self.tick = spec.tick_size
        self.mid = spec.reference_price
        self.rng = random.Random(load.seed)
        self.seq = 0
        self.trade_seq = 0
        self.trade_id = 0

    def snapshot(self) -> dict:
        """The book now (a fresh one each subscription), with its sequence."""
        self.seq += 1
        bids = [[_price(self.mid - (i + 1) * self.tick), "1.5"] for i in range(LEVELS)]
        asks = [[_price(self.mid + (i + 1) * self.tick), "1.5"] for i in range(LEVELS)]
        return {"channel": "book", "market": self.market, "type": "snapshot", "seq": self.seq,
                "bids": bids, "asks": asks}  # fmt: skip

    def delta(self) -> dict:
        """One level changes size."""
        side = "bids" if self.rng.random() < 0.5 else "asks"
        level = self.rng.randrange(LEVELS)
        sign = -1 if side == "bids" else 1
        price = self.mid + sign * (level + 1) * self.tick
        size = f"{self.rng.randint(1, 400) / 100:.2f}"
        previous, self.seq = self.seq, self.seq + 1
        other = "asks" if side == "bids" else "bids"
        return {"channel": "book", "market": self.market, "type": "delta", "prev_seq": previous,
                "seq": self.seq, side: [[_price(price), size]], other: []}  # fmt: skip

    def candle(self, interval: str, seq: int) -> dict:
        """The live candle of the current minute (its close moving)."""
        now_ms = int(time.time() * 1000)
        close = self.mid + self.rng.randint(-5, 5) * self.tick
        low, high = self.mid - 8 * self.tick, self.mid + 8 * self.tick
        candle = {"start_ms": now_ms // 60_000 * 60_000, "open": _price(self.mid),
                  "high": _price(high), "low": _price(low), "close": _price(close),
                  "volume": "120", "notional": "18000", "trades": seq}  # fmt: skip
        return {"channel": "candles", "market": self.market, "interval": interval,
                "type": "update", "seq": seq, "candle": candle}  # fmt: skip

    def prices(self, seq: int) -> dict:
        """The market's mark and oracle price."""
        return {"channel": "prices", "market": self.market, "type": "price", "seq": seq,
                "mark": _price(self.mid), "oracle": _price(self.mid), "source": "sim"}  # fmt: skip

    def trade(self) -> dict:
        """One trade at the touch."""
        self.trade_seq += 1
        self.trade_id += 1
        buy = self.rng.random() < 0.5
        price = self.mid + (self.tick if buy else -self.tick)
        row = {"id": self.trade_id, "price": _price(price),
               "size": f"{self.rng.randint(1, 200) / 100:.2f}", "side": "buy" if buy else "sell",
               "time_ms": int(time.time() * 1000)}  # fmt: skip
        return {"channel": "trades", "market": self.market, "type": "trades",
                "seq": self.trade_seq, "trades": [row]}  # fmt: skip


def sign_in_message(request: Request) -> str:
    """A Sign-In With Solana message for the asking wallet, as the backend words it."""
    pubkey = request.query_params.get("pubkey", "")
    return (
        f"localhost wants you to sign in with your Solana account:\n{pubkey}\n\n"
        "Sign in to the QuantDesk benchmark feed.\n\nNonce: bench"
    )


def feed_app(load: Load) -> Starlette:
    """The generator as an ASGI app."""
    catalog = load_default_catalog()
    specs = [MarketSpecOut.of(spec).model_dump() for spec in catalog]
    tokens = {"access_token": "bench", "refresh_token": "bench-refresh-0000", "expires_in": 3600}
    answers = {
        "/health": {"status": "ok"},
        "/api/auth/verify": tokens,
        "/api/auth/refresh": tokens,
        "/api/markets": specs,
        "/api/markets/tickers": [],
        "/api/orders": [],
        "/api/orders/history": {"orders": [], "next_cursor": None},
        "/api/positions": [],
        "/api/account/balances": [],
        "/api/risk": {"health": "1", "equity": "0", "free_collateral": "0"},
    }

    async def rest(request: Request) -> JSONResponse:
        path = request.url.path
        if path == "/api/auth/nonce":  # a sign-in message the wallet accepts to sign
            return JSONResponse({"nonce": "bench", "message": sign_in_message(request)})
        if path.endswith(("/candles", "/trades")):
            return JSONResponse([])
        return JSONResponse(answers.get(path, {"code": "not_found", "message": path}),
                            200 if path in answers else 404)  # fmt: skip

    async def stream(socket: WebSocket) -> None:
        await socket.accept()
        churn = BookChurn(load)
        wanted: dict[str, dict] = {}
        """Channel to its subscribe op, for the load's market."""
        sender = asyncio.create_task(_churn(socket, churn, wanted, load))
        try:
            while True:
                message = json.loads(await socket.receive_text())
                op = message.get("op")
                if op == "ping":
                    await socket.send_text('{"type":"pong"}')
                elif op == "auth":
                    await socket.send_text('{"type":"ack","op":"auth","pubkey":"bench"}')
                elif op == "subscribe":
                    channel = message.get("channel")
                    if channel == "book" and message.get("market") == load.market:
                        await socket.send_text(json.dumps(churn.snapshot()))
                    if message.get("market") == load.market:
                        wanted[channel] = message
                    await socket.send_text(json.dumps({"type": "ack", "op": "subscribe",
                                                       "channel": channel}))  # fmt: skip
                elif op == "unsubscribe":
                    wanted.pop(message.get("channel"), None)
        except WebSocketDisconnect:
            pass
        finally:
            sender.cancel()

    return Starlette(
        routes=[
            Route("/health", rest),
            Route("/api/{rest:path}", rest, methods=["GET", "POST", "DELETE", "PATCH"]),
            WebSocketRoute("/ws", stream),
        ]
    )


async def _churn(socket: WebSocket, churn: BookChurn, wanted: dict, load: Load) -> None:
    """Send book deltas and trades at the load's rates, paced to the clock; the live
    candle ten times a second and the market's prices once a second."""
    started = time.perf_counter()
    deltas = trades = candles = prices = 0
    while True:
        await asyncio.sleep(STEP_S)
        elapsed = time.perf_counter() - started
        if "candles" in wanted and candles < elapsed * 10:
            candles += 1
            await socket.send_text(json.dumps(churn.candle(wanted["candles"]["interval"], candles)))
        if "prices" in wanted and prices < elapsed:
            prices += 1
            await socket.send_text(json.dumps(churn.prices(prices)))
        if "book" in wanted:
            while deltas < elapsed * load.book_rate:
                await socket.send_text(json.dumps(churn.delta()))
                deltas += 1
        else:
            deltas = int(elapsed * load.book_rate)
        if "trades" in wanted:
            while trades < elapsed * load.trade_rate:
                await socket.send_text(json.dumps(churn.trade()))
                trades += 1
        else:
            trades = int(elapsed * load.trade_rate)


def serve(port: int, load: Load) -> None:
    """Run the generator on loopback (the target of a benchmark's child process)."""
    import uvicorn

    uvicorn.run(feed_app(load), host="127.0.0.1", port=port, log_level="warning")
