"""The session's record of every signature the wallet made (the Wallet panel's "Signed"
list). It holds what was signed, never a key."""

from __future__ import annotations

from dataclasses import dataclass

from quantdesk_desktop.wallet.signing_request import RequestKind

MAX_ENTRIES = 1_000
"""The oldest entries go beyond this (a session signs a few things, not thousands)."""


@dataclass(frozen=True, slots=True)
class SignedEntry:
    """One signature: when, what, and how it was approved."""

    at: float
    """Epoch seconds."""
    kind: RequestKind
    summary: str
    text: str
    signer: str
    approval: str
    """Who approved it: ``you``, or why it needed nobody (the workstation's own backend,
    a backend remembered as trusted)."""


class SignedLog:
    """The signatures of this session, oldest first."""

    def __init__(self) -> None:
        self.entries: list[SignedEntry] = []
        self.dropped = 0
        """How many old entries went to stay within `MAX_ENTRIES`."""
        self.version = 0
        """Moves with every new entry (the panel repaints when it moved)."""

    def add(self, entry: SignedEntry) -> None:
        """Record one signature."""
        self.entries.append(entry)
        if len(self.entries) > MAX_ENTRIES:
            del self.entries[0]
            self.dropped += 1
        self.version += 1
