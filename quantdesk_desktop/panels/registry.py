"""Every panel type by its workspace name."""

from __future__ import annotations

from quantdesk_desktop.panels.base import Panel
from quantdesk_desktop.panels.blotter import BlotterPanel
from quantdesk_desktop.panels.chart.panel import ChartPanel
from quantdesk_desktop.panels.depth.panel import DepthPanel
from quantdesk_desktop.panels.history import HistoryPanel
from quantdesk_desktop.panels.hotkeys_panel import HotkeysPanel
from quantdesk_desktop.panels.portfolio import PortfolioPanel
from quantdesk_desktop.panels.risk import RiskPanel
from quantdesk_desktop.panels.tape import TapePanel
from quantdesk_desktop.panels.ticket.panel import TicketPanel
from quantdesk_desktop.panels.watchlist import WatchlistPanel

PANEL_TYPES: dict[str, type[Panel]] = {
    panel.kind: panel
    for panel in (
        ChartPanel,
        DepthPanel,
        TapePanel,
        WatchlistPanel,
        BlotterPanel,
        TicketPanel,
        HotkeysPanel,
        RiskPanel,
        PortfolioPanel,
        HistoryPanel,
    )
}
