"""The History panel: the account's trading reviewed from the local cache, offline too."""

from quantdesk_desktop.panels.history.panel import HistoryPanel

__all__ = ["HistoryPanel"]
