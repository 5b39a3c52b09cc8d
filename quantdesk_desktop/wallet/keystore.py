"""The wallet's secret key in the OS keyring, and nowhere else on disk.

One entry per connection profile (service ``quantdesk``, user ``wallet:<profile>``), holding
the base58 secret key as earlier versions wrote it. Keyring errors are reported by their
kind and the backend's own words when reading, but only by their kind when writing: a
backend's message about a value it refused could quote the value.
"""

from __future__ import annotations

import keyring
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError, KeyringLocked, NoKeyringError
from solders.keypair import Keypair

from quantdesk_desktop.wallet.errors import (
    KeyEntryUnreadable,
    KeystoreUnavailable,
    SecretFormatError,
)
from quantdesk_desktop.wallet.secret_formats import parse_base58_secret

SERVICE = "quantdesk"


class Keystore:
    """A profile's key in the OS keyring (the one `keyring` chose, or ``backend``)."""

    def __init__(self, profile: str, backend: KeyringBackend | None = None) -> None:
        self.profile = profile
        self.entry = f"wallet:{profile}"
        """The keyring's user name for this profile's key."""
        self._backend = backend

    @property
    def backend(self) -> KeyringBackend:
        """The keyring backend in use."""
        return self._backend if self._backend is not None else keyring.get_keyring()

    def backend_name(self) -> str:
        """The backend as a person knows it (``SecretService Keyring``, ``macOS Keyring``)."""
        return str(type(self.backend).name)

    def read(self) -> Keypair | None:
        """The stored key pair (None if there is none). `KeystoreUnavailable` when there
        is no usable keyring, `KeyEntryUnreadable` when its entry is not a key."""
        try:
            secret = self.backend.get_password(SERVICE, self.entry)
        except (KeyringError, OSError) as error:
            raise KeystoreUnavailable(f"no usable OS keyring ({_why(error)})") from None
        if secret is None:
            return None
        try:
            return parse_base58_secret(secret)
        except SecretFormatError as error:
            raise KeyEntryUnreadable(
                f"the keyring entry {SERVICE}/{self.entry} does not hold a key ({error})"
            ) from None

    def write(self, keypair: Keypair) -> None:
        """Store ``keypair`` in place of the profile's key, and read it back to be sure it
        is there before anything relies on it."""
        try:
            self.backend.set_password(SERVICE, self.entry, str(keypair))
        except (KeyringError, OSError) as error:
            raise KeystoreUnavailable(
                f"the keyring did not store the key ({type(error).__name__}); nothing changed"
            ) from None
        stored = self.read()
        if stored is None or stored.pubkey() != keypair.pubkey():
            raise KeystoreUnavailable("the keyring did not keep the key it was given")


def _why(error: Exception) -> str:
    """A keyring failure in a few words (the backend's own message can run to a page)."""
    if isinstance(error, NoKeyringError):
        return "no keyring service on this machine"
    if isinstance(error, KeyringLocked):
        return "the keyring is locked"
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {first_line[:160]}" if first_line else type(error).__name__
