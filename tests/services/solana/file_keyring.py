"""A real keyring backend that keeps its entries in one JSON file, for tests that need
the OS keyring without touching the machine's own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import keyring
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError


class FileKeyring(KeyringBackend):
    """Entries as ``{service: {name: secret}}`` in ``path``, read and written on each call."""

    priority = 1  # type: ignore[assignment]

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def _entries(self) -> dict[str, dict[str, str]]:
        return json.loads(self.path.read_text()) if self.path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._entries().get(service, {}).get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        entries = self._entries()
        entries.setdefault(service, {})[username] = password
        self.path.write_text(json.dumps(entries))

    def delete_password(self, service: str, username: str) -> None:
        entries = self._entries()
        if username not in entries.get(service, {}):
            raise PasswordDeleteError(f"no {username!r} under {service!r}")
        del entries[service][username]
        self.path.write_text(json.dumps(entries))


class LockedKeyring(FileKeyring):
    """A keyring the user has not unlocked: every read fails."""

    def get_password(self, service: str, username: str) -> str | None:
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
