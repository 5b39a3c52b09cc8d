"""The user's signing key: kept in the OS keyring, created on first use.

Where no keyring service exists (a headless machine), the key is kept in a file only the
user can read, in the workstation's data directory, and the workstation says so.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import keyring
from keyring.errors import KeyringError
from solders.keypair import Keypair

log = logging.getLogger("quantdesk.wallet")

SERVICE = "quantdesk"


@dataclass(frozen=True, slots=True)
class Wallet:
    """An ed25519 key pair and where it is kept."""

    keypair: Keypair
    stored_in: str
    """``keyring`` or the file's path."""

    @property
    def pubkey(self) -> str:
        """The public key, base58."""
        return str(self.keypair.pubkey())

    def sign(self, message: str) -> str:
        """The message's signature, base58."""
        return str(self.keypair.sign_message(message.encode()))


def load_wallet(profile: str, data_dir: Path) -> Wallet:
    """The profile's key from the keyring (or its file), created if there is none."""
    name = f"wallet:{profile}"
    try:
        secret = keyring.get_password(SERVICE, name)
        if secret is None:
            secret = str(Keypair())
            keyring.set_password(SERVICE, name, secret)
        return Wallet(Keypair.from_base58_string(secret), "keyring")
    except KeyringError as error:
        log.warning("no usable keyring (%s): the key is kept in a private file", error)
    path = data_dir / "wallets" / f"{profile}.key"
    if path.exists():
        return Wallet(Keypair.from_base58_string(path.read_text().strip()), str(path))
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    keypair = Keypair()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(str(keypair))
    return Wallet(keypair, str(path))
