"""The Order ticket panel: every order type with a live pre-trade preview, fat-finger
guards and retry-safe sending."""

from quantdesk_desktop.panels.ticket.panel import TicketPanel

__all__ = ["TicketPanel"]
