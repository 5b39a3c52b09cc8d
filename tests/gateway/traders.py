"""Signed-in HTTP clients for the gateway tests."""

from __future__ import annotations

import httpx
from solders.keypair import Keypair


class Trader:
    """A signed-in HTTP client."""

    def __init__(self, http: httpx.AsyncClient, key: Keypair, token: str) -> None:
        self.http, self.key = http, key
        self.headers = {"Authorization": f"Bearer {token}"}

    async def get(self, path: str) -> httpx.Response:
        return await self.http.get(path, headers=self.headers)

    async def post(self, path: str, body: dict) -> httpx.Response:
        return await self.http.post(path, json=body, headers=self.headers)

    async def patch(self, path: str, body: dict) -> httpx.Response:
        return await self.http.patch(path, json=body, headers=self.headers)

    async def delete(self, path: str) -> httpx.Response:
        return await self.http.delete(path, headers=self.headers)


async def sign_in(http: httpx.AsyncClient, key: Keypair | None = None) -> Trader:
    """Log a wallet (a new one by default) in through the nonce flow."""
    key = key or Keypair()
    message = (await http.get("/api/auth/nonce", params={"pubkey": str(key.pubkey())})).json()
    body = {
        "pubkey": str(key.pubkey()),
        "message": message["message"],
        "signature": str(key.sign_message(message["message"].encode())),
    }
    tokens = (await http.post("/api/auth/verify", json=body)).json()
    return Trader(http, key, tokens["access_token"])
