"""The QuantDesk program executed for real on the local cluster, reached through our
Solana client (instructions, sender, RPC, decoders): the program runs natively behind the
node (``tests/solana_rpc/native_execution.py``), its SPL Token vault in LiteSVM, and the
node answers with the statuses, logs, errors and fees a real one gives."""

from __future__ import annotations

import base64
import struct
from dataclasses import dataclass

import pytest
from solders.account import Account
from solders.address_lookup_table_account import AddressLookupTableAccount
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.message import MessageV0
from solders.pubkey import Pubkey
from solders.signature import Signature
from solders.system_program import ID as SYSTEM_PROGRAM_ID
from solders.transaction import Transaction, VersionedTransaction
from spl.token.constants import TOKEN_PROGRAM_ID
from spl.token.instructions import (
    CloseAccountParams,
    MintToCheckedParams,
    close_account,
    create_associated_token_account,
    create_idempotent_associated_token_account,
    get_associated_token_address,
    mint_to_checked,
)

from backend.domain.markets import load_default_catalog
from backend.services.solana import instructions as ix
from backend.services.solana.accounts import (
    MarketAccount,
    UserAccount,
    decode_config,
    decode_event,
    decode_market,
    decode_user,
)
from backend.services.solana.errors import SimulationFailed
from backend.services.solana.idl import PROGRAM_ID as CLIENT_PROGRAM_ID
from backend.services.solana.pdas import (
    config_address,
    market_address,
    user_address,
    vault_address,
)
from backend.services.solana.rpc import SolanaRpc
from backend.services.solana.sender import TransactionSender
from backend.services.solana.signing import sign_transaction
from backend.services.solana.token_accounts import decode_token_account
from tests.services.solana.conftest import SOL, fund
from tests.services.solana.onchain import create_mint
from tests.solana_rpc.cluster import GENESIS_UNIX_TIME, LocalCluster
from tests.solana_rpc.deployment import UPGRADEABLE_LOADER, program_data_address
from tests.solana_rpc.native_execution import (
    FEE_PER_SIGNATURE,
    LOOKUP_TABLE_META_SIZE,
    LOOKUP_TABLE_PROGRAM,
)
from tests.solana_rpc.native_program import (
    PROGRAM_ID,
    NativeRuntimeError,
)
from tests.solana_rpc.server import SolanaRpcServer

USDC = 10**6
CATALOG = load_default_catalog()
SOL_PERP = CATALOG.market("SOL-PERP")
PRICE = SOL_PERP.reference_price
"""150 USDC a SOL, on the market's tick."""
ONE_SOL = 100 * SOL_PERP.lot_size
TOKEN = str(TOKEN_PROGRAM_ID)


@dataclass
class Exchange:
    """The program initialised on the node: the keeper, the USDC mint, the catalog's
    markets, and two traders with USDC in their wallets and open trading accounts."""

    node: SolanaRpcServer
    rpc: SolanaRpc
    sender: TransactionSender
    admin: Keypair
    keeper: Keypair
    mint: Pubkey
    alice: Keypair
    bob: Keypair

    @property
    def vault(self) -> Pubkey:
        """The program's USDC vault."""
        return vault_address(self.mint)

    async def send(self, instructions: list[Instruction], payer: Keypair) -> str:
        """Land the instructions, paid and signed by ``payer``; the signature."""
        return (await self.sender.send(instructions, payer)).signature

    def logs(self, signature: str) -> list[str]:
        """The logs the node recorded for a landed transaction."""
        return self.node.cluster.statuses[signature].logs

    async def data(self, address: Pubkey) -> bytes:
        """An account's data as the node has it now."""
        account = await self.rpc.account(address, "confirmed")
        assert account is not None, f"no account at {address}"
        return account.data

    async def tokens(self, address: Pubkey) -> int:
        """A token account's balance."""
        return decode_token_account(await self.rpc.account(address, "confirmed")).amount

    async def user(self, wallet: Keypair) -> UserAccount:
        """The wallet's trading account."""
        return decode_user(await self.data(user_address(wallet.pubkey())))

    async def market(self) -> MarketAccount:
        """SOL-PERP's market account."""
        return decode_market(await self.data(market_address(SOL_PERP.market_index)))

    def wallet_usdc(self, wallet: Keypair) -> Pubkey:
        """The wallet's USDC token account."""
        return get_associated_token_address(wallet.pubkey(), self.mint)

    def deposit(self, wallet: Keypair, amount: int) -> Instruction:
        """A deposit of ``amount`` USDC units from the wallet."""
        return ix.deposit(wallet.pubkey(), self.wallet_usdc(wallet), self.mint, 0, amount)

    def withdraw(self, wallet: Keypair, amount: int) -> Instruction:
        """A withdrawal of ``amount`` USDC units, margin-checked against SOL-PERP."""
        return ix.withdraw(
            wallet.pubkey(), self.wallet_usdc(wallet), self.mint, 0, amount, [SOL_PERP.market_index]
        )

    def fill(self, fill_id: int, size: int = ONE_SOL) -> Instruction:
        """SOL-PERP fill ``fill_id``: alice buys ``size`` from bob at ``PRICE``."""
        return ix.settle_fill(
            self.keeper.pubkey(),
            SOL_PERP.market_index,
            self.alice.pubkey(),
            self.bob.pubkey(),
            fill_id,
            "buy",
            PRICE,
            size,
        )

    def push_price(self, price: int = PRICE) -> Instruction:
        """The keeper's SOL-PERP mark and oracle price."""
        return ix.update_prices(self.keeper.pubkey(), SOL_PERP.market_index, price, price)

    async def trade(self) -> str:
        """Both traders deposit 1,000 USDC, then fill 1 settles: alice long 1 SOL."""
        await self.send([self.deposit(self.alice, 1_000 * USDC)], self.alice)
        await self.send([self.deposit(self.bob, 1_000 * USDC)], self.bob)
        return await self.send([self.fill(1)], self.keeper)


