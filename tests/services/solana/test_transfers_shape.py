"""A signed transfer is accepted only if it is exactly one the server builds for the
signed-in wallet: its payer and only signer, our program's initialize_user, deposit or
withdraw for that wallet, nothing added or changed (compute-budget instructions aside).
Pure checks over solders transactions: no node needed."""

from __future__ import annotations

import base64

import pytest
from solders.compute_budget import set_compute_unit_limit, set_compute_unit_price
from solders.hash import Hash
from solders.instruction import AccountMeta, Instruction
from solders.keypair import Keypair
from solders.message import Message, MessageV0
from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer
from solders.transaction import Transaction, VersionedTransaction

from backend.services.solana import instructions as ix
from backend.services.solana.idl import PROGRAM_ID
from backend.services.solana.pdas import market_address, vault_address
from backend.services.solana.transfer_errors import NotYourTransfer
from backend.services.solana.transfer_shape import (
    ChainAsset,
    TransferPlan,
    decode_signed,
    read_transfer,
    step_names,
    token_account,
    transfer_instructions,
)

USDC_MINT = Pubkey.new_unique()
SOL_MINT = Pubkey.new_unique()
USDC = ChainAsset("USDC", 0, USDC_MINT, vault_address(USDC_MINT), 6)
SOL = ChainAsset("SOL", 1, SOL_MINT, vault_address(SOL_MINT), 9)
ASSETS = (USDC, SOL)
MARKETS = (0, 1, 2, 3, 4, 5)
BLOCKHASH = Hash.new_unique()


def signed(instructions: list[Instruction], wallet: Keypair) -> Transaction:
    message = Message.new_with_blockhash(instructions, wallet.pubkey(), BLOCKHASH)
    return Transaction([wallet], message, BLOCKHASH)


def read(transaction: Transaction, wallet: Keypair) -> TransferPlan:
    return read_transfer(transaction, wallet.pubkey(), ASSETS, MARKETS, PROGRAM_ID)


def deposit_plan(wallet: Keypair, **extra) -> TransferPlan:
    return TransferPlan("deposit", wallet.pubkey(), USDC, 100_000_000, **extra)


def withdraw_plan(wallet: Keypair, **extra) -> TransferPlan:
    return TransferPlan(
        "withdraw", wallet.pubkey(), USDC, 40_000_000, market_indexes=MARKETS, **extra
    )


@pytest.mark.parametrize(
    "make",
    [
        deposit_plan,
        lambda w: deposit_plan(w, open_account=True),
        withdraw_plan,
        lambda w: withdraw_plan(w, open_token_account=True),
        lambda w: TransferPlan("deposit", w.pubkey(), SOL, 5 * 10**9),
    ],
    ids=["deposit", "open-and-deposit", "withdraw", "withdraw-to-new-token-account", "sol"],
)
def test_every_transaction_the_server_builds_reads_back_as_its_plan(make) -> None:
    wallet = Keypair()
    plan = make(wallet)

    assert read(signed(transfer_instructions(plan, PROGRAM_ID), wallet), wallet) == plan


def test_the_summary_says_what_is_signed_in_the_asset_s_own_units() -> None:
    wallet = Keypair()

    assert deposit_plan(wallet).summary == "Deposit 100 USDC"
    assert withdraw_plan(wallet).summary == "Withdraw 40 USDC"
    assert TransferPlan("deposit", wallet.pubkey(), SOL, 1_500_000_000).summary == "Deposit 1.5 SOL"


def test_a_deposit_opens_the_account_first_and_moves_from_the_wallet_s_token_account() -> None:
    wallet = Keypair()
    first, move = transfer_instructions(deposit_plan(wallet, open_account=True), PROGRAM_ID)

    assert first == ix.initialize_user(wallet.pubkey())
    assert move == ix.deposit(
        wallet.pubkey(), token_account(wallet.pubkey(), USDC_MINT), USDC_MINT, 0, 100_000_000
    )


def test_a_withdrawal_passes_every_market_read_only_for_the_margin_check() -> None:
    wallet = Keypair()
    (move,) = transfer_instructions(withdraw_plan(wallet), PROGRAM_ID)

    markets = move.accounts[-len(MARKETS) :]
    assert [m.pubkey for m in markets] == [market_address(i) for i in MARKETS]
    assert not any(m.is_writable or m.is_signer for m in markets)


def test_compute_budget_instructions_a_wallet_adds_are_accepted() -> None:
    wallet = Keypair()
    plan = deposit_plan(wallet)
    budget = [set_compute_unit_limit(300_000), set_compute_unit_price(1_000)]

    transaction = signed([*budget, *transfer_instructions(plan, PROGRAM_ID)], wallet)

    assert read(transaction, wallet) == plan
    names = step_names(transaction.message, PROGRAM_ID)
    assert names == ["compute_budget", "compute_budget", "deposit"]


def test_another_wallet_s_transfer_is_refused() -> None:
    alice, bob = Keypair(), Keypair()
    transaction = signed(transfer_instructions(deposit_plan(alice), PROGRAM_ID), alice)

    with pytest.raises(NotYourTransfer, match="not by your wallet"):
        read(transaction, bob)


def test_a_transfer_paid_by_someone_else_is_refused() -> None:
    wallet, payer = Keypair(), Keypair()
    instructions = transfer_instructions(deposit_plan(wallet), PROGRAM_ID)
    message = Message.new_with_blockhash(instructions, payer.pubkey(), BLOCKHASH)
    transaction = Transaction([payer, wallet], message, BLOCKHASH)

    with pytest.raises(NotYourTransfer, match="not by your wallet"):
        read(transaction, wallet)


