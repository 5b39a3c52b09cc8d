"""The settlement keeper: what the trading service committed, settled on chain in order,
exactly once, surviving restarts; and the market prices the program's margin checks read.

Each stream (`streams.py`) is settled one transaction at a time. Before a transaction is
first broadcast its signature and bytes are stored with the cursor it will reach
(`ChainProgress`); after a restart that transaction is tracked (and re-broadcast while it
can still land) instead of being built again. A fill the program says is already settled
(another copy landed) moves the cursor to what the chain holds. Anything else the chain
refuses stops the stream, is recorded as a system event, and is retried after a pause,
so a transient refusal (a funding period a few seconds early) heals by itself.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Callable, Mapping

from sqlalchemy import Engine
from sqlmodel import Session

from backend.domain.margin import MarketPrices
from backend.domain.markets import MarketCatalog
from backend.services.clock import Clock
from backend.services.solana import instructions as ix
from backend.services.solana.accounts import decode_market
from backend.services.solana.connection import SolanaConnection
from backend.services.solana.errors import (
    ConfirmationTimeout,
    RpcUnavailable,
    SolanaError,
    TransactionExpired,
)
from backend.services.solana.pdas import market_address, user_address
from backend.services.solana.pending import PendingTransaction
from backend.services.solana.streams import (
    Batch,
    FillStream,
    FundingPaymentStream,
    FundingPeriodStream,
    LiquidationStream,
    NotAWallet,
    Stream,
    Wallets,
)
from backend.services.waiting import first_of
from backend.store.chain_progress import (
    InFlight,
    advance,
    clear_in_flight,
    load_cursors,
    load_progress,
    record_in_flight,
)
from backend.store.models.system_event import SystemEvent

log = logging.getLogger("quantdesk.solana.keeper")

FILL_ALREADY_SETTLED = 6017
"""The program's `FillAlreadySettled` error code."""


