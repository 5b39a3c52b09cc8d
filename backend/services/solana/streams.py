"""The keeper's settlement streams: what each settles next and the instructions for it.

Each market has three streams: its fills (settle_fill, fill id = trade id, which grows
within a market), its funding periods (settle_funding with the period's TWAPs) and its
holders' funding payments (settle_user_funding). A stream reads its next items from the
store after its cursor and turns them into one transaction's instructions; items settle
strictly in order, so the cursor is all the keeper remembers (with the transaction in
flight, see `ChainProgress`).

A market's streams wait for each other so that the chain sees them in the ledger's
order: fills after a funding period wait until the period is settled; a period waits for
the fills before it (up to the trade id it recorded) and for every payment of the
market's previous period (a holder settled over two periods at once could round
differently). Liquidations are one stream for all markets: each is sent with the prices
it was decided at and waits for every fill, period and payment before it; the fills and
periods after it wait for it. (A liquidation and a funding period at the same
millisecond count the period first.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from solders.instruction import Instruction
from solders.pubkey import Pubkey
from sqlmodel import Session

from backend.domain.markets import MarketCatalog, MarketSpec
from backend.services.solana import instructions as ix
from backend.services.solana.errors import SolanaError
from backend.services.trading.risk_keeper import KEEPER
from backend.store.chain_sources import (
    fills_after,
    funding_payments_after,
    funding_periods_after,
    holders_in,
    last_payment_before,
    liquidations_after,
    unsettled_fill_before,
)

FILLS_PER_TRANSACTION = 6
"""settle_fill instructions per transaction (five accounts each; a packet holds ~1232 bytes)."""
HOLDERS_PER_TRANSACTION = 8
"""settle_user_funding instructions per transaction."""


def fills_stream(market: str) -> str:
    """The name (`ChainProgress` row) of ``market``'s fill stream."""
    return f"fills:{market}"


def periods_stream(market: str) -> str:
    """The name of ``market``'s funding period stream."""
    return f"funding:{market}"


def payments_stream(market: str) -> str:
    """The name of ``market``'s funding payment stream."""
    return f"payments:{market}"


LIQUIDATIONS = "liquidations"
"""The name of the liquidation stream."""


class NotAWallet(SolanaError):
    """An account that trades is not a wallet the chain knows (an exchange-internal name)."""


@dataclass(frozen=True, slots=True)
class Batch:
    """One transaction's worth of a stream: its instructions and the cursor after it."""

    instructions: list[Instruction]
    through: int


class Stream(Protocol):
    """A kind of settled thing the chain must learn in order."""

    @property
    def name(self) -> str:
        """Its `ChainProgress` row."""
        ...

    def next_batch(self, session: Session, cursors: Mapping[str, int]) -> Batch | None:
        """The next transaction after this stream's cursor (``cursors`` has every stream's,
        0 for one never started), or None when the chain is up to date or the stream
        waits for another."""
        ...


@dataclass(slots=True)
class Wallets:
    """Maps the ledger's account ids to wallets: a trader's id is its base58 key; the
    exchange's liquidation keeper settles as the keeper's own wallet."""

    keeper: Pubkey

    def __call__(self, account: str) -> Pubkey:
        if account == KEEPER:
            return self.keeper
        if ":" in account:
            raise NotAWallet(
                f"account {account!r} is not a wallet: on-chain settlement needs every "
                "trader to trade from a wallet (turn off the embedded market makers)"
            )
        return Pubkey.from_string(account)


@dataclass(slots=True)
class FillStream:
    """A market's committed fills, as settle_fill instructions."""

    spec: MarketSpec
    wallets: Wallets

    @property
    def name(self) -> str:
        return fills_stream(self.spec.symbol)

    def next_batch(self, session: Session, cursors: Mapping[str, int]) -> Batch | None:
        market = self.spec.symbol
        period = funding_periods_after(session, market, cursors.get(periods_stream(market), 0), 1)
        liquidation = liquidations_after(session, cursors.get(LIQUIDATIONS, 0), 1)
        through = None
        if liquidation and market in liquidation[0].markets:
            through = liquidation[0].markets[market][2]  # later fills wait for it
        fills = fills_after(
            session,
            market,
            cursors.get(self.name, 0),
            FILLS_PER_TRANSACTION,
            period[0] if period else None,
            through,
        )
        if not fills:
            return None
        keeper = self.wallets.keeper
        instructions = [
            ix.settle_fill(
                keeper,
                self.spec.market_index,
                self.wallets(f.taker),
                self.wallets(f.maker),
                f.trade_id,
                "buy" if f.taker_side == "buy" else "sell",
                f.price,
                f.size,
            )
            for f in fills
        ]
        return Batch(instructions, fills[-1].trade_id)


