"""The wallet dialogs' and panel's own style, from the theme palette: a visible check box
in both themes and the Sign button in the accent colour (Refuse stays the default)."""

from __future__ import annotations

from quantdesk_desktop.theme import Palette


def wallet_style(palette: Palette) -> str:
    """A style sheet for the wallet's widgets (applied on top of the application's)."""
    p = palette
    return f"""
QCheckBox::indicator {{ width: 13px; height: 13px; border: 1px solid {p.muted};
    border-radius: 3px; background-color: {p.surface}; }}
QCheckBox::indicator:checked {{ background-color: {p.accent}; border-color: {p.accent};
    image: none; }}
QPushButton#walletSign {{ background-color: {p.accent}; border-color: {p.accent};
    color: #ffffff; font-weight: bold; padding: 4px 14px; }}
QPlainTextEdit#approvalText {{ background-color: {p.surface}; }}
QPushButton:disabled {{ color: {p.muted}; }}
"""
