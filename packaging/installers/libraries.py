"""Shared libraries in a PyInstaller build: keep only those something in the app needs.

PyInstaller collects every library a collected binary links to. Once unused Qt plugins
are dropped (the GTK theme, the Wayland platform), the libraries only they linked to
(GTK's cairo and pango, Qt's Wayland client...) would still ship; `prune` removes them."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath

PYTHON_PREFIXES = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix})
TocEntry = tuple[str, str, str]
"""(name in the build, source path, kind), as PyInstaller's TOCs hold them."""

ALWAYS_KEEP = ("libpython",)
DESKTOP_SYSTEM = (
    "libdbus-1.", "libglib-2.0.", "libgio-2.0.", "libgobject-2.0.", "libgmodule-2.0.",
    "libgthread-2.0.", "libfontconfig.", "libfreetype.", "libX11.", "libX11-xcb.", "libXau.",
    "libXdmcp.", "libxcb", "libxkbcommon.", "libxkbcommon-x11.",
)  # fmt: skip
"""Libraries every Linux desktop has, which talk to its services or read its
configuration (the session bus, the X server, fontconfig's files): used from the system,
whose versions match them, rather than copied from the build machine (which also keeps
their own dependencies, systemd's and SELinux's among them, out of the build)."""
"""Loaded by the bootloader itself, which no collected binary links to."""


def is_dependency_library(name: str, kind: str) -> bool:
    """Whether a collected binary is a shared library that is there because another binary
    links to it, as opposed to an extension module, a Qt plugin (both loaded by the app
    itself) or the Python runtime (loaded by the bootloader)."""
    path = PurePosixPath(name)
    return (
        kind == "BINARY"
        and path.name.startswith("lib")
        and ".so" in path.name
        and "plugins" not in path.parts
        and not path.name.startswith(ALWAYS_KEEP)
    )


def is_desktop_system_library(name: str, source: str, kind: str) -> bool:
    """Whether a collected binary is one of the desktop's own libraries, taken from the
    build machine's system (not a copy a wheel carries under its own name)."""
    path = PurePosixPath(name)
    return (
        kind == "BINARY"
        and len(path.parts) == 1
        and path.name.startswith(DESKTOP_SYSTEM)
        and not source.startswith(PYTHON_PREFIXES)
    )


def prune(
    binaries: Iterable[TocEntry], imports_of: Callable[[str], Iterable[str]]
) -> tuple[list[TocEntry], list[str]]:
    """The binaries without the dependency libraries that nothing else needs; and the
    names dropped. ``imports_of(source path)`` names every library a binary loads,
    transitively (as ``ldd`` resolves them)."""
    entries = list(binaries)
    needed: set[str] = set()
    for name, source, kind in entries:
        if not is_dependency_library(name, kind):
            needed.update(PurePosixPath(library).name for library in imports_of(source))
    kept: list[TocEntry] = []
    dropped: list[str] = []
    for entry in entries:
        name, _source, kind = entry
        if is_dependency_library(name, kind) and PurePosixPath(name).name not in needed:
            dropped.append(name)
        else:
            kept.append(entry)
    return kept, dropped
