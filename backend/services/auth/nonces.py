"""Single-use login nonces with an expiry; time is passed in."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from backend.services.auth.siws import SignInMessage


@dataclass(slots=True)
class NonceBook:
    """The sign-in messages handed out and not yet used, by nonce."""

    domain: str
    uri: str
    lifetime_ms: int = 5 * 60 * 1000
    max_pending: int = 100_000
    _pending: dict[str, SignInMessage] = field(default_factory=dict, init=False, repr=False)

    def issue(self, pubkey: str, now_ms: int) -> SignInMessage:
        """A fresh message for ``pubkey`` to sign."""
        if len(self._pending) >= self.max_pending:
            self.forget_expired(now_ms)
        nonce = secrets.token_urlsafe(16)
        message = SignInMessage(
            self.domain, pubkey, nonce, now_ms, now_ms + self.lifetime_ms, self.uri
        )
        self._pending[nonce] = message
        return message

    def take(self, nonce: str) -> SignInMessage | None:
        """Remove and return the message of ``nonce``: a nonce works once."""
        return self._pending.pop(nonce, None)

    def forget_expired(self, now_ms: int) -> None:
        """Drop messages past their expiry."""
        for nonce in [n for n, m in self._pending.items() if m.expires_at_ms <= now_ms]:
            del self._pending[nonce]
