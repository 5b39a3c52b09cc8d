"""Sign-In With Solana messages: what the wallet signs, and checking the signature.

The message follows the SIWS text layout (domain, address, statement, URI, version,
chain, nonce, issued-at, expiry), so a wallet shows the user exactly what they sign.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from solders.pubkey import Pubkey
from solders.signature import Signature

from backend.services.auth.errors import AuthCode, AuthError

STATEMENT = "Sign in to QuantDesk. This request will not trigger a transaction or cost any fees."


@dataclass(frozen=True, slots=True)
class SignInMessage:
    """The fields of one sign-in request."""

    domain: str
    address: str
    nonce: str
    issued_at_ms: int
    expires_at_ms: int
    uri: str
    chain_id: str = "mainnet"

    def text(self) -> str:
        """The exact text the wallet signs (UTF-8 bytes of it)."""
        return (
            f"{self.domain} wants you to sign in with your Solana account:\n"
            f"{self.address}\n\n"
            f"{STATEMENT}\n\n"
            f"URI: {self.uri}\n"
            f"Version: 1\n"
            f"Chain ID: {self.chain_id}\n"
            f"Nonce: {self.nonce}\n"
            f"Issued At: {_iso(self.issued_at_ms)}\n"
            f"Expiration Time: {_iso(self.expires_at_ms)}"
        )


def _iso(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def parse_pubkey(text: str) -> Pubkey:
    """A base58 ed25519 public key, or `AuthError`."""
    try:
        return Pubkey.from_string(text)
    except (ValueError, TypeError):
        raise AuthError(
            AuthCode.INVALID_PUBKEY, "pubkey is not a base58 Solana public key"
        ) from None


def verify_signature(pubkey: str, message: str, signature: str) -> None:
    """Raise `AuthError` unless ``signature`` (base58) signs ``message`` for ``pubkey``."""
    key = parse_pubkey(pubkey)
    try:
        parsed = Signature.from_string(signature)
    except (ValueError, TypeError):
        raise AuthError(
            AuthCode.INVALID_SIGNATURE_FORMAT, "signature is not a base58 ed25519 signature"
        ) from None
    if not parsed.verify(key, message.encode("utf-8")):
        raise AuthError(AuthCode.BAD_SIGNATURE, "the signature does not match this message and key")
