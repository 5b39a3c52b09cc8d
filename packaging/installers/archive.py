"""The portable Linux build: the one-folder build in a .tar.gz, unpacked anywhere and run
as ``quantdesk-<version>/quantdesk``."""

from __future__ import annotations

import platform
import tarfile
from pathlib import Path

from installers.errors import PackagingError
from installers.project import CONTENTS_DIR


def tarball_name(version: str, machine: str | None = None) -> str:
    """``quantdesk-<version>-linux-<machine>.tar.gz``."""
    return f"quantdesk-{version}-linux-{machine or platform.machine()}.tar.gz"


def build_tarball(onedir: Path, dist: Path, version: str) -> Path:
    """Pack the one-folder build under a ``quantdesk-<version>/`` folder, with the license
    and the third-party notices beside the executable; the archive."""
    target = dist / tarball_name(version)
    top = f"quantdesk-{version}"
    try:
        with tarfile.open(target, "w:gz", compresslevel=6) as archive:
            archive.add(onedir, arcname=top)
            for name in ("LICENSE", "THIRD_PARTY_NOTICES.txt"):
                archive.add(onedir / CONTENTS_DIR / name, arcname=f"{top}/{name}")
    except OSError as error:
        target.unlink(missing_ok=True)
        raise PackagingError(f"cannot write {target}: {error}") from None
    return target