async def open_trader(
    rpc: SolanaRpc, sender: TransactionSender, admin: Keypair, mint: Pubkey
) -> Keypair:
    """A wallet with 1 SOL, 10,000 USDC and an open trading account."""
    wallet = Keypair()
    await fund(rpc, wallet.pubkey(), SOL)
    tokens = get_associated_token_address(wallet.pubkey(), mint)
    give = MintToCheckedParams(TOKEN_PROGRAM_ID, mint, tokens, admin.pubkey(), 10_000 * USDC, 6, [])
    create = create_associated_token_account(wallet.pubkey(), wallet.pubkey(), mint)
    await sender.send([create, mint_to_checked(give)], wallet, [admin])
    await sender.send([ix.initialize_user(wallet.pubkey())], wallet)
    return wallet


@pytest.fixture
async def exchange(
    node: SolanaRpcServer, rpc: SolanaRpc, sender: TransactionSender, payer: Keypair
) -> Exchange:
    """Initialise the program, list the catalog's markets in index order, push SOL-PERP's
    price and open two traders. ``payer`` (the conftest's funded fee payer) is the keeper."""
    admin = Keypair()
    await fund(rpc, admin.pubkey(), 10 * SOL)
    mint_key, _ = await create_mint(rpc, sender, admin, 6, admin)
    mint = mint_key.pubkey()
    await sender.send([ix.initialize(admin.pubkey(), mint, payer.pubkey(), 50_000, "USDC")], admin)
    for spec in sorted(CATALOG, key=lambda s: s.market_index):
        params = ix.market_params(spec, Pubkey.new_unique())
        await sender.send([ix.add_market(admin.pubkey(), spec.market_index, params)], admin)
    alice = await open_trader(rpc, sender, admin, mint)
    bob = await open_trader(rpc, sender, admin, mint)
    exchange = Exchange(node, rpc, sender, admin, payer, mint, alice, bob)
    await exchange.send([exchange.push_price()], payer)
    return exchange


def events(logs: list[str]) -> list[tuple[str, dict]]:
    """The program's events in ``logs`` (its ``Program data:`` lines), decoded."""
    prefix = "Program data: "
    return [
        decode_event(base64.b64decode(line.removeprefix(prefix)))
        for line in logs
        if line.startswith(prefix)
    ]


async def test_the_program_is_deployed_as_the_upgradeable_loader_leaves_it(
    rpc: SolanaRpc,
) -> None:
    program = await rpc.account(PROGRAM_ID, "confirmed")
    data = await rpc.account(program_data_address(PROGRAM_ID), "confirmed")

    assert PROGRAM_ID == CLIENT_PROGRAM_ID
    assert program is not None and data is not None
    assert (program.executable, program.owner) == (True, UPGRADEABLE_LOADER)
    assert program.data == struct.pack("<I", 2) + bytes(program_data_address(PROGRAM_ID))
    assert (data.executable, data.owner, data.data[:4]) == (False, UPGRADEABLE_LOADER, b"\3\0\0\0")


