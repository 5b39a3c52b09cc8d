"""Build QuantDesk's installers for this OS: ``python packaging/build_installers.py``.

Every OS first gets the one-folder PyInstaller build, ``dist/quantdesk/``. Then:
Linux, ``dist/quantdesk-<version>-linux-<machine>.tar.gz`` and
``dist/quantdesk_<version>_<arch>.deb``; Windows, the Inno Setup installer
``dist/quantdesk-<version>-windows-x64-setup.exe``; macOS, ``dist/QuantDesk.app`` in
``dist/quantdesk-<version>-macos-<arch>.dmg``. The version is pyproject.toml's.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import platformdirs

from installers import archive, deb, macos, windows
from installers.errors import PackagingError
from installers.freeze import freeze
from installers.project import APP_NAME, REPO, project_version


def build(dist: Path, work: Path, reuse: bool) -> list[Path]:
    """Build everything this OS ships; the paths made."""
    version = project_version(REPO)
    dist.mkdir(parents=True, exist_ok=True)
    onedir = dist / APP_NAME
    if not (reuse and onedir.is_dir()):
        onedir = freeze(REPO, dist, work)
    made = [onedir]
    if sys.platform.startswith("linux"):
        made.append(archive.build_tarball(onedir, dist, version))
        made.append(deb.build_deb(REPO, onedir, dist, version))
    elif sys.platform == "win32":
        made.append(windows.build_setup(REPO, dist, version))
    elif sys.platform == "darwin":
        made.append(macos.build_dmg(REPO, dist, version))
    return made


def main(argv: list[str] | None = None) -> int:
    """Build, print what was made (one path per line); 1 with the reason on failure."""
    parser = argparse.ArgumentParser(prog="python packaging/build_installers.py")
    parser.add_argument("--dist", type=Path, default=REPO / "dist", help="output folder")
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(platformdirs.user_cache_dir("quantdesk")) / "pyinstaller",
        help="PyInstaller's work folder (a cache)",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="package the existing one-folder build again"
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        made = build(args.dist.resolve(), args.work, args.reuse)
    except PackagingError as error:
        print(f"build_installers: {error}", file=sys.stderr)
        return 1
    for path in made:
        print(path)
    print(f"build_installers: done in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
