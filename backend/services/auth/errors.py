"""Why a login or a token is refused."""

from __future__ import annotations

from enum import StrEnum


class AuthCode(StrEnum):
    """Machine-readable reasons; the gateway answers each with 401 (or 400 for bad input)."""

    INVALID_PUBKEY = "invalid_pubkey"
    INVALID_SIGNATURE_FORMAT = "invalid_signature_format"
    BAD_SIGNATURE = "bad_signature"
    UNKNOWN_NONCE = "unknown_nonce"
    EXPIRED = "expired"
    MESSAGE_MISMATCH = "message_mismatch"
    INVALID_TOKEN = "invalid_token"
    TOKEN_EXPIRED = "token_expired"


class AuthError(Exception):
    """A refused login or token, with a code and a sentence."""

    def __init__(self, code: AuthCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
