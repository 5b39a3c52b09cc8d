"""The chain routes on a server that settles on its local ledger (the embedded default):
`GET /api/chain` says so, and the on-chain transfer routes refuse with a sentence that
points at the paper routes; plus the RPC URL a solana-mode server shows the public."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import Engine

from backend.domain.markets import MarketCatalog
from backend.gateway.app import create_app
from backend.gateway.context import make_context
from backend.gateway.routes.chain import public_url
from backend.services.clock import ManualClock
from backend.services.trading.service import TradingService
from tests.gateway.traders import sign_in


@pytest.fixture
async def http(catalog: MarketCatalog, db: Engine) -> AsyncIterator[httpx.AsyncClient]:
    clock = ManualClock(1_790_000_000_000)
    trading = TradingService(catalog, db, clock)
    context = make_context(catalog, "quantdesk.test", b"k" * 32, clock, trading=trading)
    transport = httpx.ASGITransport(app=create_app(context))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield client


async def test_a_local_server_says_it_settles_on_its_own_ledger(http: httpx.AsyncClient) -> None:
    answer = await http.get("/api/chain")

    assert answer.status_code == 200
    assert answer.json() == {
        "settlement": "local",
        "program_id": None,
        "rpc_url": None,
        "commitment": None,
        "assets": [],
    }


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/chain/transfers", {"kind": "deposit", "asset": "USDC", "amount": "100"}),
        ("/api/chain/transfers/submit", {"transaction": "AQID"}),
    ],
)
async def test_on_chain_transfers_are_refused_with_a_pointer_to_the_paper_routes(
    http: httpx.AsyncClient, path: str, body: dict
) -> None:
    trader = await sign_in(http)
    before = (await trader.get("/api/account/balances")).json()

    refused = await trader.post(path, body)

    assert refused.status_code == 409
    assert refused.json()["code"] == "chain_settlement_off"
    assert "/api/account/deposit" in refused.json()["message"]
    assert (await trader.get("/api/account/balances")).json() == before


async def test_the_transfer_routes_need_a_signed_in_wallet(http: httpx.AsyncClient) -> None:
    body = {"kind": "deposit", "asset": "USDC", "amount": "100"}

    answer = await http.post("/api/chain/transfers", json=body)

    assert answer.status_code == 401


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://api.mainnet-beta.solana.com", "https://api.mainnet-beta.solana.com"),
        ("https://rpc.example.com/?api-key=SECRET", "https://rpc.example.com/"),
        ("https://user:SECRET@rpc.example.com:8899/v1#x", "https://rpc.example.com:8899/v1"),
        ("http://[::1]:8899", "http://[::1]:8899"),
    ],
)
def test_the_rpc_url_is_shown_without_credentials(url: str, shown: str) -> None:
    assert public_url(url) == shown
