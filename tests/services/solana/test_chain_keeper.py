"""The settlement keeper against the program running on the local cluster: what the
trading service committed is settled on chain in order and once, so the on-chain
accounts hold exactly what the local ledger holds, across a crash mid-send, a lost
cursor, and funding periods between fills."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from solders.keypair import Keypair
from sqlalchemy import Engine
from sqlmodel import Session, select

from backend.domain.fixed_point import parse_price
from backend.domain.markets import MarketCatalog
from backend.services.clock import ManualClock
from backend.services.solana.connection import SolanaConnection
from backend.services.solana.idl import PROGRAM_ID
from backend.services.solana.keeper import ChainKeeper
from backend.services.solana.rpc import SolanaRpc
from backend.services.solana.sender import TransactionSender
from backend.services.solana.streams import FILLS_PER_TRANSACTION, fills_stream
from backend.services.trading.commands import Deposit, SetPrices, Submit, Tick
from backend.services.trading.risk_keeper import KEEPER
from backend.services.trading.service import TradingService
from backend.store.chain_progress import load_progress
from backend.store.database import create_engine_for
from backend.store.migrate import upgrade_to_head
from backend.store.models import ChainProgress, SystemEvent
from tests.domain.order_factory import request
from tests.services.solana.conftest import FAST
from tests.services.solana.onchain import OnChainExchange
from tests.solana_rpc.server import SolanaRpcServer

USDC = 1_000_000
HOUR_MS = 3_600_000
START_MS = 1_790_000_000_000 // HOUR_MS * HOUR_MS
SOL_PERP = 2
SOL_FILLS = fills_stream("SOL-PERP")
SOL_TRADE = 3 * 10**12
"""SOL-PERP's trade ids start after this (market index 2: (2 + 1) * 1e12)."""


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite store."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    upgrade_to_head(url)
    engine = create_engine_for(url)
    yield engine
    engine.dispose()


class Desk:
    """The local exchange (trading service on its store) and the same exchange on chain."""

    def __init__(
        self, trading: TradingService, chain: OnChainExchange, clock: ManualClock, rpc, sender
    ) -> None:
        self.trading, self.chain, self.clock = trading, chain, clock
        self.rpc, self.sender = rpc, sender
        self.wallets: dict[str, Keypair] = {}

    def keeper(self, sender: TransactionSender | None = None) -> ChainKeeper:
        connection = SolanaConnection(
            self.rpc, sender or self.sender, PROGRAM_ID, self.chain.keeper
        )
        return ChainKeeper(
            connection,
            self.trading.database,
            self.trading.state.catalog,
            self.clock,
            lambda: self.trading.state.prices,
        )

    async def trader(self, name: str, usdc: int) -> str:
        wallet = Keypair()
        self.wallets[name] = wallet
        await self.chain.open_trader(wallet, usdc * USDC)
        account = str(wallet.pubkey())
        self.trading.execute(Deposit(account, "USDC", usdc * USDC))
        return account

    def order(self, side: str, price: str, size: str, account: str) -> None:
        self.trading.execute(Submit(request(side, price=price, size=size, account=account)))

    async def assert_chain_matches_ledger(self, with_keeper: bool = False) -> None:
        """Every trader's on-chain balance and positions are the ledger's (and the
        liquidation keeper's, whose wallet is the settlement keeper's)."""
        ledger = self.trading.state.ledger
        catalog = self.trading.state.catalog
        accounts = {name: (str(w.pubkey()), w.pubkey()) for name, w in self.wallets.items()}
        if with_keeper:
            accounts["keeper"] = (KEEPER, self.chain.keeper.pubkey())
        for name, (account_id, wallet) in accounts.items():
            local = ledger.account(account_id)
            on_chain = await self.chain.user(wallet)
            assert on_chain.collateral[0] == local.balance("USDC"), name
            held = {
                catalog.market(p.market).market_index: (p.base, p.quote_entry, p.last_funding_index)
                for p in local.positions.values()
                if p.base or p.quote_entry
            }
            chain_held = {
                p.market_index: (p.base, p.quote_entry, p.last_funding_index)
                for p in on_chain.positions
            }
            assert chain_held == held, name


