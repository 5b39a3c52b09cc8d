"""Where the workstation keeps its files: settings and workspaces in the user's config
directory, the embedded backend's database, caches and the demo wallet in the user's
data directory. ``QUANTDESK_CONFIG_DIR`` and ``QUANTDESK_DATA_DIR`` override them."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "quantdesk"


def config_dir() -> Path:
    """Settings and workspaces."""
    override = os.environ.get("QUANTDESK_CONFIG_DIR")
    return Path(override) if override else Path(platformdirs.user_config_dir(APP))


def data_dir() -> Path:
    """The embedded backend's database, logs and the local cache."""
    override = os.environ.get("QUANTDESK_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP))


def resources_dir() -> Path:
    """Style sheets, icons and the markets file shipped with the application."""
    return Path(__file__).resolve().parent.parent / "resources"
