"""The gateway's login, markets and error answers, over HTTP."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from solders.keypair import Keypair

from backend.domain.markets import MarketCatalog
from backend.gateway.app import create_app
from backend.gateway.context import make_context
from backend.services.clock import ManualClock

NOW = 1_790_000_000_000


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
async def client(catalog: MarketCatalog, clock: ManualClock) -> AsyncIterator[httpx.AsyncClient]:
    context = make_context(catalog, "quantdesk.test", b"k" * 32, clock)
    transport = httpx.ASGITransport(app=create_app(context))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
        yield http


async def _login(client: httpx.AsyncClient, key: Keypair) -> dict:
    answer = await client.get("/api/auth/nonce", params={"pubkey": str(key.pubkey())})
    assert answer.status_code == 200
    message = answer.json()["message"]
    body = {
        "pubkey": str(key.pubkey()),
        "message": message,
        "signature": str(key.sign_message(message.encode())),
    }
    return (await client.post("/api/auth/verify", json=body)).json()


async def test_health_and_security_headers(client: httpx.AsyncClient) -> None:
    answer = await client.get("/health")
    assert answer.json() == {"status": "ok"}
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["cache-control"] == "no-store"


async def test_request_log_has_the_path_but_not_the_query(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    key = str(Keypair().pubkey())
    with caplog.at_level(logging.INFO, logger="quantdesk.access"):
        answer = await client.get("/api/auth/nonce", params={"pubkey": key})
        missing = await client.get("/api/nowhere")
    records = [r for r in caplog.records if r.name == "quantdesk.access"]
    assert [(r.path, r.status) for r in records] == [
        ("/api/auth/nonce", 200),
        ("/api/nowhere", 404),
    ]
    assert all(r.method == "GET" and r.ms >= 0 for r in records)
    assert key not in caplog.text and answer.headers["x-frame-options"] == "DENY"
    assert missing.headers["x-content-type-options"] == "nosniff"


async def test_login_then_private_route(client: httpx.AsyncClient) -> None:
    key = Keypair()
    tokens = await _login(client, key)
    assert tokens["expires_in"] == 900
    me = await client.get(
        "/api/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert me.json() == {"pubkey": str(key.pubkey())}


async def test_private_route_needs_a_valid_token(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    assert (await client.get("/api/auth/me")).json()["code"] == "invalid_token"
    tokens = await _login(client, Keypair())
    clock.advance(900_000)
    answer = await client.get(
        "/api/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert answer.status_code == 401 and answer.json()["code"] == "token_expired"
    renewed = await client.post(
        "/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert renewed.status_code == 200
    again = await client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert again.status_code == 401 and again.json()["code"] == "invalid_token"


async def test_a_replayed_login_is_refused(client: httpx.AsyncClient) -> None:
    key = Keypair()
    message = (await client.get("/api/auth/nonce", params={"pubkey": str(key.pubkey())})).json()
    body = {
        "pubkey": str(key.pubkey()),
        "message": message["message"],
        "signature": str(key.sign_message(message["message"].encode())),
    }
    assert (await client.post("/api/auth/verify", json=body)).status_code == 200
    replay = await client.post("/api/auth/verify", json=body)
    assert replay.status_code == 401 and replay.json()["code"] == "unknown_nonce"


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "code"),
    [
        ("get", "/api/auth/nonce", {"params": {"pubkey": "0" * 40}}, 400, "invalid_pubkey"),
        ("get", "/api/auth/nonce", {}, 422, "invalid_request"),
        ("post", "/api/auth/verify", {"content": b"{not json"}, 422, "invalid_request"),
        ("post", "/api/auth/verify", {"json": {"pubkey": 5}}, 422, "invalid_request"),
        ("get", "/api/markets/XRP-PERP", {}, 404, "unknown_market"),
        ("get", "/api/nowhere", {}, 404, "not_found"),
        ("delete", "/api/markets", {}, 405, "method_not_allowed"),
    ],
)
async def test_bad_requests_get_a_clear_error(client, method, path, kwargs, status, code) -> None:
    answer = await getattr(client, method)(path, **kwargs)
    assert answer.status_code == status
    body = answer.json()
    assert body["code"] == code and body["message"]


async def test_markets_travel_as_decimal_strings(client: httpx.AsyncClient) -> None:
    markets = (await client.get("/api/markets")).json()
    assert [m["symbol"] for m in markets][:3] == ["BTC-PERP", "ETH-PERP", "SOL-PERP"]
    sol = (await client.get("/api/markets/SOL-PERP")).json()
    assert sol["tick_size"] == "0.001" and sol["initial_margin_ratio"] == "0.1"


async def test_openapi_documents_errors(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    verify = spec["paths"]["/api/auth/verify"]["post"]
    assert {"401", "422"} <= set(verify["responses"])


class _Crashing:
    """A background task that fails at once."""

    async def run(self, stop) -> None:
        raise RuntimeError("feed exploded")


async def test_a_background_task_that_dies_is_logged(
    catalog: MarketCatalog, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(make_context(catalog, "quantdesk.test", b"k" * 32, clock), [_Crashing()])
    with caplog.at_level(logging.CRITICAL, logger="quantdesk.gateway"):
        async with app.router.lifespan_context(app):
            pass  # leaving waits for the background tasks, the failed one included
    [record] = [r for r in caplog.records if r.name == "quantdesk.gateway"]
    assert "_Crashing died" in record.getMessage() and "feed exploded" in caplog.text
