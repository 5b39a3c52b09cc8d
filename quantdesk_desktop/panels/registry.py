"""Every panel type by its workspace name, imported when first opened: the workstation's
first window need not load what only other panels use (the History panel's database
layer, say)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import NamedTuple

from quantdesk_desktop.panels.base import Panel


class PanelEntry(NamedTuple):
    """Where a panel type lives and what the menus call it."""

    module: str
    name: str
    title: str


ENTRIES: dict[str, PanelEntry] = {
    "chart": PanelEntry("quantdesk_desktop.panels.chart.panel", "ChartPanel", "Chart"),
    "depth": PanelEntry("quantdesk_desktop.panels.depth.panel", "DepthPanel", "Depth"),
    "tape": PanelEntry("quantdesk_desktop.panels.tape", "TapePanel", "Tape"),
    "watchlist": PanelEntry("quantdesk_desktop.panels.watchlist", "WatchlistPanel", "Watchlist"),
    "blotter": PanelEntry("quantdesk_desktop.panels.blotter", "BlotterPanel", "Blotter"),
    "ticket": PanelEntry("quantdesk_desktop.panels.ticket.panel", "TicketPanel", "Order ticket"),
    "hotkeys": PanelEntry("quantdesk_desktop.panels.hotkeys_panel", "HotkeysPanel", "Hotkeys"),
    "risk": PanelEntry("quantdesk_desktop.panels.risk", "RiskPanel", "Risk"),
    "portfolio": PanelEntry("quantdesk_desktop.panels.portfolio", "PortfolioPanel", "Portfolio"),
    "history": PanelEntry("quantdesk_desktop.panels.history", "HistoryPanel", "History"),
    "wallet": PanelEntry("quantdesk_desktop.panels.wallet.panel", "WalletPanel", "Wallet"),
}


class PanelTypes(Mapping[str, type[Panel]]):
    """Panel classes by kind, each imported on first use."""

    def __getitem__(self, kind: str) -> type[Panel]:
        entry = ENTRIES[kind]
        panel_type = getattr(importlib.import_module(entry.module), entry.name)
        assert panel_type.kind == kind and panel_type.title == entry.title, entry
        return panel_type

    def __iter__(self) -> Iterator[str]:
        return iter(ENTRIES)

    def __len__(self) -> int:
        return len(ENTRIES)

    def title(self, kind: str) -> str:
        """What the menus call panels of ``kind`` (without importing them)."""
        return ENTRIES[kind].title


PANEL_TYPES = PanelTypes()
