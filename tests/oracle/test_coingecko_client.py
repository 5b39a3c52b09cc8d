"""The CoinGecko client against a local server answering `/api/v3/simple/price` in its
documented shape: exact prices, unknown ids, 429 with Retry-After, 500s, malformed JSON."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from backend.domain.fixed_point import parse_price
from backend.services.oracle.coingecko import CoinGeckoClient
from backend.services.oracle.feed_errors import FeedFormatError, FeedUnavailable
from tests.loopback_server import LoopbackServer

RECORDED = Path(__file__).parent.parent / "fixtures" / "coingecko" / "simple_price.json"


def coingecko_app(answers: list[tuple[int, str, dict]], queries: list[str]) -> Starlette:
    """Serves ``answers`` in order, then the recorded answer."""

    async def simple_price(request: Request) -> Response:
        queries.append(request.url.query)
        if answers:
            status, body, headers = answers.pop(0)
            return PlainTextResponse(body, status, headers, media_type="application/json")
        return PlainTextResponse(RECORDED.read_text(), media_type="application/json")

    return Starlette(routes=[Route("/api/v3/simple/price", simple_price)])


@pytest.fixture
async def coingecko():
    answers: list[tuple[int, str, dict]] = []
    queries: list[str] = []
    async with LoopbackServer(coingecko_app(answers, queries)) as server:
        client = CoinGeckoClient(server.url)
        yield answers, queries, client
        await client.aclose()


async def test_prices_are_read_exactly_and_unknown_ids_left_out(coingecko) -> None:
    _, queries, client = coingecko
    prices = await client.prices(["bitcoin", "solana", "no-such-coin"])
    assert set(prices) == {"bitcoin", "solana"}
    # 67187.3358936566 rounds half-even at 1e-6; no binary float on the way
    assert prices["bitcoin"].price == parse_price("67187.335894")
    assert prices["solana"].price == parse_price("187.25")
    assert prices["solana"].last_updated_at == 1711356302
    assert "vs_currencies=usd" in queries[0] and "include_last_updated_at=true" in queries[0]


@pytest.mark.parametrize(
    ("status", "body", "headers", "error", "message"),
    [
        (429, "{}", {"Retry-After": "30"}, FeedUnavailable, "429"),
        (500, "oops", {}, FeedUnavailable, "HTTP 500"),
        (200, "{not json", {}, FeedFormatError, "not JSON"),
        (200, '{"bitcoin": {"usd": "67187"}}', {}, FeedFormatError, "positive number"),
        (200, '{"bitcoin": {"usd": -1, "last_updated_at": 1}}', {}, FeedFormatError, "positive"),
        (200, '{"bitcoin": {"usd": 1.5}}', {}, FeedFormatError, "last_updated_at"),
        (200, "[]", {}, FeedFormatError, "object keyed"),
    ],
)
async def test_errors_say_why(coingecko, status, body, headers, error, message) -> None:
    answers, _, client = coingecko
    answers.append((status, body, headers))
    with pytest.raises(error, match=message) as raised:
        await client.prices(["bitcoin"])
    if status == 429:
        assert raised.value.retry_after_s == 30.0


async def test_polling_goes_on_after_a_refusal(coingecko) -> None:
    answers, queries, client = coingecko
    client.min_interval_s = 0.0  # no pacing in the test
    answers.append((500, "down", {}))
    polls = client.poll(["ethereum"])
    first = await anext(polls)  # the 500 is logged and skipped; the next poll answers
    assert first["ethereum"].price == parse_price("3352.61")
    assert len(queries) == 2
    await polls.aclose()
