"""The one-folder build: PyInstaller over packaging/quantdesk.spec, then (on Linux) the
binaries stripped of their symbol tables."""

from __future__ import annotations

import sys
from pathlib import Path

from installers.errors import PackagingError, run_tool
from installers.project import APP_NAME

ELF_MAGIC = b"\x7fELF"


def pyinstaller_command(repo: Path, dist: Path, work: Path) -> list[str]:
    """How PyInstaller is run over the spec."""
    return [
        sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
        "--distpath", str(dist), "--workpath", str(work),
        str(repo / "packaging" / "quantdesk.spec"),
    ]  # fmt: skip


def freeze(repo: Path, dist: Path, work: Path) -> Path:
    """Build ``dist/quantdesk`` (and ``dist/QuantDesk.app`` on macOS); the folder."""
    run_tool(pyinstaller_command(repo, dist, work), "PyInstaller")
    onedir = dist / APP_NAME
    if not (onedir / executable_name()).is_file():
        raise PackagingError(f"PyInstaller finished but {onedir / executable_name()} is missing")
    if sys.platform.startswith("linux"):
        strip_binaries(onedir)
    return onedir


def executable_name() -> str:
    """The app's executable in the one-folder build."""
    return APP_NAME + (".exe" if sys.platform == "win32" else "")


def is_elf(path: Path) -> bool:
    """Whether a file is an ELF binary (a library, a module or an executable)."""
    try:
        with path.open("rb") as file:
            return file.read(4) == ELF_MAGIC
    except OSError:
        return False


def strippable(path: Path) -> bool:
    """Whether a file is an ELF binary whose symbol table may go: not a library that a
    wheel's repair tool rewrote (in ``*.libs`` folders), which `strip` breaks."""
    if any(part.endswith(".libs") for part in path.parent.parts):
        return False
    return is_elf(path)


def strip_binaries(onedir: Path) -> int:
    """Strip every strippable binary in the build (about a third of its size); how many.
    Not the executable: the app's archive is appended to it, which `strip` would cut off."""
    executable = onedir / executable_name()
    targets = [
        path for path in onedir.rglob("*") if path.is_file() and not path.is_symlink()
        and path != executable and strippable(path)
    ]  # fmt: skip
    if not targets:
        return 0
    run_tool(["strip", "--strip-unneeded", *map(str, targets)], "strip")
    return len(targets)
