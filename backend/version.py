"""QuantDesk's version: stamped in one place, `pyproject.toml`, and read here from the
installed package's metadata (which the frozen app carries too)."""

from __future__ import annotations

from importlib import metadata

UNKNOWN = "0+unknown"


def version() -> str:
    """The installed QuantDesk version (``0+unknown`` when run from an uninstalled tree)."""
    try:
        return metadata.version("quantdesk")
    except metadata.PackageNotFoundError:
        return UNKNOWN
