"""The workstation with no backend: trading intents are refused and said so (nothing is
queued), and what panels follow is served from the local cache."""

from __future__ import annotations

from quantdesk_desktop.cache import offline
from quantdesk_desktop.cache.database import CacheDatabase
from quantdesk_desktop.client.outcomes import OrderRefusal
from quantdesk_desktop.state.positions import FILLS_KEPT
from quantdesk_desktop.state.store import MarketStore

OFFLINE = "offline: reviewing the local cache, nothing was sent"


class OfflineSession:
    """Stands where the client session would (the window's intents)."""

    def __init__(self, store: MarketStore, database: CacheDatabase) -> None:
        self.store = store
        self.database = database
        self.notices: list[str] = []
        self._served: set[tuple[str, str]] = set()
        self._synced_wanted = -1

    def start(self) -> None:
        """Load the saved market specs and the account's recent fills."""
        self.store.board.load_specs(offline.market_specs(self.database))
        self.store.positions.load_fills(offline.recent_fills(self.database, FILLS_KEPT))
        connection = self.store.connection
        connection.state, connection.detail = "offline", OFFLINE
        connection.version += 1
        self.sync_wanted()

    def sync_wanted(self) -> None:
        """Serve the candles panels follow from the cache (once each)."""
        if self._synced_wanted == self.store.wanted_version:
            return
        self._synced_wanted = self.store.wanted_version
        for channel, market, interval in list(self.store.wanted):
            if channel != "candles" or interval is None or (market, interval) in self._served:
                continue
            self._served.add((market, interval))
            times, values = offline.candles(self.database, market, interval)
            self.store.candle_series(market, interval).load_arrays(times, values)

    def _refuse(self, what: str) -> None:
        self.notices.append(f"{what}: {OFFLINE}")

    def submit(self, order: dict, on_result) -> None:
        """Refused: there is no backend."""
        self._refuse(f"{order.get('side')} {order.get('market')}")
        if on_result is not None:
            on_result(OrderRefusal("offline", OFFLINE, None))

    def place_limit(self, market: str, side: str, price: int, size: int) -> None:
        """Refused: there is no backend."""
        self._refuse(f"{side} {market}")

    def cancel(self, order_id: int) -> None:
        """Refused: there is no backend."""
        self._refuse(f"cancel {order_id}")

    def modify(self, order_id: int, price: int) -> None:
        """Refused: there is no backend."""
        self._refuse(f"modify {order_id}")

    def amend(self, order_id: int, price: int | None, size: int | None) -> None:
        """Refused: there is no backend."""
        self._refuse(f"modify {order_id}")

    def cancel_all(self, market: str | None) -> None:
        """Refused: there is no backend."""
        self._refuse("cancel all")
