"""The wallet's errors: each message tells the user what to do and never holds a secret."""

from __future__ import annotations


class WalletError(RuntimeError):
    """A wallet operation that did not happen; nothing was changed."""


class SecretFormatError(WalletError, ValueError):
    """An imported secret key that cannot be read (wrong length, not base58, not a
    Solana CLI keypair file, unreadable file)."""


class KeystoreUnavailable(WalletError):
    """No usable OS keyring: nothing can be stored in it."""


class KeyEntryUnreadable(WalletError):
    """The keyring answers, but its entry for the wallet is not a key."""


class ExportFailed(WalletError):
    """The key could not be written where the user asked."""


class SigningRefused(WalletError):
    """A signature was refused (by the user, or because nobody could be asked); nothing
    was signed."""
