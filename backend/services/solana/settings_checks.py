"""Checks of the Solana settings' values, light enough for the settings module to import."""

from __future__ import annotations

from urllib.parse import urlsplit

from backend.services.solana.errors import InvalidRpcUrl


def check_rpc_url(url: str) -> str:
    """``url`` if it is an http(s) URL with a host; else ``InvalidRpcUrl`` saying why."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise InvalidRpcUrl(
            f"the Solana RPC URL {url!r} must start with http:// or https:// "
            "(a JSON-RPC endpoint such as https://api.devnet.solana.com)"
        )
    try:
        port = parts.port
    except ValueError:
        port = -1
    if not parts.hostname or port == -1:
        raise InvalidRpcUrl(f"the Solana RPC URL {url!r} has no valid host and port")
    return url.strip()


def check_program_id(text: str) -> str:
    """``text`` if it is a base58 public key; else ``ValueError`` saying why."""
    from solders.pubkey import Pubkey  # only in solana mode: the local default skips solders

    try:
        Pubkey.from_string(text)
    except ValueError:
        raise ValueError(
            f"the Solana program id {text!r} is not a base58 public key (32 bytes)"
        ) from None
    return text
