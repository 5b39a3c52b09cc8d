"""What the wallet is asked to sign, as the user sees it before signing."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RequestKind(StrEnum):
    """What kind of thing is signed."""

    SIGN_IN = "sign-in message"
    TRANSACTION = "transaction"


@dataclass(frozen=True, slots=True)
class SigningRequest:
    """One thing to sign, described for a person."""

    kind: RequestKind
    summary: str
    """One plain-language line: "Sign in to https://desk.example", "Deposit 100 USDC"."""
    text: str
    """What is signed, in full: the sign-in message as the backend sent it, or the
    transaction decoded (fee payer, blockhash, every instruction)."""
    signer: str
    """The wallet's public key (base58)."""
    backend: str | None = None
    """The backend asking (its base URL), for sign-ins."""
    domain: str | None = None
    """The domain a sign-in message names (what the signature signs in to)."""
