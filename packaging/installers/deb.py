"""The Debian package: the one-folder build under /opt/quantdesk, a `quantdesk` command on
the PATH, a desktop entry and icons in the standard places; built with dpkg-deb.

Its dependencies are read off the build: every system library a binary in it loads and
that it does not carry, and the Debian package that provides it here. Desktop and icon
caches are refreshed by Debian's own triggers, so the package has no maintainer scripts,
and removing it removes every file it installed."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from installers import dpkg
from installers.errors import PackagingError, run_tool
from installers.freeze import executable_name, is_elf
from installers.icons import PNG_SIZES
from installers.project import APP_NAME, CONTENTS_DIR

PACKAGE = "quantdesk"
INSTALL_DIR = Path("opt") / APP_NAME
LDD_LINE = re.compile(r"^\s*(\S+) => (not found|\S+)")
MAINTAINER = "QuantDesk <support@quantdesk.app>"
COMPRESSION = ("-Zzstd", "-z9")
"""zstd: seconds to build where xz takes a minute, for 12 % more bytes; read by dpkg since
Debian 12 and Ubuntu 21.10 (and the build needs Debian 12's C library anyway)."""
RECOMMENDS = ("gnome-keyring | kwalletmanager | keepassxc", "dbus-user-session | dbus-x11")
"""A keyring service to keep the wallet key across sessions, and a session bus for it and
for desktop notifications."""
DESCRIPTION = """QuantDesk trading workstation for Solana perpetual futures
 A native desktop workstation for perpetual futures settled on Solana: dockable
 chart, depth ladder, order ticket, blotter, risk, portfolio and history panels
 across monitors, hotkey trading, and an embedded backend with a simulated
 market that runs fully offline."""


def deb_architecture() -> str:
    """This machine's Debian architecture name (amd64, arm64...)."""
    return run_tool(["dpkg", "--print-architecture"], "dpkg").stdout.strip()


def deb_name(version: str, architecture: str) -> str:
    """``quantdesk_<version>_<architecture>.deb``, as Debian names packages."""
    return f"{PACKAGE}_{version}_{architecture}.deb"


def elf_files(folder: Path) -> list[Path]:
    """The ELF binaries under ``folder``."""
    return [
        path
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink() and is_elf(path)
    ]


def system_libraries(onedir: Path) -> set[str]:
    """Every library outside the build that a binary in it loads (as the loader names
    its path). A library that cannot be found at all is a broken build."""
    outside: set[str] = set()
    missing: set[str] = set()
    inside = onedir.resolve()
    # the app's launcher puts its own folder first on the library path, as here
    environment = os.environ | {"LD_LIBRARY_PATH": str(onedir / CONTENTS_DIR)}
    for binary in elf_files(onedir):
        done = subprocess.run(
            ["ldd", str(binary)], capture_output=True, text=True, check=False, env=environment
        )
        for line in done.stdout.splitlines():
            match = LDD_LINE.match(line)
            if match is None:
                continue
            name, where = match.groups()
            if where == "not found":
                missing.add(f"{name} (for {binary.relative_to(onedir)})")
            elif not Path(where).resolve().is_relative_to(inside):
                outside.add(where)
    if missing:
        raise PackagingError("libraries found nowhere: " + ", ".join(sorted(missing)))
    return outside


def packages_of(libraries: set[str]) -> list[str]:
    """The Debian packages providing ``libraries`` (libc6 with its version here as the
    minimum). A library no package provides cannot be a dependency: an error."""
    found = dpkg.owners(libraries)
    unknown = sorted(set(libraries) - set(found))
    if unknown:
        raise PackagingError("no Debian package provides " + ", ".join(unknown))
    depends = []
    for package in sorted(set(found.values())):
        if package == "libc6":
            query = ["dpkg-query", "-W", "-f=${Version}", "libc6"]
            version = run_tool(query, "dpkg-query").stdout.split("-")[0]
            depends.append(f"libc6 (>= {version})")
        else:
            depends.append(package)
    return depends


def control_text(version: str, architecture: str, installed_kib: int, depends: list[str]) -> str:
    """DEBIAN/control."""
    return (
        f"Package: {PACKAGE}\n"
        f"Version: {version}\n"
        f"Architecture: {architecture}\n"
        f"Maintainer: {MAINTAINER}\n"
        f"Installed-Size: {installed_kib}\n"
        f"Depends: {', '.join(depends)}\n"
        f"Recommends: {', '.join(RECOMMENDS)}\n"
        "Section: misc\n"
        "Priority: optional\n"
        f"Description: {DESCRIPTION}\n"
    )


def copyright_text(license_text: str) -> str:
    """usr/share/doc/quantdesk/copyright (machine-readable format)."""
    body = "\n".join(f" {line}" if line.strip() else " ." for line in license_text.splitlines())
    return (
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        "Upstream-Name: QuantDesk\n"
        f"Comment: Third-party components and their licenses are listed in\n"
        f" /{INSTALL_DIR}/{CONTENTS_DIR}/THIRD_PARTY_NOTICES.txt\n\n"
        "Files: *\n"
        "Copyright: 2026 QuantDesk\n"
        "License: proprietary\n"
        f"{body}\n"
    )


def installed_kib(root: Path) -> int:
    """The installed size in KiB, as dpkg counts it (each file rounded up, one per link)."""
    total = 0
    for path in root.rglob("*"):
        if path.is_relative_to(root / "DEBIAN"):
            continue
        total += 1 if path.is_symlink() or path.is_dir() else -(-path.stat().st_size // 1024)
    return total


def stage(repo: Path, onedir: Path, root: Path) -> None:
    """Lay the package's files out under ``root`` as they install."""
    shutil.copytree(onedir, root / INSTALL_DIR, symlinks=True)
    bin_dir = root / "usr" / "bin"
    bin_dir.mkdir(parents=True)
    # relative, so the command works in an install under another root too
    (bin_dir / APP_NAME).symlink_to(Path("..", "..", INSTALL_DIR, executable_name()))
    share = root / "usr" / "share"
    (share / "applications").mkdir(parents=True)
    shutil.copy2(repo / "packaging" / "linux" / "quantdesk.desktop", share / "applications")
    icons = repo / "resources" / "icons"
    for size in PNG_SIZES:
        apps = share / "icons" / "hicolor" / f"{size}x{size}" / "apps"
        apps.mkdir(parents=True)
        shutil.copy2(icons / "png" / f"quantdesk-{size}.png", apps / "quantdesk.png")
    scalable = share / "icons" / "hicolor" / "scalable" / "apps"
    scalable.mkdir(parents=True)
    shutil.copy2(icons / "quantdesk.svg", scalable / "quantdesk.svg")
    doc = share / "doc" / PACKAGE
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(
        copyright_text((repo / "LICENSE").read_text(encoding="utf-8")), encoding="utf-8"
    )


def md5sums_text(root: Path) -> str:
    """DEBIAN/md5sums: every regular file's digest, as `debsums` checks them."""
    lines = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and not path.is_relative_to(root / "DEBIAN"):
            digest = hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()
            lines.append(f"{digest}  {path.relative_to(root)}\n")
    return "".join(lines)


def build_deb(repo: Path, onedir: Path, dist: Path, version: str) -> Path:
    """Build ``dist/quantdesk_<version>_<arch>.deb`` from the one-folder build."""
    architecture = deb_architecture()
    depends = packages_of(system_libraries(onedir))
    target = dist / deb_name(version, architecture)
    with tempfile.TemporaryDirectory(prefix="quantdesk-deb-") as scratch:
        root = Path(scratch) / "root"
        stage(repo, onedir, root)
        debian = root / "DEBIAN"
        debian.mkdir()
        (debian / "control").write_text(
            control_text(version, architecture, installed_kib(root), depends), encoding="utf-8"
        )
        (debian / "md5sums").write_text(md5sums_text(root), encoding="utf-8")
        for path in [root, *root.rglob("*")]:
            if not path.is_symlink():
                path.chmod(0o755 if path.is_dir() or path.stat().st_mode & 0o111 else 0o644)
        build = ["dpkg-deb", "--root-owner-group", *COMPRESSION, "--build", str(root), str(target)]
        run_tool(build, "dpkg-deb")
    return target
