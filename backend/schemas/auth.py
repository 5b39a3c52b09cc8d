"""Login bodies: nonce, verify, refresh."""

from __future__ import annotations

from pydantic import BaseModel, Field


class NonceAnswer(BaseModel):
    """The message to sign for a public key."""

    nonce: str
    message: str


class VerifyBody(BaseModel):
    """A signed sign-in message."""

    pubkey: str = Field(min_length=32, max_length=44, description="base58 ed25519 public key")
    message: str = Field(min_length=1, max_length=2_000)
    signature: str = Field(min_length=64, max_length=100, description="base58 signature")


class RefreshBody(BaseModel):
    """A refresh token to trade for a new pair."""

    refresh_token: str = Field(min_length=16, max_length=200)


class TokensAnswer(BaseModel):
    """A session."""

    access_token: str
    refresh_token: str
    expires_in: int = Field(description="seconds the access token lives")
