"""A local Hermes that speaks the v2 wire format from recorded payloads, scripted per
connection: normal streams, streams cut mid-event, closes after N events, 500s, 429s
with Retry-After, malformed JSON."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

FIXTURES = Path(__file__).parent.parent / "fixtures" / "hermes"


def recorded_latest() -> dict:
    """The recorded `/v2/updates/price/latest` answer."""
    return json.loads((FIXTURES / "latest.json").read_text())


def recorded_stream() -> list[str]:
    """The recorded stream events' data, one JSON text each."""
    return (FIXTURES / "stream.jsonl").read_text().splitlines()


@dataclass
class StreamPlan:
    """What one stream connection does."""

    events: list[str] = field(default_factory=list)
    """Event data to send, each as one SSE event."""
    cut_after: str | None = None
    """Text sent after the events before the connection drops (half an event)."""
    status: int = 200
    retry_after: str | None = None


@dataclass
class HermesScript:
    """The answers of the local Hermes, consumed in order; then streams stay idle-closed."""

    latest: list[tuple[int, str]] = field(default_factory=list)
    """Answers to `latest`: (status, body); when empty, the recorded answer."""
    streams: list[StreamPlan] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    """Each request's path and query, for the tests to inspect."""


def hermes_app(script: HermesScript) -> Starlette:
    """The local Hermes."""

    async def latest(request: Request) -> Response:
        script.requests.append(f"{request.url.path}?{request.url.query}")
        if script.latest:
            status, body = script.latest.pop(0)
            headers = {"Retry-After": "7"} if status == 429 else {}
            return PlainTextResponse(body, status, headers, media_type="application/json")
        return JSONResponse(recorded_latest())

    async def price_feeds(request: Request) -> Response:
        script.requests.append(f"{request.url.path}?{request.url.query}")
        return JSONResponse(json.loads((FIXTURES / "price_feeds.json").read_text()))

    async def stream(request: Request) -> Response:
        script.requests.append(f"{request.url.path}?{request.url.query}")
        plan = script.streams.pop(0) if script.streams else StreamPlan()
        if plan.status != 200:
            headers = {"Retry-After": plan.retry_after} if plan.retry_after else {}
            return PlainTextResponse("unavailable", plan.status, headers)

        async def body() -> AsyncIterator[bytes]:
            yield b": keep-alive\n\n"
            for data in plan.events:
                yield f"data:{data}\n\n".encode()
            if plan.cut_after:
                yield plan.cut_after.encode()

        return StreamingResponse(body(), media_type="text/event-stream")

    return Starlette(
        routes=[
            Route("/v2/updates/price/latest", latest),
            Route("/v2/updates/price/stream", stream),
            Route("/v2/price_feeds", price_feeds),
        ]
    )