async def test_initialize_lists_usdc_and_the_catalog_markets(exchange: Exchange) -> None:
    config = decode_config(await exchange.data(config_address()))
    sol = await exchange.market()
    vault = decode_token_account(await exchange.rpc.account(exchange.vault, "confirmed"))

    assert (config.admin, config.keeper) == (exchange.admin.pubkey(), exchange.keeper.pubkey())
    assert config.market_count == len(CATALOG.markets)
    (usdc,) = config.assets
    assert (usdc.symbol, usdc.mint, usdc.vault, usdc.decimals) == (
        "USDC",
        exchange.mint,
        exchange.vault,
        6,
    )
    assert (vault.mint, vault.owner, vault.amount) == (exchange.mint, config_address(), 0)
    assert sol.params == ix.market_params(SOL_PERP, sol.params.oracle)
    assert (sol.index, sol.status) == (SOL_PERP.market_index, "Active")
    assert (sol.mark_price, sol.oracle_price) == (PRICE, PRICE)
    assert sol.price_updated_at == GENESIS_UNIX_TIME  # the cluster's clock


async def test_a_deposit_moves_usdc_through_the_real_vault(exchange: Exchange) -> None:
    signature = await exchange.send(
        [exchange.deposit(exchange.alice, 2_500 * USDC)], exchange.alice
    )

    assert await exchange.tokens(exchange.wallet_usdc(exchange.alice)) == 7_500 * USDC
    assert await exchange.tokens(exchange.vault) == 2_500 * USDC
    user = await exchange.user(exchange.alice)
    assert (user.authority, user.collateral[0], user.positions) == (
        exchange.alice.pubkey(),
        2_500 * USDC,
        (),
    )
    logs = exchange.logs(signature)
    assert logs[:4] == [
        f"Program {PROGRAM_ID} invoke [1]",
        "Program log: Instruction: Deposit",
        f"Program {TOKEN} invoke [2]",
        "Program log: Instruction: Transfer",
    ]
    assert logs[-2:] == [f"Program {TOKEN} success", f"Program {PROGRAM_ID} success"]


async def test_a_settled_fill_opens_both_positions_and_emits_its_event(
    exchange: Exchange,
) -> None:
    keeper_before = await exchange.rpc.balance(exchange.keeper.pubkey(), "confirmed")

    signature = await exchange.trade()

    alice, bob = await exchange.user(exchange.alice), await exchange.user(exchange.bob)
    assert [(p.market_index, p.base) for p in alice.positions] == [(SOL_PERP.market_index, ONE_SOL)]
    assert [(p.market_index, p.base) for p in bob.positions] == [(SOL_PERP.market_index, -ONE_SOL)]
    taker_fee = PRICE * ONE_SOL // 10**9 * SOL_PERP.taker_fee // 10**6
    maker_fee = PRICE * ONE_SOL // 10**9 * SOL_PERP.maker_fee // 10**6
    assert alice.collateral[0] == 1_000 * USDC - taker_fee
    assert bob.collateral[0] == 1_000 * USDC - maker_fee
    market = await exchange.market()
    assert (market.open_interest, market.last_fill_id) == (ONE_SOL, 1)
    assert events(exchange.logs(signature)) == [
        (
            "FillSettled",
            {
                "market_index": SOL_PERP.market_index,
                "fill_id": 1,
                "taker": user_address(exchange.alice.pubkey()),
                "maker": user_address(exchange.bob.pubkey()),
                "taker_side": "Buy",
                "price": PRICE,
                "size": ONE_SOL,
                "taker_fee": taker_fee,
                "maker_fee": maker_fee,
            },
        )
    ]
    # One signature, the keeper's: the base fee and nothing else.
    keeper_after = await exchange.rpc.balance(exchange.keeper.pubkey(), "confirmed")
    assert keeper_before - keeper_after == FEE_PER_SIGNATURE


