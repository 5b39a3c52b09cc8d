"""The "Signed" list: one row per signature of the session, newest first."""

from __future__ import annotations

import time

from quantdesk_desktop.panels.table_columns import LEFT, Column, ColumnsModel
from quantdesk_desktop.wallet.signed_log import SignedEntry, SignedLog


def _clock(entry: SignedEntry) -> str:
    return time.strftime("%H:%M:%S", time.localtime(entry.at))


class SignedModel(ColumnsModel):
    """The session's signatures (time, what, summary, who approved), newest first."""

    columns = (
        Column("Time", _clock, LEFT),
        Column("What", lambda e: str(e.kind), LEFT),
        Column("Summary", lambda e: e.summary, LEFT),
        Column("Approved by", lambda e: e.approval, LEFT),
    )

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[SignedEntry] = []
        self._seen: tuple[int, int] | None = None

    def row_count(self) -> int:
        return len(self.entries)

    def row_object(self, row: int) -> SignedEntry:
        return self.entries[row]

    def follow(self, log: SignedLog | None) -> bool:
        """Show ``log``'s entries if they moved; whether they did."""
        seen = None if log is None else (id(log), log.version)
        if seen == self._seen:
            return False
        self._seen = seen
        self.beginResetModel()
        self.entries = [] if log is None else list(reversed(log.entries))
        self.endResetModel()
        return True
