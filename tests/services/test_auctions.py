"""JIT auctions in the running service: a large market order opens an auction, the
embedded maker quotes it, settlement fills the quote and records it, the rest goes to the
book; refused quotes change nothing, and a restart replays an auction in flight."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from backend.domain.errors import OrderRejected, RejectCode
from backend.domain.fixed_point import parse_base, parse_price
from backend.domain.markets import MarketCatalog
from backend.domain.orders import OrderStatus
from backend.services.clock import ManualClock
from backend.services.liquidity.auction_responder import AuctionResponder
from backend.services.liquidity.maker_agents import MarketMakerAgents, maker_account
from backend.services.trading.commands import Cancel, Deposit, QuoteAuction, SetPrices, Submit, Tick
from backend.services.trading.service import TradingService
from backend.store.models import Auction, AuctionQuote, AuctionSettlement, Command, Trade
from tests.domain.order_factory import request

P, B = parse_price, parse_base
START = 1_790_000_000_000
USDC = 10**6


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def trading(catalog: MarketCatalog, db: Engine, clock: ManualClock) -> TradingService:
    service = TradingService(catalog, db, clock)
    service.execute(SetPrices("SOL-PERP", oracle=P("150"), derive_mark=True, source="sim"))
    MarketMakerAgents(service, clock).step()
    service.execute(Deposit("whale", "USDC", 2_000_000 * USDC))
    return service


def _big_buy(trading: TradingService) -> int:
    """A market buy at the SOL auction threshold; returns the auction id."""
    result = trading.execute(
        Submit(request("buy", type="market", price=None, size="2000", account="whale"))
    ).primary
    assert result.auctions_started, "a market order at the threshold opens an auction"
    assert result.order.status is OrderStatus.OPEN and result.order.filled == 0
    return result.auctions_started[0].auction_id


def _rows(db: Engine, model) -> list:
    with Session(db) as session:
        return list(session.exec(select(model)))


def test_maker_quotes_the_auction_and_settlement_fills_it(
    trading: TradingService, db: Engine, clock: ManualClock
) -> None:
    responder = AuctionResponder(trading, clock)
    auction_id = _big_buy(trading)
    assert list(responder.pending) == [auction_id]
    responder.step()  # at the start the curve is below the maker's price: no quote yet
    assert _rows(db, AuctionQuote) == []
    clock.advance(100)
    responder.step()
    (quote,) = _rows(db, AuctionQuote)
    assert quote.auction_id == auction_id and quote.size == B("2000")
    assert not responder.pending

    clock.advance(2_000)
    trading.execute(Tick())
    (auction,) = _rows(db, Auction)
    assert auction.status == "settled" and auction.size == B("2000")
    (settlement,) = _rows(db, AuctionSettlement)
    trade = next(t for t in _rows(db, Trade) if t.id == settlement.trade_id)
    assert (
        (settlement.price, settlement.size) == (quote.price, B("2000")) == (trade.price, trade.size)
    )
    assert trade.maker_order_id is None  # a quote has no resting order
    engine = trading.state.engines["SOL-PERP"]
    assert engine.position("whale") == B("2000")
    assert engine.position(maker_account("SOL-PERP")) == -B("2000")
    # the auction beat the book: its price is below the oracle band edge the order allowed
    assert quote.price < P("150") * 1_01 // 100


def test_unquoted_remainder_goes_to_the_book(
    trading: TradingService, db: Engine, clock: ManualClock
) -> None:
    auction_id = _big_buy(trading)
    best_ask = trading.state.engines["SOL-PERP"].book.best_ask()
    clock.advance(100)
    price = trading.state.engines["SOL-PERP"].auction(auction_id).price_at(clock.now_ms())
    trading.execute(Deposit("jit", "USDC", 1_000_000 * USDC))
    trading.execute(QuoteAuction("jit", "SOL-PERP", auction_id, price, B("500")))
    clock.advance(2_000)
    trading.execute(Tick())
    (settlement,) = _rows(db, AuctionSettlement)
    assert settlement.size == B("500")
    engine = trading.state.engines["SOL-PERP"]
    assert engine.position("whale") == B("2000")  # 500 from the quote, 1,500 from the book
    assert engine.position("jit") == -B("500")
    book_fills = [t for t in _rows(db, Trade) if t.maker_order_id is not None]
    assert sum(t.size for t in book_fills) == B("1500") and book_fills[0].price >= best_ask


@pytest.mark.parametrize(
    ("auction_offset", "price", "size", "code"),
    [
        (0, "150.0005", "10", RejectCode.INVALID_QUOTE),  # off the tick
        (0, "150", "0.005", RejectCode.INVALID_QUOTE),  # off the lot
        (99, "150", "10", RejectCode.AUCTION_CLOSED),  # no such auction
    ],
)
def test_bad_quotes_are_refused_and_leave_no_trace(
    trading: TradingService, db: Engine, auction_offset: int, price: str, size: str, code
) -> None:
    auction_id = _big_buy(trading)
    logged = len(_rows(db, Command))
    trading.execute(Deposit("jit", "USDC", 1_000_000 * USDC))
    with pytest.raises(OrderRejected) as refused:
        trading.execute(
            QuoteAuction("jit", "SOL-PERP", auction_id + auction_offset, P(price), B(size))
        )
    assert refused.value.code is code
    assert len(_rows(db, Command)) == logged + 1 and _rows(db, AuctionQuote) == []


def test_quote_beyond_the_makers_margin_is_refused(
    trading: TradingService, db: Engine, clock: ManualClock
) -> None:
    auction_id = _big_buy(trading)
    clock.advance(100)
    price = trading.state.engines["SOL-PERP"].auction(auction_id).price_at(clock.now_ms())
    trading.execute(Deposit("small", "USDC", 1_000 * USDC))
    with pytest.raises(OrderRejected) as refused:
        trading.execute(QuoteAuction("small", "SOL-PERP", auction_id, price, B("2000")))
    assert refused.value.code is RejectCode.INSUFFICIENT_MARGIN
    assert _rows(db, AuctionQuote) == []


def test_cancelling_the_taker_closes_its_auction(trading: TradingService, db: Engine) -> None:
    auction_id = _big_buy(trading)
    order = trading.state.engines["SOL-PERP"].open_orders("whale")[0]
    trading.execute(Cancel("whale", "SOL-PERP", order.order_id))
    (auction,) = _rows(db, Auction)
    assert auction.id == auction_id and auction.status == "cancelled"


def test_restart_replays_an_auction_in_flight(
    catalog: MarketCatalog, trading: TradingService, db: Engine, clock: ManualClock
) -> None:
    auction_id = _big_buy(trading)
    clock.advance(100)
    price = trading.state.engines["SOL-PERP"].auction(auction_id).price_at(clock.now_ms())
    trading.execute(Deposit("jit", "USDC", 1_000_000 * USDC))
    trading.execute(QuoteAuction("jit", "SOL-PERP", auction_id, price, B("2000")))

    reopened = TradingService.open(catalog, db, clock)
    assert reopened.state.engines["SOL-PERP"].auction(auction_id) is not None
    clock.advance(2_000)
    reopened.execute(Tick())
    assert reopened.state.engines["SOL-PERP"].position("jit") == -B("2000")
    with Session(db) as session:
        settled = session.exec(select(func.count()).select_from(AuctionSettlement)).one()
    assert settled == 1
