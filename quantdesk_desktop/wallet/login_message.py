"""Signing the backend's Sign-In With Solana message (the nonce flow of `/api/auth`).

Only a sign-in message for this wallet's own address is signed: its first line asks to
sign in with a Solana account, its second is the address. Anything else (another
account's message, or bytes that are not a sign-in message at all) is refused.
"""

from __future__ import annotations

from quantdesk_desktop.wallet.errors import SigningRefused
from quantdesk_desktop.wallet.key import Wallet
from quantdesk_desktop.wallet.signing_request import RequestKind, SigningRequest

SIWS_FIRST_LINE_END = " wants you to sign in with your Solana account:"


def login_request(message: str, pubkey: str, backend_url: str) -> SigningRequest:
    """The request to sign ``message`` for ``backend_url``; `SigningRefused` if it is not
    a sign-in message for ``pubkey``."""
    lines = message.split("\n")
    if len(lines) < 2 or not lines[0].endswith(SIWS_FIRST_LINE_END):
        raise SigningRefused(
            f"the backend at {backend_url} sent something that is not a sign-in message; "
            "nothing was signed"
        )
    if lines[1].strip() != pubkey:
        raise SigningRefused(
            f"the backend at {backend_url} asked to sign in as another account "
            f"({lines[1].strip()[:44]}), not this wallet's {pubkey}; nothing was signed"
        )
    domain = lines[0][: -len(SIWS_FIRST_LINE_END)]
    return SigningRequest(
        RequestKind.SIGN_IN,
        f"Sign in to {domain} ({backend_url})",
        message,
        pubkey,
        backend_url,
        domain,
    )


async def sign_login(wallet: Wallet, message: str, backend_url: str) -> str:
    """The base58 signature of the sign-in ``message`` from ``backend_url``, once the
    wallet's gate approved it (`SigningRefused` otherwise, and nothing is signed)."""
    request = login_request(message, wallet.pubkey, backend_url)
    approval = await wallet.gate.approve(request)
    signature = wallet.keypair.sign_message(message.encode("utf-8"))
    wallet.gate.record(request, approval)
    return str(signature)