class ChainKeeper:
    """Settles fills and funding on chain and keeps the program's prices fresh."""

    def __init__(
        self,
        connection: SolanaConnection,
        db: Engine,
        catalog: MarketCatalog,
        clock: Clock,
        prices: Callable[[], Mapping[str, MarketPrices]],
        *,
        price_interval_s: float = 5.0,
        retry_s: float = 2.0,
    ) -> None:
        self.connection = connection
        self.db = db
        self.catalog = catalog
        self.clock = clock
        self.prices = prices
        self.price_interval_s = price_interval_s
        self.retry_s = retry_s
        wallets = Wallets(connection.keeper.pubkey())
        self.streams: list[Stream] = [
            kind(spec, wallets)
            for spec in catalog
            for kind in (FillStream, FundingPeriodStream, FundingPaymentStream)
        ]
        self.streams.append(LiquidationStream(catalog, wallets))
        self._keeper_account = False
        """Whether the keeper's own trading account (the liquidator's) is known to exist."""
        self.stalled: dict[str, str] = {}
        """Streams the chain refused, with the reason (cleared when they move again)."""
        self.landed = 0
        """Settlement transactions landed since the start."""
        self._wake = asyncio.Event()

    def wake(self, *_: object) -> None:
        """Settle soon (a trading commit listener)."""
        self._wake.set()

    def cursor(self, stream: Stream) -> int:
        """How far ``stream`` has settled."""
        with Session(self.db) as session:
            return load_progress(session, stream.name).cursor

    async def settle_pending(self) -> int:
        """Settle everything committed so far, stream by stream; how many transactions
        landed. A stream the chain refuses is left for the next call."""
        await self._open_keeper_account()
        landed = 0
        progressed = True
        while progressed:  # a stream may wait for another one settled after it in the list
            progressed = False
            for stream in self.streams:
                while await self._step(stream):
                    landed += 1
                    progressed = True
        return landed

    async def _open_keeper_account(self) -> None:
        """Open the keeper's own trading account on chain once (liquidations go into it)."""
        if self._keeper_account:
            return
        keeper = self.connection.keeper
        address = user_address(keeper.pubkey(), self.connection.program_id)
        if await self.connection.rpc.account(address, self.connection.sender.commitment) is None:
            opening = ix.initialize_user(keeper.pubkey(), self.connection.program_id)
            await self.connection.sender.send([opening], keeper, [keeper])
        self._keeper_account = True

    async def push_prices(self) -> bool:
        """Send every market's current mark and oracle prices; False if there are none."""
        keeper = self.connection.keeper
        current = self.prices()
        instructions = [
            ix.update_prices(
                keeper.pubkey(),
                spec.market_index,
                current[spec.symbol].mark,
                current[spec.symbol].oracle,
                self.connection.program_id,
            )
            for spec in self.catalog
            if spec.symbol in current
        ]
        if not instructions:
            return False
        await self.connection.sender.send(instructions, keeper, [keeper])
        return True

    async def run(self, stop: asyncio.Event) -> None:
        """Push prices every ``price_interval_s`` and settle whenever woken (or every
        ``retry_s`` while something is stalled) until ``stop`` is set."""
        next_prices = 0.0
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            if loop.time() >= next_prices:
                next_prices = loop.time() + self.price_interval_s
                try:
                    await self.push_prices()
                except SolanaError as error:
                    log.warning("prices not pushed on chain: %s", error)
            try:
                self.landed += await self.settle_pending()
            except (RpcUnavailable, ConfirmationTimeout) as error:
                log.warning("settlement paused: %s", error)
            self._wake.clear()
            pause = min(self.retry_s, max(0.0, next_prices - loop.time()))
            await first_of(stop, self._wake, timeout_s=pause or self.retry_s)

    async def _step(self, stream: Stream) -> bool:
        """Settle one transaction of ``stream``; False when there is nothing to do or the
        chain refused (the reason is in `stalled`)."""
        with Session(self.db) as session:
            progress = load_progress(session, stream.name)
            cursors = load_cursors(session)
            try:
                batch = None if progress.in_flight else stream.next_batch(session, cursors)
            except NotAWallet as error:
                self._stall(stream, str(error))
                return False
        if progress.in_flight is not None:
            return await self._resume(stream, progress.in_flight)
        if batch is None:
            return False
        return await self._send(stream, batch)

    async def _resume(self, stream: Stream, in_flight: InFlight) -> bool:
        wire = base64.b64decode(in_flight.wire) if in_flight.wire else None
        pending = PendingTransaction(in_flight.signature, in_flight.last_valid_block_height, wire)
        try:
            await self.connection.sender.resume(pending)
        except TransactionExpired:
            log.info("%s: %s expired without landing; building it again", stream.name, pending)
            self._store(lambda s: clear_in_flight(s, stream.name, self.clock.now_ms()))
            return True
        except SolanaError as error:
            return await self._refused(stream, in_flight.through, error)
        self._settled(stream, in_flight.through)
        return True

    async def _send(self, stream: Stream, batch: Batch) -> bool:
        async def remember(pending: PendingTransaction) -> None:
            wire = base64.b64encode(pending.wire).decode() if pending.wire else None
            in_flight = InFlight(
                batch.through, pending.signature, pending.last_valid_block_height, wire
            )
            self._store(lambda s: record_in_flight(s, stream.name, in_flight, self.clock.now_ms()))

        keeper = self.connection.keeper
        try:
            await self.connection.sender.send(
                batch.instructions, keeper, [keeper], on_signed=remember
            )
        except (RpcUnavailable, ConfirmationTimeout):
            raise
        except SolanaError as error:
            return await self._refused(stream, batch.through, error)
        self._settled(stream, batch.through)
        return True

    def _settled(self, stream: Stream, through: int) -> None:
        self._store(lambda s: advance(s, stream.name, through, self.clock.now_ms()))
        self.stalled.pop(stream.name, None)

    async def _refused(self, stream: Stream, through: int, error: SolanaError) -> bool:
        """A refusal: a fill already on chain moves the cursor to the chain's; anything
        else stalls the stream until the next attempt."""
        code = getattr(error, "custom_code", None)
        if isinstance(stream, FillStream) and code == FILL_ALREADY_SETTLED:
            settled = await self._last_fill_on_chain(stream)
            if settled is not None and settled > self.cursor(stream):
                self._settled(stream, min(settled, through))
                return True
        self._store(lambda s: clear_in_flight(s, stream.name, self.clock.now_ms()))
        if not isinstance(error, TransactionExpired):
            self._stall(stream, str(error))
        return False

    def _stall(self, stream: Stream, error: str) -> None:
        """Record that ``stream`` stopped (once per distinct reason)."""
        reason = error.splitlines()[0]
        if self.stalled.get(stream.name) != reason:
            log.error("on-chain settlement of %s stopped: %s", stream.name, error)
            self._store(lambda s: s.add(_stall_event(stream.name, reason, self.clock.now_ms())))
        self.stalled[stream.name] = reason

    async def _last_fill_on_chain(self, stream: FillStream) -> int | None:
        """The id of the last fill the chain settled in the stream's market (None if the
        market account cannot be read)."""
        address = market_address(stream.spec.market_index, self.connection.program_id)
        account = await self.connection.rpc.account(address, self.connection.sender.commitment)
        return None if account is None else decode_market(account.data).last_fill_id

    def _store(self, change: Callable[[Session], object]) -> None:
        with Session(self.db) as session:
            change(session)
            session.commit()


def _stall_event(stream: str, reason: str, now_ms: int) -> SystemEvent:
    return SystemEvent(
        kind="chain_settlement_stalled",
        message=f"on-chain settlement of {stream} stopped: {reason}"[:1024],
        created_at_ms=now_ms,
    )
