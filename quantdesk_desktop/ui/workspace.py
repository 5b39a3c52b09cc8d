"""Named workspaces: the whole arrangement of panels, saved as JSON in the config
directory and restored at start.

A workspace holds each panel's id, kind, market, link colour and settings; the docking
state as QtAds saves it (splits, tabs, auto-hide, floating windows and their geometry);
the main window's geometry; and the screen each window was on. Restoring on fewer or
smaller screens than it was saved on brings every window back onto a visible screen.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from quantdesk_desktop.qt import QtCore, QtGui, QtWidgets

log = logging.getLogger("quantdesk.workspace")

FORMAT = 1
NAME_PATTERN = re.compile(r"^[\w .-]{1,64}$")


class WorkspaceError(ValueError):
    """A workspace that cannot be saved or read, with the reason."""


@dataclass(slots=True)
class PanelRecord:
    """One panel of a workspace."""

    panel_id: str
    kind: str
    market: str
    link: str | None = None
    settings: dict = field(default_factory=dict)


@dataclass(slots=True)
class Workspace:
    """A saved arrangement."""

    name: str
    panels: list[PanelRecord]
    dock_state: bytes = b""
    window_geometry: bytes = b""
    theme: str = "dark"

    def to_json(self) -> dict:
        """The JSON form written to disk."""
        return {
            "format": FORMAT,
            "name": self.name,
            "theme": self.theme,
            "panels": [
                {
                    "id": p.panel_id,
                    "kind": p.kind,
                    "market": p.market,
                    "link": p.link,
                    "settings": p.settings,
                }
                for p in self.panels
            ],
            "dock_state": base64.b64encode(self.dock_state).decode(),
            "window_geometry": base64.b64encode(self.window_geometry).decode(),
        }

    @classmethod
    def from_json(cls, data: object) -> Workspace:
        """A workspace from its JSON form; a malformed one raises `WorkspaceError`."""
        if not isinstance(data, dict) or not isinstance(data.get("panels"), list):
            raise WorkspaceError("not a workspace: no panel list")
        panels = []
        for raw in data["panels"]:
            if not isinstance(raw, dict) or not all(
                isinstance(raw.get(k), str) for k in ("id", "kind", "market")
            ):
                raise WorkspaceError("a panel needs an id, a kind and a market")
            link = raw.get("link") if isinstance(raw.get("link"), str) else None
            settings = raw.get("settings") if isinstance(raw.get("settings"), dict) else {}
            panels.append(PanelRecord(raw["id"], raw["kind"], raw["market"], link, settings))
        try:
            dock_state = base64.b64decode(data.get("dock_state", ""), validate=True)
            geometry = base64.b64decode(data.get("window_geometry", ""), validate=True)
        except (ValueError, TypeError) as error:
            raise WorkspaceError(f"unreadable window state: {error}") from None
        theme = data.get("theme") if data.get("theme") in ("dark", "light") else "dark"
        return cls(str(data.get("name", "")), panels, dock_state, geometry, theme)


class WorkspaceStore:
    """Workspaces as files ``<name>.json`` in one folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def names(self) -> list[str]:
        """The saved workspaces, sorted."""
        if not self.folder.is_dir():
            return []
        return sorted(path.stem for path in self.folder.glob("*.json"))

    def path(self, name: str) -> Path:
        """Where ``name`` is kept (the name is checked: letters, digits, space, ._-)."""
        if not NAME_PATTERN.match(name) or name.startswith("."):
            raise WorkspaceError(
                f"workspace name {name!r}: use up to 64 letters, digits, spaces, '.', '_' or '-'"
            )
        return self.folder / f"{name}.json"

    def save(self, workspace: Workspace) -> Path:
        """Write ``workspace`` (atomically: a crash leaves the previous file)."""
        path = self.path(workspace.name)
        self.folder.mkdir(parents=True, exist_ok=True)
        scratch = path.with_suffix(".tmp")
        scratch.write_text(json.dumps(workspace.to_json(), indent=1), encoding="utf-8")
        scratch.replace(path)
        return path

    def load(self, name: str) -> Workspace:
        """Read ``name``; `WorkspaceError` says why it cannot be used."""
        path = self.path(name)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise WorkspaceError(f"no workspace named {name!r}") from None
        except (OSError, ValueError) as error:
            raise WorkspaceError(f"workspace {name!r} is unreadable: {error}") from None
        workspace = Workspace.from_json(data)
        workspace.name = name
        return workspace

    def delete(self, name: str) -> None:
        """Remove ``name`` (nothing if it does not exist)."""
        self.path(name).unlink(missing_ok=True)


def bring_onto_screen(window: QtWidgets.QWidget) -> bool:
    """Move ``window`` onto a screen if too little of it is visible on any (it was
    saved on a monitor that is gone); True when it was moved."""
    frame = window.frameGeometry()
    screens = QtGui.QGuiApplication.screens()
    if not screens:
        return False
    best = max(
        (screen.availableGeometry().intersected(frame) for screen in screens),
        key=lambda r: r.width() * r.height(),
    )
    visible = best.width() * best.height()
    if visible >= 0.5 * frame.width() * frame.height() and best.height() >= 40:
        return False
    target = QtGui.QGuiApplication.primaryScreen().availableGeometry()
    width = min(frame.width(), target.width())
    height = min(frame.height(), target.height())
    x = target.x() + (target.width() - width) // 2
    y = target.y() + (target.height() - height) // 2
    window.resize(width, height)
    window.move(QtCore.QPoint(x, y))
    log.info("moved a window saved off-screen onto %s", target)
    return True