def test_an_added_instruction_of_any_other_program_is_refused() -> None:
    wallet = Keypair()
    drain = transfer(
        TransferParams(from_pubkey=wallet.pubkey(), to_pubkey=Pubkey.new_unique(), lamports=1)
    )
    transaction = signed([*transfer_instructions(deposit_plan(wallet), PROGRAM_ID), drain], wallet)

    with pytest.raises(NotYourTransfer, match="which a transfer never does") as refused:
        read(transaction, wallet)
    assert refused.value.code == "not_a_transfer"
    assert refused.value.field == "transaction"
    assert str(refused.value).endswith("it was not sent")


@pytest.mark.parametrize(
    "instructions",
    [
        lambda w: [
            ix.deposit(w.pubkey(), token_account(w.pubkey(), USDC_MINT), USDC_MINT, 0, 1),
            ix.deposit(w.pubkey(), token_account(w.pubkey(), USDC_MINT), USDC_MINT, 0, 1),
        ],
        lambda w: [ix.initialize_user(w.pubkey())],
        lambda w: [ix.update_prices(w.pubkey(), 0, 1, 1)],
        lambda w: [
            ix.deposit(w.pubkey(), token_account(w.pubkey(), USDC_MINT), USDC_MINT, 0, 1),
            ix.initialize_user(w.pubkey()),
        ],
        lambda w: [
            ix.initialize_user(w.pubkey()),
            ix.withdraw(w.pubkey(), token_account(w.pubkey(), USDC_MINT), USDC_MINT, 0, 1, MARKETS),
        ],
        lambda w: [set_compute_unit_limit(1), set_compute_unit_limit(2)],
    ],
    ids=[
        "two-deposits",
        "no-move",
        "keeper-instruction",
        "open-after-deposit",
        "open-then-withdraw",
        "budget-twice",
    ],
)
def test_a_transfer_is_one_deposit_or_withdrawal_after_opening_the_account(instructions) -> None:
    wallet = Keypair()

    with pytest.raises(NotYourTransfer):
        read(signed(instructions(wallet), wallet), wallet)


@pytest.mark.parametrize(
    "change",
    [
        # someone else's token account receives the withdrawal
        lambda w: ix.withdraw(
            w.pubkey(), token_account(Pubkey.new_unique(), USDC_MINT), USDC_MINT, 0, 1, MARKETS
        ),
        # a market left out of the margin check
        lambda w: ix.withdraw(
            w.pubkey(), token_account(w.pubkey(), USDC_MINT), USDC_MINT, 0, 1, MARKETS[:-1]
        ),
        # the SOL mint's token account for the USDC asset
        lambda w: ix.deposit(w.pubkey(), token_account(w.pubkey(), SOL_MINT), SOL_MINT, 0, 1),
        # bytes after the arguments
        lambda w: Instruction(
            PROGRAM_ID,
            bytes(
                ix.deposit(w.pubkey(), token_account(w.pubkey(), USDC_MINT), USDC_MINT, 0, 1).data
            )
            + b"\0",
            ix.deposit(w.pubkey(), token_account(w.pubkey(), USDC_MINT), USDC_MINT, 0, 1).accounts,
        ),
        # an extra account at the end
        lambda w: Instruction(
            PROGRAM_ID,
            ix.deposit(w.pubkey(), token_account(w.pubkey(), USDC_MINT), USDC_MINT, 0, 1).data,
            [
                *ix.deposit(
                    w.pubkey(), token_account(w.pubkey(), USDC_MINT), USDC_MINT, 0, 1
                ).accounts,
                AccountMeta(Pubkey.new_unique(), False, True),
            ],
        ),
    ],
    ids=[
        "foreign-token-account",
        "missing-market",
        "wrong-mint",
        "trailing-data",
        "extra-account",
    ],
)
def test_a_changed_account_or_argument_is_refused(change) -> None:
    wallet = Keypair()

    with pytest.raises(NotYourTransfer, match="differs from the"):
        read(signed([change(wallet)], wallet), wallet)


def test_an_asset_the_program_does_not_list_is_refused() -> None:
    wallet = Keypair()
    mint = Pubkey.new_unique()
    move = ix.deposit(wallet.pubkey(), token_account(wallet.pubkey(), mint), mint, 7, 1)

    with pytest.raises(NotYourTransfer, match="asset index 7"):
        read(signed([move], wallet), wallet)


def test_decoding_takes_exactly_one_legacy_transaction() -> None:
    wallet = Keypair()
    transaction = signed(transfer_instructions(deposit_plan(wallet), PROGRAM_ID), wallet)
    wire = bytes(transaction)
    v0 = VersionedTransaction(
        MessageV0.try_compile(
            wallet.pubkey(), transfer_instructions(deposit_plan(wallet), PROGRAM_ID), [], BLOCKHASH
        ),
        [wallet],
    )

    assert decode_signed(base64.b64encode(wire).decode()) == transaction
    for text, why in [
        ("not base64!", "not base64"),
        (base64.b64encode(b"").decode(), "1 to 1232"),
        (base64.b64encode(wire + b"\0").decode(), "not exactly one"),
        (base64.b64encode(bytes(v0)).decode(), "legacy"),
        (base64.b64encode(b"\x01" + bytes(2000)).decode(), "1 to 1232"),
        (base64.b64encode(b"\x01\x02\x03").decode(), "legacy"),
    ]:
        with pytest.raises(NotYourTransfer, match=why):
            decode_signed(text)
