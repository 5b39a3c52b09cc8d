"""Which Debian package installed a file, as dpkg knows it (on merged-/usr systems a
library may be registered under /lib or /usr/lib: both are tried)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable


def path_variants(path: str) -> list[str]:
    """``path`` and its other spelling across the /usr merge."""
    if path.startswith("/usr/"):
        return [path, path.removeprefix("/usr")]
    return [path, "/usr" + path]


def _search(paths: list[str]) -> dict[str, str]:
    try:
        done = subprocess.run(
            ["dpkg-query", "-S", *paths], capture_output=True, text=True, check=False, timeout=120
        )
    except (OSError, subprocess.TimeoutExpired):
        return {}
    found = {}
    for line in done.stdout.splitlines():
        owners, _, path = line.partition(": ")
        if path:
            found[path.strip()] = owners.split(",")[0].strip().split(":")[0]
    return found


def owners(paths: Iterable[str]) -> dict[str, str]:
    """The package of each path that dpkg knows (paths it does not know are left out)."""
    wanted = sorted(set(paths))
    if not wanted:
        return {}
    found = _search(wanted)
    result = {path: found[path] for path in wanted if path in found}
    retry = {
        variant: path
        for path in wanted
        if path not in result
        for variant in path_variants(path)[1:]
    }
    if retry:
        for variant, package in _search(sorted(retry)).items():
            if variant in retry:
                result[retry[variant]] = package
    return result
