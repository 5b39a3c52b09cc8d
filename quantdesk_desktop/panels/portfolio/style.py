"""The Portfolio panel's own style: the ticket's field and tone styles, the headings, the
summary line and the deposit/withdraw switch, from the theme palette."""

from __future__ import annotations

from quantdesk_desktop.panels.ticket.style import ticket_style
from quantdesk_desktop.theme import Palette


def portfolio_style(palette: Palette) -> str:
    """A style sheet for the panel's widgets (on top of the application's)."""
    p = palette
    return (
        ticket_style(p)
        + f"""
QLabel#portfolioHeading {{ color: {p.muted}; font-weight: bold; }}
QLabel#portfolioSummary {{ padding: 4px 8px; border-bottom: 1px solid {p.grid}; }}
QLabel#portfolioState {{ color: {p.muted}; padding: 1px 4px; }}
QPushButton#portfolioKind {{ padding: 3px 12px; color: {p.muted}; }}
QPushButton#portfolioKind:checked {{ background-color: {p.accent}; border-color: {p.accent};
    color: #ffffff; font-weight: bold; }}
QPushButton#portfolioSend {{ padding: 4px 10px; font-weight: bold; color: #ffffff;
    background-color: {p.accent}; border-color: {p.accent}; }}
QPushButton#portfolioSend:disabled {{ background-color: {p.grid}; border-color: {p.grid};
    color: {p.muted}; }}
"""
    )
