"""Writable folders for settings and data, checked before anything is written.

A locked-down desk machine may give the workstation no writable home (a read-only or
missing ``$HOME``). Then the workstation still starts: it keeps settings, workspaces, the
embedded backend's database and the local cache in a private folder of the system's
temporary directory for this session only, says so, and removes that folder at exit.
Only when not even that can be written does it refuse to start, with a clear message."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from quantdesk_desktop import paths


class NoWritableFolder(RuntimeError):
    """Neither the user's folders nor the temporary directory can be written."""


@dataclass(frozen=True, slots=True)
class SessionOnlyFolder:
    """A folder the workstation could not write, and the session-only one used instead."""

    purpose: str
    wanted: Path
    reason: str
    used: Path

    def notice(self) -> str:
        """One sentence for the log and the status bar."""
        return (
            f"{self.purpose} kept for this session only: cannot write {self.wanted} ({self.reason})"
        )


_FOLDERS: tuple[tuple[str, str, Callable[[], Path]], ...] = (
    ("Settings and workspaces", "QUANTDESK_CONFIG_DIR", paths.config_dir),
    ("Market data, history and the embedded backend's database", "QUANTDESK_DATA_DIR",
     paths.data_dir),
)  # fmt: skip


def write_problem(folder: Path) -> str | None:
    """Why ``folder`` cannot hold the workstation's files (None if it can): it is created
    if missing, and a file is written into it and removed."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-check-"):
            pass
    except OSError as error:
        return error.strerror or str(error)
    return None


def ensure_writable() -> list[SessionOnlyFolder]:
    """Make sure the settings and data folders can be written; each that cannot is
    replaced (through its environment override, which the embedded backend inherits) by a
    private temporary folder removed at exit. The replacements made."""
    replaced: list[SessionOnlyFolder] = []
    for purpose, variable, locate in _FOLDERS:
        wanted = locate()
        reason = write_problem(wanted)
        if reason is None:
            continue
        try:
            used = Path(tempfile.mkdtemp(prefix="quantdesk-session-"))
        except OSError as error:
            raise NoWritableFolder(
                f"cannot write {wanted} ({reason}) nor a temporary folder "
                f"({error.strerror or error}); set {variable} to a writable folder"
            ) from None
        atexit.register(shutil.rmtree, used, ignore_errors=True)
        os.environ[variable] = str(used)
        replaced.append(SessionOnlyFolder(purpose, wanted, reason, used))
    return replaced
