"""What the exchange does by itself as prices and time move: funding each period and
liquidation of accounts below maintenance margin. Run inside `TradingState.apply`, so
replaying the command log repeats it exactly."""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.domain.funding import PriceAccumulator, funding_rate, index_delta
from backend.domain.liquidation import LiquidationResult, liquidate
from backend.domain.margin import MissingPrice, risk_view

KEEPER = "liquidator:keeper"
"""The exchange's own liquidator account in the embedded and paper deployments."""
KEEPER_CAPITAL = 100_000_000 * 10**6
"""Paper USDC the keeper starts with, so it can take over liquidated positions."""


@dataclass(frozen=True, slots=True)
class FundingSettlement:
    """One market's funding period: rate, TWAPs, the index after, and who paid what."""

    market: str
    rate: int
    mark_twap: int
    oracle_twap: int
    index: int
    payments: dict[str, int]
    settled_at_ms: int
    last_trade_id: int
    """The market's last trade id when the period closed: fills up to it came before."""


@dataclass(slots=True)
class FundingSchedule:
    """A market's running price averages and when its next funding is due."""

    period_ms: int
    accumulator: PriceAccumulator = field(default_factory=lambda: PriceAccumulator(0))
    due_ms: int | None = None

    def sample(self, mark: int, oracle: int, now_ms: int) -> None:
        """Take in the market's prices; the first sample sets the first due time."""
        self.accumulator.add_sample(mark, oracle, now_ms)
        if self.due_ms is None:
            self.due_ms = (now_ms // self.period_ms + 1) * self.period_ms


def settle_due_funding(
    state, now_ms: int, markets: list[str] | None = None
) -> list[FundingSettlement]:
    """Settle every market (of ``markets``; None: all) whose funding period has ended."""
    settled = []
    for market, schedule in state.funding.items():
        if markets is not None and market not in markets:
            continue
        if not state.trades(market) or schedule.due_ms is None or schedule.due_ms > now_ms:
            continue
        twaps = schedule.accumulator.twaps(now_ms)
        spec = state.catalog.market(market)
        schedule.accumulator.restart(now_ms)
        schedule.due_ms = (now_ms // schedule.period_ms + 1) * schedule.period_ms
        if twaps is None or twaps[1] <= 0:
            continue
        mark_twap, oracle_twap = twaps
        rate = funding_rate(mark_twap, oracle_twap, spec.funding_period_s, spec.max_funding_rate)
        payments = state.ledger.settle_funding(market, index_delta(rate, oracle_twap))
        settled.append(
            FundingSettlement(
                market,
                rate,
                mark_twap,
                oracle_twap,
                state.ledger.funding_index[market],
                payments,
                now_ms,
                state.engines[market].next_trade_id - 1,
            )
        )
    return settled


@dataclass(frozen=True, slots=True)
class MarketMoment:
    """Every priced market at one moment: (mark, oracle, last trade id) by symbol, so that
    what happened then can be replayed elsewhere (the on-chain keeper)."""

    markets: dict[str, tuple[int, int, int]]


def market_moment(state) -> MarketMoment:
    """The markets of ``state`` now."""
    return MarketMoment(
        {
            market: (prices.mark, prices.oracle, state.engines[market].next_trade_id - 1)
            for market, prices in sorted(state.prices.items())
        }
    )


def liquidate_unhealthy(state, market: str, now_ms: int, outcome) -> list[LiquidationResult]:
    """Liquidate, into the keeper, every account with a position in ``market`` that is
    below maintenance margin at current prices. Their open orders are cancelled first."""
    results = []
    for account_id in sorted(state.ledger.accounts):
        if account_id == KEEPER:
            continue
        account = state.ledger.accounts[account_id]
        position = account.positions.get(market)
        if position is None or not position.base:
            continue
        if not all(state.liquidates(m) for m, p in account.positions.items() if p.base):
            continue  # its health rests on a price that is stale or missing
        try:
            view = risk_view(account, state.catalog, state.prices)
        except MissingPrice:
            continue  # not every price it needs is known yet: judged on the next update
        if not view.liquidatable:
            continue
        for engine in state.engines.values():
            outcome.results.append(engine.cancel_all(account_id, now_ms))
        keeper = state.ledger.account(KEEPER)
        if state.paper_keeper and keeper.balance(state.catalog.quote_asset) <= 0:
            state.ledger.deposit(KEEPER, state.catalog.quote_asset, KEEPER_CAPITAL)
        outcome.liquidation_markets.append(market_moment(state))
        result = liquidate(state.ledger, account_id, KEEPER, state.prices)
        for closed in result.closed:
            engine = state.engines[closed.market]
            for name in (account_id, KEEPER):
                held = state.ledger.account(name).positions.get(closed.market)
                outcome.results.append(engine.set_position(name, held.base if held else 0))
        outcome.accounts.update((account_id, KEEPER))
        results.append(result)
    return results
