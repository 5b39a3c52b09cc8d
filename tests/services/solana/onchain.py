"""The QuantDesk program deployed on the local test cluster as an operator would set it up:
a USDC-like quote mint, the config, the catalog's markets, and traders who opened an
account and deposited through the real vault."""

from __future__ import annotations

from dataclasses import dataclass

from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.system_program import CreateAccountParams, create_account
from spl.token.constants import MINT_LEN, TOKEN_PROGRAM_ID
from spl.token.instructions import (
    InitializeMintParams,
    MintToCheckedParams,
    create_associated_token_account,
    get_associated_token_address,
    initialize_mint,
    mint_to_checked,
)

from backend.domain.markets import MarketCatalog
from backend.services.solana import instructions as ix
from backend.services.solana.accounts import (
    ConfigAccount,
    MarketAccount,
    UserAccount,
    decode_config,
    decode_market,
    decode_user,
)
from backend.services.solana.pdas import config_address, market_address, user_address
from backend.services.solana.rpc import SolanaRpc
from backend.services.solana.sender import TransactionSender
from tests.services.solana.conftest import SOL, fund

USDC_DECIMALS = 6


async def create_mint(
    rpc: SolanaRpc,
    sender: TransactionSender,
    payer: Keypair,
    decimals: int = USDC_DECIMALS,
    authority: Keypair | None = None,
) -> tuple[Keypair, Keypair]:
    """A new mint of ``decimals``, and its mint authority (a new key unless given)."""
    mint, authority = Keypair(), authority or Keypair()
    rent = await rpc.rent_exempt_minimum(MINT_LEN)
    new_account = CreateAccountParams(
        from_pubkey=payer.pubkey(),
        to_pubkey=mint.pubkey(),
        lamports=rent,
        space=MINT_LEN,
        owner=TOKEN_PROGRAM_ID,
    )
    setup = InitializeMintParams(
        decimals, TOKEN_PROGRAM_ID, mint.pubkey(), authority.pubkey(), None
    )
    await sender.send([create_account(new_account), initialize_mint(setup)], payer, [mint])
    return mint, authority


@dataclass
class OnChainExchange:
    """The deployed program's admin, keeper and quote mint, and the client to reach it."""

    rpc: SolanaRpc
    sender: TransactionSender
    admin: Keypair
    keeper: Keypair
    usdc: Pubkey
    mint_authority: Keypair

    @classmethod
    async def deploy(
        cls, rpc: SolanaRpc, sender: TransactionSender, catalog: MarketCatalog
    ) -> OnChainExchange:
        """Initialize the program with a USDC quote asset and list every catalog market."""
        admin, keeper = Keypair(), Keypair()
        for wallet in (admin, keeper):
            await fund(rpc, wallet.pubkey(), 100 * SOL)
        mint, authority = await create_mint(rpc, sender, admin)
        usdc = mint.pubkey()
        await sender.send(
            [ix.initialize(admin.pubkey(), usdc, keeper.pubkey(), 50_000, "USDC")], admin
        )
        for spec in sorted(catalog, key=lambda s: s.market_index):
            params = ix.market_params(spec, Pubkey.new_unique())
            await sender.send([ix.add_market(admin.pubkey(), spec.market_index, params)], admin)
        return cls(rpc, sender, admin, keeper, usdc, authority)

    async def open_trader(self, wallet: Keypair, usdc_units: int) -> None:
        """Fund ``wallet``, give it ``usdc_units`` of USDC, open its account and deposit it all."""
        await fund(self.rpc, wallet.pubkey(), 10 * SOL)
        tokens = get_associated_token_address(wallet.pubkey(), self.usdc)
        mint = MintToCheckedParams(
            TOKEN_PROGRAM_ID,
            self.usdc,
            tokens,
            self.mint_authority.pubkey(),
            usdc_units,
            USDC_DECIMALS,
            [],
        )
        create = create_associated_token_account(wallet.pubkey(), wallet.pubkey(), self.usdc)
        await self.sender.send([create, mint_to_checked(mint)], wallet, [self.mint_authority])
        await self.sender.send(
            [
                ix.initialize_user(wallet.pubkey()),
                ix.deposit(wallet.pubkey(), tokens, self.usdc, 0, usdc_units),
            ],
            wallet,
        )

    async def user(self, wallet: Pubkey) -> UserAccount:
        """The wallet's trading account on chain."""
        account = await self.rpc.account(user_address(wallet), "confirmed")
        assert account is not None, f"no on-chain account for {wallet}"
        return decode_user(account.data)

    async def market(self, index: int) -> MarketAccount:
        """Market ``index`` on chain."""
        account = await self.rpc.account(market_address(index), "confirmed")
        assert account is not None
        return decode_market(account.data)

    async def config(self) -> ConfigAccount:
        """The config on chain."""
        account = await self.rpc.account(config_address(), "confirmed")
        assert account is not None
        return decode_config(account.data)
