"""The macOS disk image: packaging/macos/make_dmg.sh puts dist/QuantDesk.app (PyInstaller's
BUNDLE) into dist/quantdesk-<version>-macos-<arch>.dmg."""

from __future__ import annotations

import os
import platform
import shutil
from collections.abc import Mapping
from pathlib import Path

from installers.errors import PackagingError, run_tool

APP_NAME = "QuantDesk.app"
# platform.machine() spellings of the two Mac architectures, by the name in the file name.
ARCHES = {"aarch64": "arm64", "arm64": "arm64", "amd64": "x86_64", "x86_64": "x86_64"}


def make_dmg_script(repo: Path) -> Path:
    """The script that makes the disk image."""
    return repo / "packaging" / "macos" / "make_dmg.sh"


def dmg_name(version: str, machine: str) -> str:
    """The disk image's file name for ``version`` on a ``platform.machine()`` of ``machine``."""
    arch = ARCHES.get(machine.lower(), machine.lower())
    return f"quantdesk-{version}-macos-{arch}.dmg"


def dmg_command(script: Path, app: Path, dmg: Path, version: str) -> list[str]:
    """The command making ``dmg`` from ``app``."""
    return ["bash", str(script), str(app), str(dmg), version]


def build_dmg(
    repo: Path,
    dist: Path,
    version: str,
    *,
    machine: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Path:
    """Make the disk image of ``dist/QuantDesk.app`` and return its path in ``dist``."""
    app = dist / APP_NAME
    if not app.is_dir():
        raise PackagingError(
            f"macOS disk image: {app} is missing; build the app bundle with PyInstaller first"
        )
    env = dict(os.environ if environ is None else environ)
    if shutil.which("hdiutil", path=env.get("PATH", os.defpath)) is None:
        raise PackagingError("macOS disk image: hdiutil not found; disk images are made on macOS")
    dmg = dist / dmg_name(version, machine or platform.machine())
    command = dmg_command(make_dmg_script(repo), app, dmg, version)
    run_tool(command, "macOS disk image: make_dmg.sh", env)
    if not dmg.is_file():
        raise PackagingError(f"macOS disk image: hdiutil succeeded but {dmg} is not there")
    return dmg
