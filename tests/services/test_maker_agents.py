"""The embedded market makers keep a live, inventory-aware ladder on every market."""

from __future__ import annotations

from backend.domain.fixed_point import parse_base, parse_price
from backend.domain.markets import MarketCatalog
from backend.domain.orders import Side
from backend.services.clock import ManualClock
from backend.services.liquidity.maker_agents import MarketMakerAgents, maker_account
from backend.services.liquidity.market_maker import MakerPolicy
from backend.services.trading.commands import Deposit, SetPrices, Submit
from backend.services.trading.service import TradingService
from tests.domain.order_factory import request

P, B = parse_price, parse_base


def test_makers_quote_refresh_and_skew(catalog: MarketCatalog, db) -> None:
    clock = ManualClock(1_790_000_000_000)
    trading = TradingService(catalog, db, clock)
    trading.execute(SetPrices("SOL-PERP", mark=P("150"), oracle=P("150")))
    # a small inventory limit so that one trade moves the skew past the refresh band
    agents = MarketMakerAgents(trading, clock, MakerPolicy(max_inventory_notional=10**11))
    agents.step()
    book = trading.state.engines["SOL-PERP"].book
    assert len(book.levels(Side.BUY, 50)) == 10 and len(book.levels(Side.SELL, 50)) == 10
    assert (book.best_bid(), book.best_ask()) == (P("149.925"), P("150.075"))
    placed = len(book)

    # a tiny move keeps the quotes (and their queue priority)
    clock.advance(1_000)
    trading.execute(SetPrices("SOL-PERP", mark=P("150.01"), oracle=P("150.01")))
    agents.step()
    assert len(book) == placed and book.best_ask() == P("150.075")

    # a taker buys from the maker: the maker is short and leans its quotes up
    trading.execute(Deposit("alice", "USDC", 10**12))
    trading.execute(Submit(request("buy", type="market", price=None, size="400", account="alice")))
    assert trading.state.engines["SOL-PERP"].position(maker_account("SOL-PERP")) == -B("400")
    clock.advance(1_000)
    agents.step()
    assert book.best_bid() > P("149.925")
    # markets without a price yet are left alone
    assert len(trading.state.engines["BTC-PERP"].book) == 0
