"""The workstation's market data store: every state object panels read, created when a
panel first asks for it. Asking is also how a panel says what it wants followed: the
client layer reads `wanted` and subscribes to it (and loads history) on the socket.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.domain.candles import INTERVALS
from quantdesk_desktop.hotkeys.board import HotkeyBoard
from quantdesk_desktop.state.alerts import AlertsState
from quantdesk_desktop.state.book import BookState
from quantdesk_desktop.state.candles import CandleSeries
from quantdesk_desktop.state.history import OrderHistory
from quantdesk_desktop.state.markets import MarketBoard
from quantdesk_desktop.state.orders import OrdersState
from quantdesk_desktop.state.portfolio import PortfolioState
from quantdesk_desktop.state.positions import PositionsState
from quantdesk_desktop.state.review import ReviewState
from quantdesk_desktop.state.tape import TapeState

Topic = tuple[str, str, str | None]
"""(channel, market, candle interval or None)."""


@dataclass(slots=True)
class ConnectionStatus:
    """The link to the backend, for the status bar."""

    state: str = "connecting"
    """connecting, online, reconnecting or offline."""
    latency_ms: float | None = None
    """The last round trip of a ping on the socket."""
    backend_url: str = ""
    detail: str = ""
    version: int = 0


@dataclass(slots=True)
class AccountSummary:
    """The account at a glance (the risk panel has the detail)."""

    pubkey: str = ""
    health: str | None = None
    """Account health as the server states it (1 = no maintenance requirement used)."""
    equity: str | None = None
    free_collateral: str | None = None
    risk: dict = field(default_factory=dict)
    """The whole `GET /api/risk` answer (requirements, leverage, per-position figures)."""
    balances: list[dict] = field(default_factory=list)
    """Collateral balances (`account` channel snapshots: asset and amount)."""
    version: int = 0


@dataclass
class MarketStore:
    """State objects by market, and the topics panels asked to follow."""

    board: MarketBoard = field(default_factory=MarketBoard)
    orders: OrdersState = field(default_factory=OrdersState)
    positions: PositionsState = field(default_factory=PositionsState)
    history: OrderHistory = field(default_factory=OrderHistory)
    """Finished orders (and the working ones' details), for the blotter."""
    connection: ConnectionStatus = field(default_factory=ConnectionStatus)
    hotkeys: HotkeyBoard = field(default_factory=HotkeyBoard)
    """Key bindings, hotkey sizes and the arm switch."""
    account: AccountSummary = field(default_factory=AccountSummary)
    alerts: AlertsState = field(default_factory=AlertsState)
    """Margin calls, liquidations and health threshold crossings, for the alerting."""
    portfolio: PortfolioState = field(default_factory=PortfolioState)
    """PnL by market, the equity curve and funding payments, for the Portfolio panel."""
    review: ReviewState = field(default_factory=ReviewState)
    """The local cache under review and the offline banner, for the History panel."""
    books: dict[str, BookState] = field(default_factory=dict)
    tapes: dict[str, TapeState] = field(default_factory=dict)
    candles: dict[tuple[str, str], CandleSeries] = field(default_factory=dict)
    wanted: dict[Topic, int] = field(default_factory=dict)
    """Followed topics, with how many panels follow each."""
    wanted_version: int = 0
    """Moves when `wanted` changes (the client layer re-reads it)."""

    def book(self, market: str) -> BookState:
        """The market's book (followed from now on)."""
        return self.books.setdefault(market, BookState(market))

    def tape(self, market: str) -> TapeState:
        """The market's trades (followed from now on)."""
        return self.tapes.setdefault(market, TapeState(market))

    def candle_series(self, market: str, interval: str) -> CandleSeries:
        """The market's candles at ``interval`` (one of `INTERVALS`)."""
        if interval not in INTERVALS:
            raise ValueError(f"unknown interval {interval!r}; one of {', '.join(INTERVALS)}")
        key = (market, interval)
        if key not in self.candles:
            self.candles[key] = CandleSeries(market, interval, INTERVALS[interval])
        return self.candles[key]

    def follow(self, channel: str, market: str, interval: str | None = None) -> None:
        """One more panel follows a topic."""
        topic = (channel, market, interval)
        self.wanted[topic] = self.wanted.get(topic, 0) + 1
        if self.wanted[topic] == 1:
            self.wanted_version += 1

    def unfollow(self, channel: str, market: str, interval: str | None = None) -> None:
        """One panel fewer follows a topic."""
        topic = (channel, market, interval)
        count = self.wanted.get(topic, 0) - 1
        if count > 0:
            self.wanted[topic] = count
        elif topic in self.wanted:
            del self.wanted[topic]
            self.wanted_version += 1
