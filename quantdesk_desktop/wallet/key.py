"""The wallet: an ed25519 key pair, where it is kept, and the gate its signatures pass.

Its ``repr`` and ``str`` show the public key only: a solders `Keypair`'s ``str`` is the
base58 secret key and its ``repr`` lists the secret's bytes, so the key pair is kept out
of both (and out of any log line or crash report that formats a wallet).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from solders.keypair import Keypair

from quantdesk_desktop.wallet.gate import SigningGate


class KeyStorage(StrEnum):
    """Where the secret key lives."""

    KEYRING = "keyring"
    SESSION = "session"
    """In memory only: lost when the workstation closes (no usable keyring)."""
    LEGACY_FILE = "legacy file"
    """A key file an earlier version wrote where there was no keyring, read for this
    session only (it moves into the keyring as soon as there is one)."""


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Wallet:
    """An ed25519 key pair, where it is kept, and the gate its signatures pass."""

    keypair: Keypair
    storage: KeyStorage = KeyStorage.SESSION
    where: str = ""
    """The keyring backend's name, or the legacy file's path."""
    gate: SigningGate = field(default_factory=SigningGate.unattended)

    @property
    def pubkey(self) -> str:
        """The public key, base58."""
        return str(self.keypair.pubkey())

    @property
    def stored_in(self) -> str:
        """Where the key is kept, for a person."""
        if self.storage is KeyStorage.KEYRING:
            return f"OS keyring ({self.where})" if self.where else "OS keyring"
        if self.storage is KeyStorage.LEGACY_FILE:
            return f"old key file {self.where} (read-only, this session)"
        return "this session only (lost when the workstation closes)"

    @property
    def persistent(self) -> bool:
        """Whether the key outlives this session where it is kept."""
        return self.storage is not KeyStorage.SESSION

    def __repr__(self) -> str:
        return f"Wallet(pubkey={self.pubkey}, stored_in={self.stored_in!r})"

    __str__ = __repr__

    def __reduce__(self) -> object:
        raise TypeError("a wallet is not pickled: its key stays in the keyring")
