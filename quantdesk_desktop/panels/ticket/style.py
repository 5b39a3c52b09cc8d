"""The ticket's own style: side colours, error and verdict tones, from the theme palette."""

from __future__ import annotations

from quantdesk_desktop.theme import Palette


def ticket_style(palette: Palette) -> str:
    """A style sheet for the ticket's widgets (applied on top of the application's)."""
    p = palette
    return f"""
QPushButton#ticketBuy, QPushButton#ticketSell {{ padding: 5px 0; font-weight: bold;
    color: {p.muted}; }}
QPushButton#ticketBuy:checked {{ background-color: {p.bid}; border-color: {p.bid};
    color: #ffffff; }}
QPushButton#ticketSell:checked {{ background-color: {p.ask}; border-color: {p.ask};
    color: #ffffff; }}
QPushButton#ticketSend {{ padding: 7px 8px; font-weight: bold; color: #ffffff; }}
QPushButton#ticketSend[side="buy"] {{ background-color: {p.bid}; border-color: {p.bid}; }}
QPushButton#ticketSend[side="sell"] {{ background-color: {p.ask}; border-color: {p.ask}; }}
QPushButton#ticketSend:disabled {{ background-color: {p.grid}; border-color: {p.grid};
    color: {p.muted}; }}
QLabel#ticketLabel {{ color: {p.muted}; }}
QLabel#ticketHint {{ color: {p.muted}; font-size: 9pt; }}
QLabel#ticketFieldError {{ color: {p.danger}; font-size: 9pt; }}
QLabel#ticketMarket {{ font-weight: bold; }}
QLabel#ticketValue {{ color: {p.text}; }}
QLabel[tone="ok"] {{ color: {p.bid}; }}
QLabel[tone="muted"] {{ color: {p.muted}; }}
QLabel[tone="warn"] {{ color: {p.warning}; }}
QLabel[tone="bad"] {{ color: {p.danger}; }}
QFrame#ticketPreview {{ background-color: {p.surface}; border: 1px solid {p.grid};
    border-radius: 4px; }}
QFrame#ticketPreview QLabel {{ background: transparent; }}
QLineEdit[error="true"], QComboBox[error="true"], QSpinBox[error="true"],
QDateTimeEdit[error="true"] {{ border-color: {p.danger}; }}
QCheckBox[error="true"] {{ color: {p.danger}; }}
QCheckBox::indicator {{ width: 13px; height: 13px; border: 1px solid #3a4553; border-radius: 3px;
    background-color: {p.surface}; }}
QCheckBox::indicator:checked {{ background-color: {p.accent}; border-color: {p.accent};
    image: none; }}
QCheckBox::indicator:disabled {{ background-color: {p.background}; border-color: {p.grid}; }}
QCheckBox:disabled {{ color: {p.muted}; }}
QSlider::groove:horizontal {{ height: 4px; background: {p.grid}; border-radius: 2px; }}
QSlider::sub-page:horizontal {{ background: {p.accent}; border-radius: 2px; }}
QSlider::handle:horizontal {{ background: {p.text}; width: 12px; height: 12px;
    margin: -4px 0; border-radius: 6px; }}
"""
