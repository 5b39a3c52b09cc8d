"""Single-use login nonces with an expiry; time is passed in."""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict

from backend.services.auth.one_use import MemoryOneUse, OneUseStore
from backend.services.auth.siws import SignInMessage


class NonceBook:
    """The sign-in messages handed out and not yet used, by nonce."""

    def __init__(
        self,
        domain: str,
        uri: str,
        lifetime_ms: int = 5 * 60 * 1000,
        store: OneUseStore | None = None,
    ) -> None:
        self.domain = domain
        self.uri = uri
        self.lifetime_ms = lifetime_ms
        self.store: OneUseStore = store or MemoryOneUse()

    async def issue(self, pubkey: str, now_ms: int) -> SignInMessage:
        """A fresh message for ``pubkey`` to sign."""
        nonce = secrets.token_urlsafe(16)
        message = SignInMessage(
            self.domain, pubkey, nonce, now_ms, now_ms + self.lifetime_ms, self.uri
        )
        await self.store.put(nonce, json.dumps(asdict(message)), message.expires_at_ms, now_ms)
        return message

    async def take(self, nonce: str, now_ms: int) -> SignInMessage | None:
        """Remove and return the message of ``nonce``: a nonce works once."""
        stored = await self.store.take(nonce, now_ms)
        return None if stored is None else SignInMessage(**json.loads(stored))
