"""The embedded flow traders: small market orders that make the simulated market trade,
below the auction threshold, leaning against their inventory, repeatable by seed."""

from __future__ import annotations

from backend.domain.fixed_point import parse_price
from backend.domain.markets import MarketCatalog
from backend.services.clock import ManualClock
from backend.services.liquidity.flow_agents import FlowTraders, flow_account
from backend.services.liquidity.maker_agents import MarketMakerAgents
from backend.services.trading.commands import SetPrices
from backend.services.trading.service import TradingService

P = parse_price


def _market(catalog: MarketCatalog, db) -> tuple[TradingService, ManualClock]:
    clock = ManualClock(1_790_000_000_000)
    trading = TradingService(catalog, db, clock)
    trading.execute(SetPrices("SOL-PERP", mark=P("150"), oracle=P("150")))
    return trading, clock


def test_flow_orders_trade_small_and_keep_inventory_bounded(catalog: MarketCatalog, db) -> None:
    trading, clock = _market(catalog, db)
    makers = MarketMakerAgents(trading, clock)
    flow = FlowTraders(trading, clock, trades_per_s=10.0, seed=3)
    spec = catalog.market("SOL-PERP")
    fills = []
    trading.on_commit(lambda _command, outcome: fills.extend(outcome.fills))
    for _ in range(400):
        makers.step()
        flow.step(0.1)  # one order per step at this rate
        clock.advance(100)
    assert flow.sent == 400 and len(fills) >= 400  # every order traded
    assert all(f.size < spec.auction_threshold for f in fills)
    assert {f.taker_side.value for f in fills} == {"buy", "sell"}
    position = trading.state.engines["SOL-PERP"].position(flow_account("SOL-PERP"))
    largest = spec.auction_threshold // 5
    assert abs(position) <= 25 * largest  # leaning against inventory keeps it bounded
    assert trading.state.engines["BTC-PERP"].position(flow_account("BTC-PERP")) == 0  # no price


def test_the_same_seed_sends_the_same_orders(catalog: MarketCatalog, db) -> None:
    runs = []
    for _ in range(2):
        trading, clock = _market(catalog, db)
        flow = FlowTraders(trading, clock, trades_per_s=3.0, seed=5)
        for _ in range(50):
            flow.step(0.1)
        runs.append(flow.sent)
    assert runs[0] == runs[1] and 0 < runs[0] < 50
