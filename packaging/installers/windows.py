"""The Windows installer: Inno Setup's ISCC compiles packaging/windows/quantdesk.iss over the
one-folder build (dist/quantdesk) into dist/quantdesk-<version>-windows-x64-setup.exe."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from installers.errors import PackagingError, output_tail, run_tool

ISCC_ENV = "ISCC"
"""The environment variable naming ISCC.exe; when set, it is the only place looked at."""

ISCC_EXE = "ISCC.exe"
INNO_FOLDER = "Inno Setup 6"
# Where the Inno Setup 6 installer puts ISCC: the variable naming each folder, and its usual value.
PROGRAM_FILES = (
    ("ProgramFiles(x86)", r"C:\Program Files (x86)"),
    ("ProgramFiles", r"C:\Program Files"),
)


def _getenv(environ: Mapping[str, str], name: str) -> str | None:
    """``environ[name]`` with the name matched case-insensitively, as Windows does."""
    for key, value in environ.items():
        if key.casefold() == name.casefold():
            return value
    return None


def iss_path(repo: Path) -> Path:
    """The Inno Setup script in the repository."""
    return repo / "packaging" / "windows" / "quantdesk.iss"


def setup_name(version: str) -> str:
    """The installer's file name (the .iss's OutputBaseFilename plus .exe)."""
    return f"quantdesk-{version}-windows-x64-setup.exe"


def iscc_candidates(environ: Mapping[str, str]) -> list[Path]:
    """Where to look for ISCC, in order: ``$ISCC`` alone when set; else each PATH folder, then
    Inno Setup 6 under Program Files (x86) and Program Files."""
    override = _getenv(environ, ISCC_ENV)
    if override:
        return [Path(override)]
    path = _getenv(environ, "PATH") or ""
    candidates = [Path(folder) / ISCC_EXE for folder in path.split(os.pathsep) if folder]
    for variable, usual in PROGRAM_FILES:
        candidates.append(Path(_getenv(environ, variable) or usual) / INNO_FOLDER / ISCC_EXE)
    return list(dict.fromkeys(candidates))


def find_iscc(environ: Mapping[str, str]) -> Path:
    """The first ISCC of :func:`iscc_candidates` that exists; PackagingError if none does."""
    candidates = iscc_candidates(environ)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    if _getenv(environ, ISCC_ENV):
        raise PackagingError(f"Inno Setup: {ISCC_ENV}={candidates[0]} does not exist")
    looked = "\n  ".join(str(candidate) for candidate in candidates)
    raise PackagingError(
        f"Inno Setup 6 compiler ({ISCC_EXE}) not found; install Inno Setup 6 "
        f"(choco install innosetup) or set {ISCC_ENV} to its path. Looked at:\n  {looked}"
    )


def iscc_command(
    iscc: Path, iss: Path, source_dir: Path, output_dir: Path, version: str
) -> list[str]:
    """The ISCC command line compiling ``iss`` for ``version`` from ``source_dir`` into
    ``output_dir``."""
    return [
        str(iscc),
        f"/DAppVersion={version}",
        f"/DSourceDir={source_dir}",
        f"/DOutputDir={output_dir}",
        str(iss),
    ]


def build_setup(
    repo: Path, dist: Path, version: str, *, environ: Mapping[str, str] | None = None
) -> Path:
    """Compile the Windows installer from ``dist/quantdesk`` and return its path in ``dist``."""
    repo, dist = repo.resolve(), dist.resolve()  # ISCC reads relative paths from the .iss's folder
    source_dir = dist / "quantdesk"
    if not (source_dir / "quantdesk.exe").is_file():
        raise PackagingError(
            f"Windows installer: {source_dir / 'quantdesk.exe'} is missing; "
            "build the one-folder app with PyInstaller first"
        )
    iss = iss_path(repo)
    if not iss.is_file():
        raise PackagingError(f"Windows installer: the Inno Setup script {iss} is missing")
    iscc = find_iscc(os.environ if environ is None else environ)
    command = iscc_command(iscc, iss, source_dir, dist, version)
    result = run_tool(command, "Windows installer: ISCC")
    setup = dist / setup_name(version)
    if not setup.is_file():
        raise PackagingError(
            f"Windows installer: ISCC succeeded but {setup} is not there:\n"
            f"{output_tail(result.stdout)}"
        )
    return setup
