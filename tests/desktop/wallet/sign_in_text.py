"""Sign-in messages exactly as the backend writes them (its own `SignInMessage`)."""

from __future__ import annotations

from backend.services.auth.siws import SignInMessage

NOW_MS = 1_767_225_600_000
LOCAL = "http://127.0.0.1:8765"
"""A backend on this machine."""


def sign_in_message(domain: str, address: str, nonce: str = "n0nce") -> str:
    """The text a backend calling itself ``domain`` asks ``address`` to sign."""
    return SignInMessage(
        domain, address, nonce, NOW_MS, NOW_MS + 300_000, f"https://{domain}"
    ).text()