@dataclass(slots=True)
class FundingPeriodStream:
    """A market's closed funding periods: settle_funding with the period's TWAPs (the
    program computes and clamps the rate and moves the market's index)."""

    spec: MarketSpec
    wallets: Wallets

    @property
    def name(self) -> str:
        return periods_stream(self.spec.symbol)

    def next_batch(self, session: Session, cursors: Mapping[str, int]) -> Batch | None:
        market = self.spec.symbol
        periods = funding_periods_after(session, market, cursors.get(self.name, 0), 1)
        if not periods:
            return None
        period = periods[0]
        if unsettled_fill_before(session, cursors.get(fills_stream(market), 0), period):
            return None  # the fills before the period first
        liquidation = liquidations_after(session, cursors.get(LIQUIDATIONS, 0), 1)
        if liquidation and liquidation[0].created_at_ms < period.settled_at_ms:
            return None  # the liquidation before the period first
        previous = last_payment_before(session, market, period.funding_id)
        if previous > cursors.get(payments_stream(market), 0):
            return None  # the previous period's holders first
        instruction = ix.settle_funding(
            self.wallets.keeper, self.spec.market_index, period.mark_twap, period.oracle_twap
        )
        return Batch([instruction], period.funding_id)


@dataclass(slots=True)
class FundingPaymentStream:
    """Each holder's payment in a market, once its period is settled on chain:
    settle_user_funding (idempotent: settling twice pays nothing more)."""

    spec: MarketSpec
    wallets: Wallets

    @property
    def name(self) -> str:
        return payments_stream(self.spec.symbol)

    def next_batch(self, session: Session, cursors: Mapping[str, int]) -> Batch | None:
        market = self.spec.symbol
        through = cursors.get(periods_stream(market), 0)
        payments = funding_payments_after(
            session, market, cursors.get(self.name, 0), through, HOLDERS_PER_TRANSACTION
        )
        if not payments:
            return None
        instructions = [
            ix.settle_user_funding(self.spec.market_index, self.wallets(p.holder)) for p in payments
        ]
        return Batch(instructions, payments[-1].payment_id)


@dataclass(slots=True)
class LiquidationStream:
    """Liquidations, each as one transaction: the prices it was decided at for every
    market (so that the program reaches the same closes), then `liquidate` into the
    keeper's account with every account that held a position in those markets (the loss
    of a bankruptcy is shared by the opposite side, which the program checks is whole)."""

    catalog: MarketCatalog
    wallets: Wallets
    name: str = LIQUIDATIONS

    def next_batch(self, session: Session, cursors: Mapping[str, int]) -> Batch | None:
        events = liquidations_after(session, cursors.get(self.name, 0), 1)
        if not events:
            return None
        event = events[0]
        for market, (_, _, last_trade) in event.markets.items():
            if self._waits(session, cursors, market, last_trade, event.created_at_ms):
                return None
        keeper = self.wallets.keeper
        instructions = [
            ix.update_prices(keeper, self.catalog.market(m).market_index, mark, oracle)
            for m, (mark, oracle, _) in event.markets.items()
        ]
        account = self.wallets(event.account)
        liquidator = self.wallets(event.liquidator)
        holders = [
            wallet
            for wallet in map(self.wallets, holders_in(session, list(event.markets)))
            if wallet not in (account, liquidator)
        ]
        indexes = [spec.market_index for spec in self.catalog]
        instructions.append(ix.liquidate(liquidator, account, indexes, holders))
        return Batch(instructions, event.event_id)

    @staticmethod
    def _waits(
        session: Session, cursors: Mapping[str, int], market: str, last_trade: int, at_ms: int
    ) -> bool:
        """Whether something of ``market`` from before the liquidation is not settled yet."""
        fills = cursors.get(fills_stream(market), 0)
        if fills_after(session, market, fills, 1, through=last_trade):
            return True
        periods = cursors.get(periods_stream(market), 0)
        period = funding_periods_after(session, market, periods, 1)
        if period and period[0].settled_at_ms <= at_ms:
            return True
        payments = cursors.get(payments_stream(market), 0)
        return bool(funding_payments_after(session, market, payments, periods, 1))
