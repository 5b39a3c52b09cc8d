"""The forms a secret key can take in text or bytes, to prove none of them leaked."""

from __future__ import annotations

import json

from solders.keypair import Keypair


def secret_forms(keypair: Keypair) -> list[bytes]:
    """The secret key as base58, hex, the JSON array `solana-keygen` writes, the list a
    ``repr`` prints, and its raw bytes (the seed half alone too)."""
    raw = bytes(keypair)
    seed = raw[:32]
    return [
        str(keypair).encode(),
        raw.hex().encode(),
        seed.hex().encode(),
        json.dumps(list(raw), separators=(",", ":")).encode(),
        ", ".join(str(b) for b in seed[:12]).encode(),
        raw,
        seed,
    ]


def leaked(keypair: Keypair, haystack: bytes | str) -> list[bytes]:
    """The forms of ``keypair``'s secret found in ``haystack``."""
    data = haystack.encode() if isinstance(haystack, str) else haystack
    return [form for form in secret_forms(keypair) if form in data]