async def test_withdrawals_are_checked_by_margin_and_a_refusal_moves_nothing(
    exchange: Exchange,
) -> None:
    await exchange.trade()
    await exchange.send([exchange.withdraw(exchange.alice, 500 * USDC)], exchange.alice)
    assert await exchange.tokens(exchange.wallet_usdc(exchange.alice)) == 9_500 * USDC
    assert await exchange.tokens(exchange.vault) == 1_500 * USDC
    before = await exchange.user(exchange.alice)
    sends = list(exchange.node.cluster.sends)

    with pytest.raises(SimulationFailed) as refused:
        everything = exchange.withdraw(exchange.alice, before.collateral[0])
        await exchange.sender.send([everything], exchange.alice)

    assert refused.value.custom_code == 6006
    assert any("Error Code: InsufficientMargin" in line for line in refused.value.logs)
    assert refused.value.logs[-1] == (
        f"Program {PROGRAM_ID} failed: custom program error: {6006:#x}"
    )
    assert exchange.node.cluster.sends == sends  # nothing was broadcast
    assert await exchange.user(exchange.alice) == before
    assert await exchange.tokens(exchange.wallet_usdc(exchange.alice)) == 9_500 * USDC
    assert await exchange.tokens(exchange.vault) == 1_500 * USDC


async def test_a_withdrawal_may_open_the_wallets_token_account_in_the_same_transaction(
    exchange: Exchange,
) -> None:
    alice, usdc = exchange.alice, exchange.wallet_usdc(exchange.alice)
    await exchange.send([exchange.deposit(alice, 10_000 * USDC)], alice)
    closing = CloseAccountParams(TOKEN_PROGRAM_ID, usdc, alice.pubkey(), alice.pubkey())
    await exchange.send([close_account(closing)], alice)
    assert await exchange.rpc.account(usdc, "confirmed") is None
    reopen = create_idempotent_associated_token_account(
        alice.pubkey(), alice.pubkey(), exchange.mint
    )
    blockhash = (await exchange.rpc.latest_blockhash("confirmed")).blockhash
    # The real Associated Token Account program, in LiteSVM, for reference.
    reference = await exchange.rpc.simulate(
        sign_transaction([reopen], alice, [], blockhash), "confirmed"
    )

    signature = await exchange.send([reopen, exchange.withdraw(alice, 100 * USDC)], alice)

    assert await exchange.tokens(usdc) == 100 * USDC
    assert (await exchange.user(alice)).collateral[0] == 9_900 * USDC
    metered = [line for line in reference.logs if " consumed " not in line]
    assert exchange.logs(signature)[: len(metered)] == metered


async def test_a_fill_id_is_settled_once(exchange: Exchange) -> None:
    await exchange.trade()
    alice, market = await exchange.user(exchange.alice), await exchange.market()

    with pytest.raises(SimulationFailed) as refused:
        await exchange.sender.send([exchange.fill(1)], exchange.keeper)

    assert refused.value.custom_code == 6017
    assert any("Error Code: FillAlreadySettled" in line for line in refused.value.logs)
    assert await exchange.user(exchange.alice) == alice
    assert await exchange.market() == market


async def test_a_failing_transaction_that_lands_pays_its_fee_and_changes_nothing(
    exchange: Exchange,
) -> None:
    await exchange.trade()
    alice, market = await exchange.user(exchange.alice), await exchange.market()
    keeper_before = await exchange.rpc.balance(exchange.keeper.pubkey(), "confirmed")
    blockhash = (await exchange.rpc.latest_blockhash("confirmed")).blockhash
    replay = sign_transaction([exchange.fill(1)], exchange.keeper, [], blockhash)

    signature = await exchange.rpc.send_raw(bytes(replay))  # no preflight: it lands

    status = await exchange.rpc.signature_status(signature)
    assert status is not None
    assert status.error == {"InstructionError": [0, {"Custom": 6017}]}
    assert exchange.logs(str(signature))[-1] == (
        f"Program {PROGRAM_ID} failed: custom program error: {6017:#x}"
    )
    keeper_after = await exchange.rpc.balance(exchange.keeper.pubkey(), "confirmed")
    assert keeper_before - keeper_after == FEE_PER_SIGNATURE
    assert await exchange.user(exchange.alice) == alice
    assert await exchange.market() == market


async def test_a_simulation_runs_the_program_without_committing(exchange: Exchange) -> None:
    blockhash = (await exchange.rpc.latest_blockhash("confirmed")).blockhash
    deposit = exchange.deposit(exchange.alice, 100 * USDC)
    tx = sign_transaction([deposit], exchange.alice, [], blockhash)
    balance = await exchange.rpc.balance(exchange.alice.pubkey(), "confirmed")

    outcome = await exchange.rpc.simulate(tx, "confirmed")

    assert outcome.error is None
    assert "Program log: Instruction: Deposit" in outcome.logs
    assert outcome.logs[-1] == f"Program {PROGRAM_ID} success"
    assert await exchange.tokens(exchange.vault) == 0
    assert (await exchange.user(exchange.alice)).collateral[0] == 0
    assert await exchange.rpc.balance(exchange.alice.pubkey(), "confirmed") == balance
    assert str(tx.signatures[0]) not in exchange.node.cluster.statuses


