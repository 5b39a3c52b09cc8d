"""Shared libraries in a PyInstaller build: keep only those something in the app needs.

PyInstaller collects every library a collected binary links to. Once unused Qt plugins
are dropped (the GTK theme, the Wayland platform), the libraries only they linked to
(GTK's cairo and pango, Qt's Wayland client...) would still ship; `prune` removes them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import PurePosixPath

TocEntry = tuple[str, str, str]
"""(name in the build, source path, kind), as PyInstaller's TOCs hold them."""

ALWAYS_KEEP = ("libpython",)
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