@pytest.fixture
async def desk(
    node: SolanaRpcServer, rpc: SolanaRpc, catalog: MarketCatalog, store: Engine
) -> AsyncIterator[Desk]:
    sender = TransactionSender(rpc, commitment="confirmed", policy=FAST)
    chain = await OnChainExchange.deploy(rpc, sender, catalog)
    clock = ManualClock(START_MS)
    trading = TradingService(catalog, store, clock)
    trading.state.paper_keeper = False  # the keeper's collateral is on chain, like everyone's
    trading.execute(SetPrices("SOL-PERP", mark=parse_price("150"), oracle=parse_price("150")))
    yield Desk(trading, chain, clock, rpc, sender)


async def test_committed_fills_settle_on_chain_as_the_ledger_settled_them(desk: Desk) -> None:
    alice, bob = await desk.trader("alice", 20_000), await desk.trader("bob", 20_000)
    for step in range(FILLS_PER_TRANSACTION + 2):  # two transactions' worth
        desk.order("sell", f"{150 + step}", "1.5", alice)
        desk.order("buy", f"{150 + step}", "1.5", bob)
    desk.order("sell", "149", "20", bob)  # bob flips short against alice's bid below
    desk.order("buy", "149", "20", alice)
    keeper = desk.keeper()
    assert await keeper.push_prices()
    assert await keeper.settle_pending() == 2
    await desk.assert_chain_matches_ledger()
    config = await desk.chain.config()
    assert config.fees_collected == desk.trading.state.ledger.fees_collected
    assert config.insurance_fund == desk.trading.state.ledger.insurance_fund
    market = await desk.chain.market(SOL_PERP)
    assert market.mark_price == parse_price("150")
    assert await keeper.settle_pending() == 0, "nothing left: nothing sent"


async def test_a_crash_mid_send_is_resumed_and_lands_once(
    desk: Desk, node: SolanaRpcServer
) -> None:
    alice, bob = await desk.trader("alice", 20_000), await desk.trader("bob", 20_000)
    await desk.keeper().settle_pending()  # the keeper's own account opens; no fill yet
    desk.order("sell", "150", "2", alice)
    desk.order("buy", "150", "2", bob)
    node.cluster.faults.drop_sends = 1_000  # every broadcast is lost: it cannot land
    first = asyncio.create_task(desk.keeper().settle_pending())

    def in_flight() -> bool:
        with Session(desk.trading.database) as session:
            return load_progress(session, SOL_FILLS).in_flight is not None

    async with asyncio.timeout(10):
        while not in_flight():
            await asyncio.sleep(0.01)
    first.cancel()  # the process dies with the transaction signed and recorded
    with pytest.raises(asyncio.CancelledError):
        await first
    node.cluster.faults.drop_sends = 0
    executed_before = len(node.cluster.executed)
    assert await desk.keeper().settle_pending() == 1
    assert len(node.cluster.executed) == executed_before + 1, "re-broadcast, not rebuilt"
    await desk.assert_chain_matches_ledger()


async def test_a_lost_cursor_is_mended_from_the_chain_without_settling_twice(
    desk: Desk,
) -> None:
    alice, bob = await desk.trader("alice", 20_000), await desk.trader("bob", 20_000)
    for _ in range(3):
        desk.order("sell", "150", "1", alice)
        desk.order("buy", "150", "1", bob)
    keeper = desk.keeper()
    await keeper.settle_pending()
    with Session(desk.trading.database) as session:  # the store forgot the last settlement
        row = session.get(ChainProgress, SOL_FILLS)
        row.cursor = 0
        session.commit()
    desk.order("sell", "151", "1", alice)
    desk.order("buy", "151", "1", bob)
    assert await keeper.settle_pending() >= 1
    await desk.assert_chain_matches_ledger()
    [stream] = [s for s in keeper.streams if s.name == SOL_FILLS]
    assert keeper.cursor(stream) == SOL_TRADE + 4
    market = await desk.chain.market(SOL_PERP)
    assert market.last_fill_id == SOL_TRADE + 4


