"""The Blotter panel: open orders, working parents, fills, order history and positions."""

from quantdesk_desktop.panels.blotter.panel import BlotterPanel

__all__ = ["BlotterPanel"]
