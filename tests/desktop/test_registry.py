"""Every panel kind the menus offer opens the class it names, with the title shown."""

from __future__ import annotations

from quantdesk_desktop.panels.base import Panel
from quantdesk_desktop.panels.registry import PANEL_TYPES


def test_every_registered_kind_imports_its_panel_class() -> None:
    for kind in PANEL_TYPES:
        panel_type = PANEL_TYPES[kind]
        assert issubclass(panel_type, Panel)
        assert panel_type.kind == kind and panel_type.title == PANEL_TYPES.title(kind)
    assert len(PANEL_TYPES) == 11 and "history" in PANEL_TYPES and "wallet" in PANEL_TYPES