async def test_funding_settles_between_the_fills_before_and_after_it(
    desk: Desk, node: SolanaRpcServer
) -> None:
    alice, bob = await desk.trader("alice", 20_000), await desk.trader("bob", 20_000)
    desk.order("sell", "150", "10", alice)
    desk.order("buy", "150", "10", bob)  # bob long 10, alice short 10
    desk.clock.advance(60_000)
    desk.trading.execute(
        SetPrices("SOL-PERP", mark=parse_price("151.5"), oracle=parse_price("150"))
    )
    desk.clock.advance(HOUR_MS)
    period = desk.trading.execute(Tick()).funding
    assert period and period[0].rate > 0
    desk.order("sell", "151", "4", bob)  # after the period: bob reduces
    desk.order("buy", "151", "4", alice)
    node.cluster.warp_seconds(3_600)
    keeper = desk.keeper()
    await keeper.push_prices()
    await keeper.settle_pending()
    await desk.assert_chain_matches_ledger()
    market = await desk.chain.market(SOL_PERP)
    assert market.funding_index == desk.trading.state.ledger.funding_index["SOL-PERP"]
    assert market.last_funding_rate == period[0].rate
    config = await desk.chain.config()
    assert config.insurance_fund == desk.trading.state.ledger.insurance_fund


async def test_an_account_that_is_not_a_wallet_stops_the_stream_and_says_so(desk: Desk) -> None:
    alice = await desk.trader("alice", 20_000)
    desk.trading.execute(Deposit("maker:agent", "USDC", 10_000 * USDC))
    desk.order("sell", "150", "1", "maker:agent")
    desk.order("buy", "150", "1", alice)
    keeper = desk.keeper()
    assert await keeper.settle_pending() == 0
    assert "not a wallet" in keeper.stalled[SOL_FILLS]
    with Session(desk.trading.database) as session:
        events = session.exec(select(SystemEvent)).all()
    assert [e.kind for e in events] == ["chain_settlement_stalled"]
    assert await keeper.settle_pending() == 0
    with Session(desk.trading.database) as session:  # the same reason is recorded once
        assert len(session.exec(select(SystemEvent)).all()) == 1


async def test_the_running_keeper_settles_each_commit_and_stops_when_told(desk: Desk) -> None:
    alice, bob = await desk.trader("alice", 20_000), await desk.trader("bob", 20_000)
    keeper = desk.keeper()
    desk.trading.on_commit(keeper.wake)
    stop = asyncio.Event()
    running = asyncio.create_task(keeper.run(stop))
    desk.order("sell", "150", "3", alice)
    desk.order("buy", "150", "3", bob)
    async with asyncio.timeout(10):
        while keeper.landed < 1:
            await asyncio.sleep(0.01)
    await desk.assert_chain_matches_ledger()
    assert (await desk.chain.market(SOL_PERP)).price_updated_at > 0, "prices were pushed"
    stop.set()
    async with asyncio.timeout(5):
        await running


async def test_a_liquidation_is_settled_on_chain_at_the_prices_it_was_decided_at(
    desk: Desk,
) -> None:
    alice, bob = await desk.trader("alice", 1_000), await desk.trader("bob", 100_000)
    desk.order("sell", "150", "55", bob)
    desk.order("buy", "150", "55", alice)  # 8,250 USDC of SOL on 1,000
    desk.clock.advance(1_000)
    drop = desk.trading.execute(
        SetPrices("SOL-PERP", mark=parse_price("138.05"), oracle=parse_price("138"))
    )
    assert drop.liquidations and drop.liquidations[0].closed
    desk.clock.advance(1_000)
    desk.order("buy", "139", "5", bob)  # after the liquidation, alice reduces further
    desk.order("sell", "139", "5", alice)
    keeper = desk.keeper()
    await keeper.push_prices()  # today's prices first: the liquidation must send its own
    assert await keeper.settle_pending() == 3, keeper.stalled
    await desk.assert_chain_matches_ledger(with_keeper=True)
    config = await desk.chain.config()
    assert config.insurance_fund == desk.trading.state.ledger.insurance_fund
    market = await desk.chain.market(SOL_PERP)
    ledger = desk.trading.state.ledger
    longs = sum(
        max(0, a.positions["SOL-PERP"].base)
        for a in ledger.accounts.values()
        if "SOL-PERP" in a.positions
    )
    assert market.open_interest == longs > 0
