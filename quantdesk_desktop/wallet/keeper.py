"""The session's wallet: loads the profile's key from the keyring (created on first use,
moved in from an old key file), replaces it with a created or imported one, exports it,
and holds the gate every signature passes.

With no usable keyring the workstation still runs: on the old key file's key, read-only,
if there is one, else on a key that lives in memory for this session only. Either way
the log and the Wallet panel say so (never with the secret).
"""

from __future__ import annotations

import logging
from pathlib import Path

from solders.keypair import Keypair

from quantdesk_desktop.wallet.errors import (
    KeyEntryUnreadable,
    KeystoreUnavailable,
    SecretFormatError,
)
from quantdesk_desktop.wallet.gate import SigningGate
from quantdesk_desktop.wallet.key import KeyStorage, Wallet
from quantdesk_desktop.wallet.keystore import Keystore
from quantdesk_desktop.wallet.legacy_key_file import (
    legacy_key_path,
    read_legacy_key,
    remove_legacy_key,
)
from quantdesk_desktop.wallet.secret_formats import (
    parse_base58_secret,
    read_keypair_file,
    write_keypair_file,
)

log = logging.getLogger("quantdesk.wallet")


class WalletKeeper:
    """One profile's wallet key, where it is kept, and what may be done with it."""

    def __init__(
        self,
        profile: str,
        data_dir: Path,
        keystore: Keystore | None = None,
        gate: SigningGate | None = None,
    ) -> None:
        self.profile = profile
        self.legacy_path = legacy_key_path(data_dir, profile)
        self.keystore = keystore or Keystore(profile)
        self.gate = gate or SigningGate.unattended()
        self.wallet: Wallet | None = None
        """The key held now (the keyring's, once replaced the new one)."""
        self.loaded: Wallet | None = None
        """The key loaded at start: the one this session signs in with."""
        self.problem = ""
        """Why the key is not in the keyring, or what needs the user's attention (empty:
        nothing)."""
        self.keyring_usable = False
        """Whether the keyring answered: only then can a key be created or imported."""
        self.version = 0
        """Moves whenever the key or `problem` changes (the panel repaints)."""

    # -- loading ----------------------------------------------------------------------

    def load(self) -> Wallet:
        """The profile's key: from the keyring (created there on first use, or moved in
        from an old key file), else the old file's for this session, else a new key for
        this session only."""
        self.keyring_usable = True
        try:
            stored = self.keystore.read()
        except KeystoreUnavailable as error:
            wallet = self._without_keyring(str(error))
        except KeyEntryUnreadable as error:
            self.problem = (
                f"{_capital(str(error))}. This session uses a temporary key; Create or Import "
                "replaces the entry."
            )
            log.warning("%s: this session uses a temporary key", error)
            wallet = self._session_key()
        else:
            wallet = self._from_keyring(stored)
        self.wallet = self.loaded = wallet
        self.version += 1
        return wallet

    def _from_keyring(self, stored: Keypair | None) -> Wallet:
        try:
            old = read_legacy_key(self.legacy_path)
        except SecretFormatError as error:
            log.warning("%s: the old key file is left in place", error)
            old = None
        if stored is None:
            keypair = old if old is not None else Keypair()
            try:
                self.keystore.write(keypair)
            except KeystoreUnavailable as error:
                return self._without_keyring(str(error))
            if old is not None:
                log.info(
                    "wallet key %s moved from the old key file %s into the keyring",
                    keypair.pubkey(),
                    self.legacy_path,
                )
                if remove_legacy_key(self.legacy_path):
                    log.info("the old key file %s is deleted", self.legacy_path)
            else:
                log.info("new wallet key %s created in the keyring", keypair.pubkey())
            stored = keypair
        elif old is not None and old.pubkey() == stored.pubkey():
            remove_legacy_key(self.legacy_path)
            log.info("the old key file %s held the keyring's key: deleted", self.legacy_path)
        elif old is not None:
            self.problem = (
                f"The old key file {self.legacy_path} holds another key ({old.pubkey()}) "
                "than the keyring's; it is left in place. Import it here if you need it."
            )
            log.warning(
                "the old key file %s holds another key (%s) than the keyring's: left in place",
                self.legacy_path,
                old.pubkey(),
            )
        return Wallet(stored, KeyStorage.KEYRING, self.keystore.backend_name(), self.gate)

    def _without_keyring(self, reason: str) -> Wallet:
        self.keyring_usable = False
        try:
            old = read_legacy_key(self.legacy_path)
        except SecretFormatError as error:
            log.warning("%s", error)
            old = None
        if old is not None:
            self.problem = (
                f"{_capital(reason)}: the key comes from the old key file, read-only for this "
                "session; it moves into the keyring once there is one."
            )
            log.warning(
                "%s: wallet key %s read from the old key file %s for this session",
                reason,
                old.pubkey(),
                self.legacy_path,
            )
            return Wallet(old, KeyStorage.LEGACY_FILE, str(self.legacy_path), self.gate)
        self.problem = (
            f"{_capital(reason)}: the key lives in memory for this session only. Export it "
            "to keep it; Create and Import need a keyring."
        )
        wallet = self._session_key()
        log.warning(
            "%s: wallet key %s lives in memory for this session only (export it from the "
            "Wallet panel to keep it)",
            reason,
            wallet.pubkey,
        )
        return wallet

    def _session_key(self) -> Wallet:
        return Wallet(Keypair(), KeyStorage.SESSION, "", self.gate)

    # -- replacing ----------------------------------------------------------------------

    def replace(self, keypair: Keypair) -> Wallet:
        """Keep ``keypair`` in the keyring in place of the current key (which is gone
        unless exported). This session stays signed in as before; the new key signs in
        from the next start. `KeystoreUnavailable` (and nothing changed) with no keyring."""
        self.keystore.write(keypair)
        self.wallet = Wallet(keypair, KeyStorage.KEYRING, self.keystore.backend_name(), self.gate)
        self.problem = ""
        self.version += 1
        log.info("wallet key replaced: %s is now in the keyring", keypair.pubkey())
        return self.wallet

    def create(self) -> Wallet:
        """A new key in place of the current one."""
        return self.replace(Keypair())

    def import_secret(self, text: str) -> Wallet:
        """The base58 secret key ``text`` in place of the current key."""
        return self.replace(parse_base58_secret(text))

    def import_file(self, path: Path) -> Wallet:
        """The key of a Solana CLI keypair file in place of the current key."""
        return self.replace(read_keypair_file(path))

    # -- exporting ----------------------------------------------------------------------

    def export_file(self, path: Path) -> None:
        """Write the current key as a Solana CLI keypair file only its owner can read."""
        wallet = self._current()
        write_keypair_file(wallet.keypair, path)
        log.info("wallet key %s exported to %s", wallet.pubkey, path)

    def reveal_secret(self) -> str:
        """The current key's base58 secret, for the screen only (the user asked, and
        confirmed)."""
        wallet = self._current()
        log.info("the secret key of wallet %s was shown on screen", wallet.pubkey)
        return str(wallet.keypair)

    def _current(self) -> Wallet:
        if self.wallet is None:
            raise RuntimeError("no wallet loaded yet")
        return self.wallet


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


_installed: list[WalletKeeper] = []
"""The workstation's keeper (one slot), for the Wallet panel."""


def install(keeper: WalletKeeper) -> None:
    """Make ``keeper`` the workstation's wallet (what the Wallet panel shows)."""
    _installed[:] = [keeper]


def installed() -> WalletKeeper | None:
    """The workstation's wallet keeper (None before one is loaded)."""
    return _installed[0] if _installed else None
