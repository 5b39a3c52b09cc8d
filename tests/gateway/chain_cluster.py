"""A gateway settling on the QuantDesk program, which runs on the local test cluster
(LiteSVM behind our loopback JSON-RPC node, the program executed natively): the operator's
set-up (a USDC quote mint, every catalog market, SOL listed as collateral, prices pushed),
wallets given SOL and tokens, and the gateway's `ChainTransfers` over that node."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from fastapi import FastAPI
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from spl.token.constants import TOKEN_PROGRAM_ID
from spl.token.instructions import (
    MintToCheckedParams,
    create_idempotent_associated_token_account,
    get_associated_token_address,
    mint_to_checked,
)
from sqlalchemy import Engine

from backend.domain.fixed_point import parse_price
from backend.domain.markets import MarketCatalog, MarketSpec
from backend.gateway.app import create_app
from backend.gateway.context import GatewayContext, make_context
from backend.services.clock import ManualClock
from backend.services.solana import instructions as ix
from backend.services.solana.accounts import UserAccount, decode_user
from backend.services.solana.confirm import SendPolicy
from backend.services.solana.idl import PROGRAM_ID
from backend.services.solana.pdas import user_address
from backend.services.solana.rpc import SolanaRpc
from backend.services.solana.sender import TransactionSender
from backend.services.solana.token_accounts import decode_token_account
from backend.services.solana.transfers import ChainTransfers
from backend.services.trading.commands import SetPrices
from backend.services.trading.service import TradingService
from tests.services.solana.conftest import fund
from tests.services.solana.onchain import create_mint
from tests.solana_rpc.cluster import LocalCluster
from tests.solana_rpc.server import SolanaRpcServer

SOL_LAMPORTS = 1_000_000_000
START_MS = 1_790_000_000_000
FAST = SendPolicy(timeout_s=10, poll_interval_s=0.01, rebroadcast_interval_s=0.05, max_signings=3)
"""Quick polls, so that a confirmation takes milliseconds on the local node."""
PRICES = {"BTC-PERP": "67000", "ETH-PERP": "3500", "SOL-PERP": "150"}
"""Reference prices pushed on chain and into the local state (the rest at their spec's)."""


@dataclass
class ChainExchange:
    """The program set up on the node by its operator, and the client to reach it."""

    node: SolanaRpcServer
    rpc: SolanaRpc
    sender: TransactionSender
    admin: Keypair
    keeper: Keypair
    mints: dict[str, Pubkey]
    """The collateral mints by symbol (the admin is their mint authority)."""

    async def fund(self, wallet: Pubkey, lamports: int) -> None:
        """Airdrop lamports and wait until the airdrop is confirmed."""
        await fund(self.rpc, wallet, lamports)

    async def give(self, wallet: Pubkey, symbol: str, units: int) -> Pubkey:
        """Mint ``units`` of ``symbol`` to the wallet's associated token account (created
        if missing); that account."""
        mint = self.mints[symbol]
        tokens = get_associated_token_address(wallet, mint)
        create = create_idempotent_associated_token_account(self.admin.pubkey(), wallet, mint)
        decimals = 6 if symbol == "USDC" else 9
        params = MintToCheckedParams(
            TOKEN_PROGRAM_ID, mint, tokens, self.admin.pubkey(), units, decimals, []
        )
        await self.sender.send([create, mint_to_checked(params)], self.admin)
        return tokens

    async def tokens(self, wallet: Pubkey, symbol: str) -> int:
        """The wallet's balance of ``symbol`` (0 without a token account)."""
        account = await self.rpc.account(
            get_associated_token_address(wallet, self.mints[symbol]), "confirmed"
        )
        return 0 if account is None else decode_token_account(account).amount

    async def user(self, wallet: Pubkey) -> UserAccount | None:
        """The wallet's trading account on chain, if it has one."""
        account = await self.rpc.account(user_address(wallet), "confirmed")
        return None if account is None else decode_user(account.data)

    async def trader(self, usdc_units: int = 0, sol: int = SOL_LAMPORTS) -> Keypair:
        """A new wallet with ``sol`` lamports for fees and ``usdc_units`` of USDC."""
        wallet = Keypair()
        await self.fund(wallet.pubkey(), sol)
        if usdc_units:
            await self.give(wallet.pubkey(), "USDC", usdc_units)
        return wallet


async def deploy(
    node: SolanaRpcServer, rpc: SolanaRpc, sender: TransactionSender, catalog: MarketCatalog
) -> ChainExchange:
    """Initialize the program with USDC as its quote asset, list every catalog market in
    index order, list SOL as collateral priced by SOL-PERP, and push every market's price."""
    exchange = ChainExchange(node, rpc, sender, Keypair(), Keypair(), {})
    for wallet in (exchange.admin, exchange.keeper):
        await exchange.fund(wallet.pubkey(), 100 * SOL_LAMPORTS)
    admin = exchange.admin.pubkey()
    for symbol, decimals in (("USDC", 6), ("SOL", 9)):
        mint, _ = await create_mint(rpc, sender, exchange.admin, decimals, exchange.admin)
        exchange.mints[symbol] = mint.pubkey()
    await sender.send(
        [ix.initialize(admin, exchange.mints["USDC"], exchange.keeper.pubkey(), 50_000, "USDC")],
        exchange.admin,
    )
    for spec in sorted(catalog, key=lambda s: s.market_index):
        params = ix.market_params(spec, Pubkey.new_unique())
        await sender.send([ix.add_market(admin, spec.market_index, params)], exchange.admin)
    sol = catalog.asset("SOL")
    await sender.send(
        [
            ix.add_collateral_asset(
                admin,
                exchange.mints["SOL"],
                "SOL",
                sol.initial_weight,
                sol.maintenance_weight,
                catalog.market("SOL-PERP").market_index,
            )
        ],
        exchange.admin,
    )
    keeper = exchange.keeper.pubkey()
    await sender.send(
        [ix.update_prices(keeper, spec.market_index, price(spec), price(spec)) for spec in catalog],
        exchange.keeper,
    )
    return exchange


def price(spec: MarketSpec) -> int:
    """The market's price in these tests (price units)."""
    text = PRICES.get(spec.symbol)
    return parse_price(text) if text else spec.reference_price


def local_prices(trading: TradingService) -> None:
    """The same prices in the local trading state."""
    for spec in trading.state.catalog:
        value = price(spec)
        trading.execute(SetPrices(spec.symbol, mark=value, oracle=value, last=value))


def solana_context(
    catalog: MarketCatalog,
    trading: TradingService,
    chain: ChainTransfers,
    clock: ManualClock,
) -> GatewayContext:
    """A gateway context in ``solana`` settlement: no paper money, transfers on chain."""
    context = make_context(catalog, "quantdesk.test", b"k" * 32, clock, trading=trading)
    context.paper_trading = False
    context.demo_capital = 0
    context.chain = chain
    return context


@dataclass
class ChainGateway:
    """A solana-mode gateway over the local cluster, and what the tests look at."""

    app: FastAPI
    trading: TradingService
    chain: ChainTransfers
    exchange: ChainExchange
    clock: ManualClock
    http: httpx.AsyncClient | None = None
    """A client of ``app`` in process (``chain_gateway``)."""

    @property
    def cluster(self) -> LocalCluster:
        """The local cluster behind the node."""
        return self.exchange.node.cluster


@asynccontextmanager
async def chain_stack(catalog: MarketCatalog, db: Engine) -> AsyncIterator[ChainGateway]:
    """The node, the program set up on it, and a solana-mode gateway app over both."""
    async with SolanaRpcServer() as node, SolanaRpc(node.url) as rpc:
        sender = TransactionSender(rpc, commitment="confirmed", policy=FAST)
        exchange = await deploy(node, rpc, sender, catalog)
        clock = ManualClock(START_MS)
        trading = TradingService(catalog, db, clock)
        local_prices(trading)
        chain = ChainTransfers(rpc, sender, PROGRAM_ID, trading, clock=clock, wait_s=10)
        app = create_app(solana_context(catalog, trading, chain, clock))
        yield ChainGateway(app, trading, chain, exchange, clock)
    assert node.cluster.problems == []


@asynccontextmanager
async def chain_gateway(catalog: MarketCatalog, db: Engine) -> AsyncIterator[ChainGateway]:
    """`chain_stack` with an in-process HTTP client of its gateway (``.http``)."""
    async with chain_stack(catalog, db) as stack:
        transport = httpx.ASGITransport(app=stack.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
            stack.http = http
            yield stack