async def test_a_v0_transaction_reads_its_accounts_from_a_lookup_table(
    exchange: Exchange,
) -> None:
    # The table is put in place as genesis state: the lookup table program is LiteSVM's.
    table = Pubkey.new_unique()
    addresses = [config_address(), market_address(SOL_PERP.market_index)]
    header = struct.pack("<IQQB", 1, 2**64 - 1, 0, 0)  # a LookupTable, never deactivated
    data = header.ljust(LOOKUP_TABLE_META_SIZE, b"\0") + b"".join(bytes(a) for a in addresses)
    cluster = exchange.node.cluster
    rent = cluster.svm.minimum_balance_for_rent_exemption(len(data))
    cluster.svm.set_account(table, Account(rent, data, LOOKUP_TABLE_PROGRAM, False, 0))
    cluster.warp_seconds(20)
    blockhash = (await exchange.rpc.latest_blockhash("confirmed")).blockhash
    message = MessageV0.try_compile(
        exchange.keeper.pubkey(),
        [exchange.push_price(PRICE + SOL_PERP.tick_size)],
        [AddressLookupTableAccount(table, addresses)],
        blockhash,
    )
    assert message.address_table_lookups  # config and market come from the table
    tx = VersionedTransaction(message, [exchange.keeper])

    signature = await exchange.rpc.send_raw(bytes(tx))

    status = await exchange.rpc.signature_status(signature)
    assert status is not None and status.error is None
    market = await exchange.market()
    assert (market.mark_price, market.price_updated_at) == (
        PRICE + SOL_PERP.tick_size,
        GENESIS_UNIX_TIME + 20,
    )


async def test_a_transaction_with_a_bad_signature_is_dropped(exchange: Exchange) -> None:
    blockhash = (await exchange.rpc.latest_blockhash("confirmed")).blockhash
    signed = sign_transaction([exchange.push_price()], exchange.keeper, [], blockhash)
    forged = Transaction.populate(signed.message, [Signature.new_unique()])

    signature = await exchange.rpc.send_raw(bytes(forged))

    assert await exchange.rpc.signature_status(signature) is None
    assert (str(signature), "SignatureFailure") in exchange.node.cluster.dropped


def _cluster_transaction(
    cluster: LocalCluster, payer: Keypair, *extra: Instruction
) -> VersionedTransaction:
    blockhash, _ = cluster.latest_blockhash("processed")
    instructions = [ix.initialize_user(payer.pubkey()), *extra]
    return VersionedTransaction.from_legacy(sign_transaction(instructions, payer, [], blockhash))


@pytest.mark.parametrize(
    ("lamports", "error"), [(0, "AccountNotFound"), (4_000, "InsufficientFundsForFee")]
)
def test_a_fee_payer_that_cannot_pay_gets_nothing_executed(lamports: int, error: str) -> None:
    cluster = LocalCluster()
    payer = Keypair()
    cluster.svm.set_account(payer.pubkey(), Account(lamports, b"", SYSTEM_PROGRAM_ID, False, 0))
    tx = _cluster_transaction(cluster, payer)
    signature = str(tx.signatures[0])

    assert cluster.simulate(tx, sig_verify=True)["err"] == error
    cluster.land(tx)

    assert (signature, error) in cluster.dropped
    assert signature not in cluster.statuses
    assert cluster.svm.get_balance(payer.pubkey()) == lamports


def test_an_instruction_the_native_runtime_cannot_run_is_a_fault_of_the_setup() -> None:
    cluster = LocalCluster()
    payer = Keypair()
    cluster.svm.airdrop(payer.pubkey(), SOL)
    foreign = Instruction(Pubkey.new_unique(), b"", [])
    tx = _cluster_transaction(cluster, payer, foreign)

    with pytest.raises(NativeRuntimeError, match="which the native runtime cannot run"):
        cluster.land(tx)

    assert cluster.problems and "cannot run" in cluster.problems[0]
    assert str(tx.signatures[0]) not in cluster.statuses
