"""The status bar reads the store: connection, latency, each market's oracle status,
account health and the clock."""

from __future__ import annotations

from quantdesk_desktop import theme
from quantdesk_desktop.state.store import MarketStore
from quantdesk_desktop.ui.status_bar import StatusBar


def test_the_status_bar_shows_each_feed_and_the_account(qtbot) -> None:
    store = MarketStore()
    store.board.load_specs([{"symbol": "BTC-PERP"}, {"symbol": "SOL-PERP"}])
    bar = StatusBar(store)
    qtbot.addWidget(bar)
    bar.refresh()
    assert "Connecting" in bar.connection.text() and bar.latency.text() == "latency —"

    store.connection.state, store.connection.latency_ms = "online", 3.25
    store.connection.version += 1
    reason = "no valid pyth price for 3 s"
    store.board.apply_prices(
        {"market": "SOL-PERP", "type": "status", "status": "fallback", "source": "coingecko",
         "reason": reason}
    )  # fmt: skip
    store.account.health = "0.875"
    store.account.version += 1
    bar.refresh()
    assert "Online" in bar.connection.text() and bar.latency.text() == "latency 3.2 ms"
    feeds = bar.feeds.text()
    assert "BTC" in feeds and "SOL fallback" in feeds
    assert theme.current().warning in feeds  # the fallback feed's dot
    assert "SOL-PERP: fallback from coingecko: no valid pyth price" in bar.feeds.toolTip()
    assert bar.health.text() == "health 88%"
    assert bar.clock.text().endswith("UTC")
