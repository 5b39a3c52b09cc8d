"""The backend's REST API (`/api/*`), signed in with the wallet."""

from __future__ import annotations

import time
from typing import Any

import httpx

from quantdesk_desktop.client.wallet import Wallet
from quantdesk_desktop.wallet.login_message import sign_login

REFRESH_MARGIN_S = 30.0
"""Renew the access token this long before it expires."""


class ApiError(RuntimeError):
    """The server refused a request: its code, message and the field concerned."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field


class RestClient:
    """One backend's REST API."""

    def __init__(self, base_url: str, timeout_s: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        # plain HTTP needs no certificate store (loading it costs a tenth of a second)
        verify = self.base_url.startswith("https://")
        self.http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout_s, verify=verify)
        self.access_token: str | None = None
        self._refresh_token: str | None = None
        self._expires_at = 0.0

    async def aclose(self) -> None:
        """Close the connections."""
        await self.http.aclose()

    async def sign_in(self, wallet: Wallet) -> str:
        """The Sign-In With Solana flow: sign the server's message once the wallet's gate
        approved it (`SigningRefused` if not: nothing is signed); the access token."""
        challenge = await self._call("GET", "/api/auth/nonce", params={"pubkey": wallet.pubkey})
        message = challenge["message"]
        body = {
            "pubkey": wallet.pubkey,
            "message": message,
            "signature": await sign_login(wallet, message, self.base_url),
        }
        self._take_tokens(await self._call("POST", "/api/auth/verify", json=body))
        assert self.access_token is not None
        return self.access_token

    async def fresh_token(self) -> str | None:
        """The access token, renewed first if it is about to expire."""
        if self._refresh_token and time.monotonic() > self._expires_at - REFRESH_MARGIN_S:
            body = {"refresh_token": self._refresh_token}
            self._take_tokens(await self._call("POST", "/api/auth/refresh", json=body))
        return self.access_token

    def _take_tokens(self, tokens: dict) -> None:
        self.access_token = tokens["access_token"]
        self._refresh_token = tokens["refresh_token"]
        self._expires_at = time.monotonic() + tokens["expires_in"]
        self.http.headers["Authorization"] = f"Bearer {self.access_token}"

    async def markets(self) -> list[dict]:
        """Every market's specification."""
        return await self._call("GET", "/api/markets")

    async def tickers(self) -> list[dict]:
        """Every market's ticker."""
        return await self._call("GET", "/api/markets/tickers")

    async def candles(
        self, market: str, interval: str, limit: int = 1_000, end_ms: int | None = None
    ) -> list[dict]:
        """A market's candles, oldest first."""
        params: dict[str, Any] = {"interval": interval, "limit": limit}
        if end_ms is not None:
            params["end_ms"] = end_ms
        return await self._call("GET", f"/api/markets/{market}/candles", params=params)

    async def public_trades(self, market: str, limit: int = 200) -> list[dict]:
        """A market's latest trades, newest first."""
        return await self._call("GET", f"/api/markets/{market}/trades", params={"limit": limit})

    async def open_orders(self) -> list[dict]:
        """The account's working orders."""
        return await self._call("GET", "/api/orders")

    async def balances(self) -> list[dict]:
        """The account's collateral balances (asset and amount)."""
        return await self._call("GET", "/api/account/balances")

    async def positions(self) -> list[dict]:
        """The account's open positions."""
        return await self._call("GET", "/api/positions")

    async def risk(self) -> dict:
        """The account's margin state."""
        return await self._call("GET", "/api/risk")

    async def deposit(self, asset: str, amount: str) -> list[dict]:
        """Deposit collateral (``amount`` as decimal text); the balances after."""
        body = {"asset": asset, "amount": amount}
        return await self._call("POST", "/api/account/deposit", json=body)

    async def withdraw(self, asset: str, amount: str) -> list[dict]:
        """Withdraw collateral (refused if initial margin would not hold); the balances
        after."""
        body = {"asset": asset, "amount": amount}
        return await self._call("POST", "/api/account/withdraw", json=body)

    async def chain(self) -> dict:
        """How the backend settles (``settlement``: ``local`` or ``solana``)."""
        return await self._call("GET", "/api/chain")

    async def chain_transfer(self, kind: str, asset: str, amount: str) -> dict:
        """The unsigned transaction of an on-chain deposit or withdrawal, and its summary."""
        body = {"kind": kind, "asset": asset, "amount": amount}
        return await self._call("POST", "/api/chain/transfers", json=body)

    async def submit_chain_transfer(self, transaction: str, timeout_s: float) -> dict:
        """Submit a signed transfer (base64); answered once the chain confirmed it."""
        body = {"transaction": transaction}
        return await self._call("POST", "/api/chain/transfers/submit", json=body, timeout=timeout_s)

    async def pnl(self) -> dict:
        """Realised and unrealised PnL, fees and funding per market and in total."""
        return await self._call("GET", "/api/account/pnl")

    async def equity(
        self, start_ms: int | None = None, end_ms: int | None = None, limit: int = 1_000
    ) -> list[dict]:
        """The account's equity points in [start_ms, end_ms) (the last ``limit``), oldest
        first."""
        params: dict[str, Any] = {"limit": limit}
        params |= {k: v for k, v in (("start_ms", start_ms), ("end_ms", end_ms)) if v is not None}
        return await self._call("GET", "/api/account/equity", params=params)

    async def funding_payments(
        self, before_id: int | None = None, limit: int = 200, market: str | None = None
    ) -> list[dict]:
        """Funding paid or received, newest first, below ``before_id`` when given."""
        params: dict[str, Any] = {"limit": limit}
        params |= {k: v for k, v in (("before_id", before_id), ("market", market)) if v is not None}
        return await self._call("GET", "/api/account/funding", params=params)

    async def place_order(self, order: dict) -> dict:
        """Place an order (the body of `POST /api/orders`)."""
        return await self._call("POST", "/api/orders", json=order)

    async def cancel_order(self, order_id: int) -> dict:
        """Cancel a working order."""
        return await self._call("DELETE", f"/api/orders/{order_id}")

    async def cancel_all(self, market: str | None = None) -> list[dict]:
        """Cancel every working order (in ``market`` only, when given)."""
        params = {"market": market} if market else {}
        return await self._call("DELETE", "/api/orders", params=params)

    async def order_history(
        self, market: str | None = None, limit: int = 200, cursor: str | None = None
    ) -> dict:
        """Finished orders, newest first (a page with ``next_cursor``; pass it back as
        ``cursor`` for the next)."""
        params: dict[str, Any] = {"limit": limit} | ({"market": market} if market else {})
        if cursor is not None:
            params["cursor"] = cursor
        return await self._call("GET", "/api/orders/history", params=params)

    async def modify_order(self, order_id: int, price: str | None, size: str | None) -> dict:
        """Change a resting order's price and/or size (decimal text)."""
        body = {k: v for k, v in (("price", price), ("size", size)) if v is not None}
        return await self._call("PATCH", f"/api/orders/{order_id}", json=body)

    async def fills_after(self, cursor: int, limit: int = 500) -> dict:
        """Own fills with a trade id above ``cursor``, oldest first (``trades`` and
        ``next_cursor``)."""
        return await self._call("GET", "/api/trades", params={"cursor": cursor, "limit": limit})

    async def order_changes(self, cursor: str | None, limit: int = 500) -> dict:
        """Orders changed after ``cursor``, oldest change first (``orders``, ``next_cursor``)."""
        params: dict[str, Any] = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        return await self._call("GET", "/api/sync/orders", params=params)

    async def funding_after(self, cursor: int, limit: int = 500) -> dict:
        """Funding payments with an id above ``cursor``, oldest first."""
        params = {"cursor": cursor, "limit": limit}
        return await self._call("GET", "/api/sync/funding", params=params)

    async def liquidations_after(self, cursor: int, limit: int = 500) -> dict:
        """Liquidated slices of the account's positions with an id above ``cursor``."""
        params = {"cursor": cursor, "limit": limit}
        return await self._call("GET", "/api/sync/liquidations", params=params)

    async def transfers_after(self, cursor: int, limit: int = 500) -> dict:
        """The account's deposits and withdrawals with an id above ``cursor``."""
        params = {"cursor": cursor, "limit": limit}
        return await self._call("GET", "/api/sync/transfers", params=params)

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            answer = await self.http.request(method, path, **kwargs)
        except httpx.TransportError as error:
            raise ApiError(0, "unreachable", f"{self.base_url} unreachable: {error}") from error
        if answer.status_code >= 400:
            try:
                body = answer.json()
            except ValueError:
                body = {}
            raise ApiError(
                answer.status_code,
                body.get("code", f"http_{answer.status_code}"),
                body.get("message", answer.text[:200]),
                body.get("field"),
            )
        return answer.json()
