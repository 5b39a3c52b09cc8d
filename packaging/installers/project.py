"""Facts about the project that every build step shares: where it is and its version,
stamped in one place (`pyproject.toml`)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from installers.errors import PackagingError

REPO = Path(__file__).resolve().parents[2]
"""The repository this build step belongs to."""

APP_NAME = "quantdesk"
"""The one-folder build's name and the executable's."""
CONTENTS_DIR = "_internal"
"""Where PyInstaller puts everything but the executable in the one-folder build."""


def project_version(repo: Path = REPO) -> str:
    """``[project] version`` of the repository's pyproject.toml."""
    path = repo / "pyproject.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))["project"]["version"]
    except (OSError, tomllib.TOMLDecodeError, KeyError) as error:
        raise PackagingError(f"cannot read the version from {path}: {error}") from None
