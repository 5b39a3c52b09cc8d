"""A real keyring backend that keeps its entries in one JSON file (mode 0600), for the
tests: `keyring` calls it exactly as it calls the OS keyring. Child processes find the
same file through ``PYTHON_KEYRING_BACKEND`` and ``QUANTDESK_TEST_KEYRING``
(`configure_environment`)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import keyring
from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import KeyringLocked, PasswordDeleteError

PATH_VARIABLE = "QUANTDESK_TEST_KEYRING"
BACKEND_NAME = f"{__name__}.FileKeyring"


class FileKeyring(KeyringBackend):
    """Passwords by service and user name in a JSON file."""

    @properties.classproperty
    def priority(cls) -> float:  # noqa: N805 (a class property)
        """Only where a test asked for it (never chosen by `keyring` on its own)."""
        if PATH_VARIABLE not in os.environ:
            raise RuntimeError(f"{PATH_VARIABLE} is not set")
        return 0.5

    def __init__(self, path: Path | None = None) -> None:
        super().__init__()
        self.path = path if path is not None else Path(os.environ[PATH_VARIABLE])

    def _entries(self) -> dict[str, dict[str, str]]:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}

    def _save(self, entries: dict[str, dict[str, str]]) -> None:
        scratch = self.path.with_suffix(".tmp")
        descriptor = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(entries, file)
        scratch.replace(self.path)

    def get_password(self, service: str, username: str) -> str | None:
        """The stored password (None if there is none)."""
        return self._entries().get(service, {}).get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        """Store a password in place of the last."""
        entries = self._entries()
        entries.setdefault(service, {})[username] = password
        self._save(entries)

    def delete_password(self, service: str, username: str) -> None:
        """Forget a password (`PasswordDeleteError` if there was none)."""
        entries = self._entries()
        if username not in entries.get(service, {}):
            raise PasswordDeleteError(f"no password for {username} in {service}")
        del entries[service][username]
        self._save(entries)


def configure_environment(path: Path) -> dict[str, str]:
    """The environment variables that make `keyring` (in this process once reloaded, and
    in child processes) use a `FileKeyring` at ``path``."""
    return {"PYTHON_KEYRING_BACKEND": BACKEND_NAME, PATH_VARIABLE: str(path)}


class LockedKeyring(FileKeyring):
    """A keyring the user has not unlocked: every read fails."""

    def get_password(self, service: str, username: str) -> str | None:
        """Refused: the keyring is locked."""
        raise KeyringLocked("the keyring is locked")


@contextmanager
def keyring_in(backend: KeyringBackend) -> Iterator[KeyringBackend]:
    """Use ``backend`` as the process's keyring inside the block, then the previous one."""
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
