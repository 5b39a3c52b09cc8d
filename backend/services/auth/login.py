"""The login flow: nonce for a public key, then a signed message for tokens."""

from __future__ import annotations

from dataclasses import dataclass

from backend.services.auth.errors import AuthCode, AuthError
from backend.services.auth.nonces import NonceBook
from backend.services.auth.sessions import SessionIssuer, Tokens
from backend.services.auth.siws import SignInMessage, parse_pubkey, verify_signature


@dataclass(slots=True)
class LoginService:
    """Hands out sign-in messages and exchanges signed ones for a session."""

    nonces: NonceBook
    sessions: SessionIssuer

    async def challenge(self, pubkey: str, now_ms: int) -> SignInMessage:
        """The message ``pubkey`` must sign to log in."""
        parse_pubkey(pubkey)
        return await self.nonces.issue(pubkey, now_ms)

    async def verify(self, pubkey: str, message: str, signature: str, now_ms: int) -> Tokens:
        """Tokens for a message we issued, signed by its own key, before it expired.

        A nonce is spent by the first correctly signed attempt, so a signed message cannot
        be replayed; a bad signature spends nothing.
        """
        verify_signature(pubkey, message, signature)
        nonce = _nonce_of(message)
        issued = await self.nonces.take(nonce, now_ms)
        if issued is None:
            raise AuthError(
                AuthCode.UNKNOWN_NONCE, "unknown, expired or already used nonce; ask a new one"
            )
        if issued.text() != message or issued.address != pubkey:
            raise AuthError(
                AuthCode.MESSAGE_MISMATCH, "the signed message is not the one issued for this key"
            )
        if issued.expires_at_ms <= now_ms:
            raise AuthError(AuthCode.EXPIRED, "the sign-in message has expired; ask a new one")
        return await self.sessions.issue(pubkey, now_ms)


def _nonce_of(message: str) -> str:
    for line in message.splitlines():
        if line.startswith("Nonce: "):
            return line.removeprefix("Nonce: ").strip()
    return ""
