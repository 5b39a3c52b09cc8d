"""What the gateway's routes work with: the services and settings of one server."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from backend.domain.markets import MarketCatalog
from backend.gateway.metrics import GatewayMetrics
from backend.gateway.rate_limit import RateLimits
from backend.gateway.ws.book_frames import BookFrames
from backend.gateway.ws.candles import LiveCandles
from backend.gateway.ws.events import MarketFrames, StreamPublisher
from backend.gateway.ws.hub import Hub
from backend.services.auth.login import LoginService
from backend.services.auth.nonces import NonceBook
from backend.services.auth.one_use import MemoryOneUse, OneUseStore
from backend.services.auth.sessions import SessionIssuer
from backend.services.clock import Clock, SystemClock
from backend.services.market_data.history import HistoryService
from backend.services.market_data.stats import MarketTickers
from backend.services.trading.margin_calls import MarginCallWatch
from backend.services.trading.service import TradingService

if TYPE_CHECKING:
    from backend.services.solana.transfers import ChainTransfers


@dataclass(slots=True)
class GatewayContext:
    """The services behind the routes."""

    catalog: MarketCatalog
    login: LoginService
    clock: Clock = field(default_factory=SystemClock)
    cors_origins: list[str] = field(default_factory=list)
    trading: TradingService | None = None
    hub: Hub = field(default_factory=Hub)
    limits: RateLimits = field(default_factory=RateLimits)
    metrics: GatewayMetrics = field(default_factory=GatewayMetrics)
    paper_trading: bool = True
    """Deposits of demo collateral are allowed and new users get a funded demo account."""
    demo_capital: int = 100_000 * 10**6
    """Paper USDC (quote units) a new user's demo account starts with (0: none)."""
    admin_keys: frozenset[str] = frozenset()
    """Wallet public keys allowed on the admin routes."""
    history: HistoryService | None = None
    tickers: MarketTickers | None = None
    candles: LiveCandles | None = None
    book_frames: BookFrames | None = None
    chain: ChainTransfers | None = None
    """Transfers signed by users' wallets (``solana`` settlement; None: local ledger)."""


def make_context(
    catalog: MarketCatalog,
    domain: str,
    token_secret: bytes | None = None,
    clock: Clock | None = None,
    cors_origins: list[str] | None = None,
    trading: TradingService | None = None,
    limits: RateLimits | None = None,
    admin_keys: frozenset[str] = frozenset(),
    book_frame_s: float = 0.0,
    hub: Hub | None = None,
    streams_from_engines: bool = False,
    one_use: Callable[[str], OneUseStore] | None = None,
) -> GatewayContext:
    """A context for a server answering at ``domain``; without a configured secret, a
    random one for this process (sessions then end with the process). ``book_frame_s``
    coalesces book deltas into at most one message per market per frame (0: none).
    ``streams_from_engines``: a gateway of several, whose ``hub`` gets every channel but
    the book and candles from the engines (see `ClusterHub`); ``one_use(kind)`` the store
    of its login nonces and refresh tokens (``nonce``, ``refresh``; default in memory)."""
    secret = token_secret or secrets.token_bytes(32)
    one_use = one_use or (lambda _kind: MemoryOneUse())
    login = LoginService(
        NonceBook(domain, f"https://{domain}", store=one_use("nonce")),
        SessionIssuer(secret, refresh_tokens=one_use("refresh")),
    )
    if trading is not None:
        catalog = trading.state.catalog  # the live one: parameter changes show at once
    context = GatewayContext(
        catalog,
        login,
        clock or SystemClock(),
        cors_origins or [],
        trading,
        hub=hub or Hub(),
        limits=limits or RateLimits(),
        admin_keys=admin_keys,
    )
    if trading is not None:
        context.history = HistoryService(trading.database)
        context.tickers = MarketTickers(trading, context.history, context.clock)
        context.book_frames = BookFrames(context.hub, book_frame_s)
        context.candles = LiveCandles(context.hub, context.history)
        frames = MarketFrames(context.book_frames, context.candles)
        if streams_from_engines:
            trading.on_commit(frames)
        else:
            margin = MarginCallWatch(trading.state)
            trading.on_commit(StreamPublisher(context.hub, trading.state, margin, frames))
        trading.on_commit(context.metrics.on_commit)
        context.metrics.watch(trading, context.hub, context.clock)
    return context
