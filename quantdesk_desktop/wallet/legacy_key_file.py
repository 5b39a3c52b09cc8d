"""The key file earlier versions kept where there was no keyring
(``<data dir>/wallets/<profile>.key``, base58, mode 0600): read once more to move its
key into the keyring (then deleted), or to use it for a session when there still is no
keyring. Nothing writes such a file any more."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from solders.keypair import Keypair

from quantdesk_desktop.wallet.errors import SecretFormatError
from quantdesk_desktop.wallet.secret_formats import MAX_FILE_BYTES, parse_base58_secret

log = logging.getLogger("quantdesk.wallet")


def legacy_key_path(data_dir: Path, profile: str) -> Path:
    """Where an earlier version kept ``profile``'s key."""
    return data_dir / "wallets" / f"{profile}.key"


def read_legacy_key(path: Path) -> Keypair | None:
    """The key in the old file (None if there is none); `SecretFormatError` if the file
    cannot be read as a key."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise SecretFormatError(f"cannot read {path}: {error.strerror or error}") from None
    try:
        return parse_base58_secret(data.decode("ascii"))
    except (SecretFormatError, UnicodeDecodeError):
        raise SecretFormatError(f"{path} does not hold a base58 secret key") from None


def remove_legacy_key(path: Path) -> bool:
    """Delete the old file (and its folder if that is left empty); False, and logged, if
    it could not be deleted."""
    try:
        path.unlink(missing_ok=True)
    except OSError as error:
        log.warning("the old key file %s could not be deleted: %s", path, error.strerror)
        return False
    with contextlib.suppress(OSError):  # other profiles' files may still be there
        path.parent.rmdir()
    return True
