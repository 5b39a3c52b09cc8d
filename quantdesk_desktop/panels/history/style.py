"""The History panel's own style, from the theme palette: the offline banner, the notice
line, the quick range buttons, the statistics' captions and figures (gains in the bid
colour, losses in the ask colour), and room around the tables' numbers."""

from __future__ import annotations

from quantdesk_desktop.panels.chart.panes import blend
from quantdesk_desktop.theme import Palette


def history_style(palette: Palette) -> str:
    """A style sheet for the panel's widgets (on top of the application's)."""
    p = palette
    return f"""
QLabel#historyBanner {{ background-color: {blend(p.warning, p.background, 0.22)}; color: {p.text};
    border-left: 4px solid {p.warning}; font-weight: bold; padding: 4px 8px; }}
QLabel#historyNotice {{ color: {p.muted}; padding: 2px 8px; }}
QLabel#historyNotice[error="true"] {{ color: {p.danger}; }}
QToolButton#historyQuick {{ padding: 2px 6px; }}
QToolButton#historyQuick:checked {{ background-color: {p.accent}; border-color: {p.accent};
    color: #ffffff; }}
QWidget#historyStats {{ border-bottom: 1px solid {p.grid}; }}
QLabel#historyCaption {{ color: {p.muted}; font-size: 9pt; }}
QLabel#historyFigure {{ color: {p.text}; font-size: 12pt; font-weight: bold; }}
QLabel#historyFigure[tone="gain"] {{ color: {p.bid}; }}
QLabel#historyFigure[tone="loss"] {{ color: {p.ask}; }}
QLabel#historyChartTitle {{ color: {p.muted}; padding: 4px 8px 0px 8px; }}
QLabel#historyEmpty {{ color: {p.muted}; }}
QTableView::item {{ padding: 0px 6px; }}
"""
