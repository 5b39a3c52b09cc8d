"""Desktop tests run on the X display the test command starts; without one, offscreen."""

from __future__ import annotations

import os

if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.desktop.live_backend import backend, client  # noqa: F401  (shared fixtures)
