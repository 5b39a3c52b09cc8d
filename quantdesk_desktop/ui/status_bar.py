"""The status bar: connection and latency, each market's oracle status, account health
at a glance, and the clock. Repainted from the store once a frame when it moved."""

from __future__ import annotations

import time
from decimal import Decimal, InvalidOperation

from quantdesk_desktop import theme
from quantdesk_desktop.qt import QLabel, QtCore, QtWidgets
from quantdesk_desktop.state.store import MarketStore

STATE_TEXT = {
    "connecting": "Connecting",
    "online": "Online",
    "reconnecting": "Reconnecting",
    "offline": "Offline",
}


class StatusBar(QtWidgets.QStatusBar):
    """Reads the store; `refresh` is called once a frame."""

    def __init__(self, store: MarketStore) -> None:
        super().__init__()
        self.store = store
        self.connection = QLabel()
        self.latency = QLabel()
        self.feeds = QLabel()
        self.feeds.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.health = QLabel()
        self.clock = QLabel()
        for label in (self.connection, self.latency, self.feeds, self.health):
            self.addWidget(label)
        self.notice = QLabel()
        # a long notice is cut, never widening the window
        self.notice.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred
        )
        self.addWidget(self.notice, 1)
        self.addPermanentWidget(self.clock)
        self._seen: tuple = ()

    def show_notice(self, text: str) -> None:
        """A message for the user (a refusal, a failure)."""
        self.notice.setText(text)
        self.notice.setToolTip(text)

    def refresh(self) -> None:
        """Update the labels whose source moved."""
        store = self.store
        second = int(time.time())
        seen = (
            store.connection.version,
            store.connection.latency_ms,
            store.board.version,
            store.account.version,
            second,
        )
        if seen == self._seen:
            return
        self._seen = seen
        palette = theme.current()
        connection = store.connection
        colour = palette.bid if connection.state == "online" else palette.warning
        self.connection.setText(f"● {STATE_TEXT.get(connection.state, connection.state)}")
        self.connection.setStyleSheet(f"color: {colour}")
        self.connection.setToolTip(f"{connection.backend_url}\n{connection.detail}")
        latency = connection.latency_ms
        self.latency.setText("latency —" if latency is None else f"latency {latency:.1f} ms")
        self.feeds.setText(self._feeds_text())
        self.feeds.setToolTip(self._feeds_detail())
        self.health.setText(self._health_text())
        self.clock.setText(time.strftime("%H:%M:%S UTC", time.gmtime(second)))

    def _feeds_text(self) -> str:
        """Each market's feed as its base asset after a dot in the status's colour."""
        prices = self.store.board.prices
        if not prices:
            return "oracle —"
        palette = theme.current()
        colours = {
            "live": palette.bid,
            "fallback": palette.warning,
            "stale": palette.warning,
            "halted": palette.danger,
        }
        badges = []
        for market, p in prices.items():
            colour = colours.get(p.status, palette.muted)
            name = market.removesuffix("-PERP")
            suffix = "" if p.status == "live" else f" {p.status}"
            badges.append(f'<span style="color:{colour}">●</span> {name}{suffix}')
        return "oracle " + " &nbsp;".join(badges)

    def _feeds_detail(self) -> str:
        lines = []
        for market, p in self.store.board.prices.items():
            source = f" from {p.source}" if p.source else ""
            reason = f": {p.reason}" if p.reason and p.status != "live" else ""
            lines.append(f"{market}: {p.status}{source}{reason}")
        return "\n".join(lines)

    def _health_text(self) -> str:
        health = self.store.account.health
        if health is None:
            return "health —"
        try:
            return f"health {Decimal(health) * 100:.0f}%"
        except InvalidOperation:
            return "health —"
