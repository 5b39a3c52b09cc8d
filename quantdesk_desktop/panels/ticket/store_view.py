"""What the preview needs, read from the `MarketStore`: the market now (book, prices),
the account as domain objects (balances, positions, reserved margin) and the prices."""

from __future__ import annotations

from collections.abc import Mapping

from backend.domain.account import Account
from backend.domain.fixed_point import (
    PRICE_TIMES_BASE_TO_QUOTE,
    FixedPointError,
    parse_fixed,
    parse_price,
    parse_quote,
)
from backend.domain.margin import MarketPrices
from backend.domain.markets import MarketCatalog, MarketSpec
from backend.domain.positions import Position, trade_flow
from quantdesk_desktop.panels.ticket.snapshot import AccountNow, MarketNow
from quantdesk_desktop.state.markets import MarketBoard
from quantdesk_desktop.state.positions import PositionView
from quantdesk_desktop.state.store import MarketStore

BOOK_DEPTH = 200
"""Levels per side the preview walks (deeper is beyond any sane order)."""


def market_now(store: MarketStore, spec: MarketSpec) -> MarketNow:
    """The market's book (without following it), prices, last trade and oracle status."""
    book = store.books.get(spec.symbol)
    bids = book.sorted_bids()[:BOOK_DEPTH] if book is not None else []
    asks = book.sorted_asks()[:BOOK_DEPTH] if book is not None else []
    prices = store.board.prices.get(spec.symbol)
    return MarketNow(
        spec=spec,
        bids=tuple(bids),
        asks=tuple(asks),
        mark=prices.mark if prices else None,
        oracle=prices.oracle if prices else None,
        last=last_price(store, spec.symbol),
        oracle_status=prices.status if prices else "live",
    )


def last_price(store: MarketStore, market: str) -> int | None:
    """The last trade's price: the tape when followed, else the ticker's."""
    tape = store.tapes.get(market)
    if tape is not None and tape.trades:
        return tape.trades[-1].price
    ticker = store.board.tickers.get(market) or {}
    text = ticker.get("last_price")
    try:
        return parse_price(text) if isinstance(text, str) else None
    except FixedPointError:
        return None


def domain_prices(board: MarketBoard) -> dict[str, MarketPrices]:
    """Each market's mark and oracle (one standing in for the other when only one is known)."""
    out = {}
    for symbol, prices in board.prices.items():
        mark = prices.mark or prices.oracle
        oracle = prices.oracle or prices.mark
        if mark and oracle:
            out[symbol] = MarketPrices(mark, oracle)
    return out


def account_now(store: MarketStore, catalog: MarketCatalog) -> AccountNow | None:
    """The account as domain objects; None until the store has heard of it (no balances
    and no risk answer yet).

    The `account` channel only speaks when balances change, so until then the balances
    stand in as one quote balance worth the weighted collateral the risk answer states
    (initial collateral less unrealised PnL): exact for the initial-margin check, close
    for health when other assets are held."""
    summary = store.account
    if not summary.balances and not summary.risk:
        return None
    account = Account(summary.pubkey or "me")
    for row in summary.balances:
        asset = catalog.collateral.get(str(row.get("asset")))
        if asset is None:
            continue
        try:
            account.credit(asset.symbol, parse_fixed(str(row.get("amount")), asset.precision))
        except FixedPointError:
            continue
    if not summary.balances:
        weighted = _quote(summary.risk, "collateral_initial") - _quote(
            summary.risk, "unrealised_pnl"
        )
        if weighted:
            account.credit(catalog.quote_asset, weighted)
    for view in store.positions.positions.values():
        if view.size:
            account.positions[view.market] = position_of(view)
    return AccountNow(account, reserved_margin(summary.risk))


def position_of(view: PositionView) -> Position:
    """The domain position of a wire position. Its entry flow is recovered exactly from
    the unrealised PnL at the mark it was stated at (``pnl = entry + floor(base * mark /
    1e9)``), else from the entry price."""
    if view.mark_price is not None:
        entry = view.unrealised_pnl - (view.size * view.mark_price) // PRICE_TIMES_BASE_TO_QUOTE
    elif view.entry_price is not None:
        entry = trade_flow(view.size, view.entry_price)
    else:
        entry = 0
    return Position(view.market, view.size, entry)


def reserved_margin(risk: Mapping) -> int:
    """Initial margin the account's resting orders hold (`GET /api/risk`), 0 if unknown."""
    return max(0, _quote(risk, "reserved_for_orders"))


def _quote(risk: Mapping, name: str) -> int:
    """A USDC figure of the risk answer in quote units (0 when missing or unreadable)."""
    text = risk.get(name)
    try:
        return parse_quote(text) if isinstance(text, str) else 0
    except FixedPointError:
        return 0


def free_collateral(store: MarketStore) -> int | None:
    """Free collateral as the server last stated it (quote units)."""
    text = store.account.free_collateral or store.account.risk.get("free_collateral")
    try:
        return parse_quote(text) if isinstance(text, str) else None
    except FixedPointError:
        return None
