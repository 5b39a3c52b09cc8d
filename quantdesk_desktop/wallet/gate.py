"""The gate every signature passes: approved by the user (the workstation's dialog) or,
for a sign-in to a backend on this machine, automatically; then recorded in the
session's `SignedLog`. A refusal raises `SigningRefused` and nothing is signed.

A sign-in is approved automatically when its backend was trusted (the embedded backend
the workstation started, or one the user chose not to be asked about again), or when
both the backend and the domain its message names are this machine (loopback): such a
signature can only sign in to a server that calls itself this machine, so a remote
server's challenge relayed through a local one is still shown to the user.
Transactions are never approved automatically.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from quantdesk_desktop.wallet.errors import SigningRefused
from quantdesk_desktop.wallet.signed_log import SignedEntry, SignedLog
from quantdesk_desktop.wallet.signing_request import RequestKind, SigningRequest

log = logging.getLogger("quantdesk.wallet")

BY_USER = "you"
EMBEDDED_BACKEND = "auto (own backend)"
"""A sign-in to the backend the workstation started."""
REMEMBERED_BACKEND = "auto (remembered backend)"
"""A sign-in to a backend the user chose not to be asked about again."""
LOOPBACK_BACKEND = "auto (this machine)"
"""A sign-in where the backend and its message's domain are this machine."""


@dataclass(frozen=True, slots=True)
class Decision:
    """The user's answer to a signing request."""

    approved: bool
    remember: bool = False
    """For a sign-in: don't ask again for this backend."""


class Approver(Protocol):
    """Shows a request to the user and waits for the answer (the workstation's dialog)."""

    async def __call__(self, request: SigningRequest) -> Decision: ...


def backend_key(url: str) -> str:
    """How a backend is named in the trusted list: its base URL without a trailing slash."""
    return url.strip().rstrip("/")


def is_loopback(url: str) -> bool:
    """Whether ``url`` (or a ``host[:port]`` domain) points at this machine."""
    host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SigningGate:
    """Approves (or refuses) each signing request and records each signature."""

    def __init__(
        self,
        approver: Approver | None = None,
        *,
        loopback_sign_in: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.approver = approver
        """Who asks the user (None: nobody can be asked)."""
        self.loopback_sign_in = loopback_sign_in
        """Sign in without asking where the backend and its message's domain are both
        this machine."""
        self.clock = clock
        self.signed = SignedLog()
        self.on_remember: Callable[[str], None] | None = None
        """Told the backend URL when the user ticks "don't ask again" (to save it)."""
        self._trusted: dict[str, str] = {}

    @classmethod
    def unattended(cls) -> SigningGate:
        """A gate with no one to ask (a script, a child process): sign-ins on this machine
        are approved, every other request is refused."""
        return cls(loopback_sign_in=True)

    def trust(self, backend_url: str, reason: str = REMEMBERED_BACKEND) -> None:
        """Sign in to ``backend_url`` from now on without asking (``reason`` is recorded
        with each such signature)."""
        self._trusted[backend_key(backend_url)] = reason

    def trusted(self, backend_url: str) -> str | None:
        """Why sign-ins to ``backend_url`` need no approval (None: they need it)."""
        return self._trusted.get(backend_key(backend_url))

    async def approve(self, request: SigningRequest) -> str:
        """Who or what approved ``request``; `SigningRefused` if it is not to be signed."""
        if request.kind is RequestKind.SIGN_IN and request.backend is not None:
            reason = self.trusted(request.backend)
            if reason is not None:
                return reason
            if self.loopback_sign_in and _on_this_machine(request):
                return LOOPBACK_BACKEND
        if self.approver is None:
            raise SigningRefused(
                f"not signed: {request.summary} needs your approval and there is no "
                "window to ask in; nothing was signed"
            )
        decision = await self.approver(request)
        if not decision.approved:
            log.info("signing refused by the user: %s", request.summary)
            raise SigningRefused(
                f"you refused to sign the {request.kind} ({request.summary}); nothing was signed"
            )
        if decision.remember and request.kind is RequestKind.SIGN_IN and request.backend:
            self.trust(request.backend, REMEMBERED_BACKEND)
            if self.on_remember is not None:
                self.on_remember(backend_key(request.backend))
        return BY_USER

    def record(self, request: SigningRequest, approval: str) -> SignedEntry:
        """Record a signature just made (logged by its summary: the full text is in the
        Wallet panel)."""
        entry = SignedEntry(
            self.clock(),
            request.kind,
            request.summary,
            request.text,
            request.signer,
            approval,
        )
        self.signed.add(entry)
        log.info("signed %s: %s (approval: %s)", request.kind, request.summary, approval)
        return entry


def _on_this_machine(request: SigningRequest) -> bool:
    """Whether a sign-in goes to a backend on this machine for a domain on this machine."""
    backend, domain = request.backend, request.domain
    return bool(backend and domain and is_loopback(backend) and is_loopback(domain))
