"""The user's own transactions: shown decoded (fee payer, blockhash, each instruction's
program, accounts and data) under a plain-language line before they are signed; signed
only on Sign, and then executable on the chain (solders' LiteSVM, with the real SPL Token
program); refused whole on Refuse. What this wallet need not sign, or cannot read, is
refused before anyone is asked."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from solders.hash import Hash
from solders.instruction import AccountMeta, CompiledInstruction, Instruction
from solders.keypair import Keypair
from solders.message import Message, MessageV0, to_bytes_versioned
from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer
from solders.transaction import Transaction, VersionedTransaction
from spl.token.constants import TOKEN_PROGRAM_ID
from spl.token.instructions import MintToCheckedParams, mint_to_checked

from quantdesk_desktop.client.wallet import Wallet, load_wallet
from quantdesk_desktop.panels.wallet.approval_dialog import DialogApprover
from quantdesk_desktop.wallet.errors import SigningRefused, WalletError
from quantdesk_desktop.wallet.gate import BY_USER, SigningGate
from quantdesk_desktop.wallet.known_programs import QUANTDESK_PROGRAM
from quantdesk_desktop.wallet.signing_request import RequestKind
from quantdesk_desktop.wallet.transaction_summary import describe
from quantdesk_desktop.wallet.transactions import UnreadableTransaction, sign_transaction
from tests.desktop.wallet.approving import answer, shown
from tests.desktop.wallet.token_chain import DECIMALS, TokenChain

USDC = 10**DECIMALS


@pytest.fixture
def approver(qtbot) -> DialogApprover:
    return DialogApprover()


@pytest.fixture
def wallet(tmp_path: Path, approver: DialogApprover) -> Wallet:
    return load_wallet("test", tmp_path, SigningGate(approver))


async def test_a_deposit_is_shown_decoded_and_once_signed_the_chain_executes_it(
    qtbot, wallet: Wallet, approver: DialogApprover
) -> None:
    chain = TokenChain(wallet.keypair.pubkey())
    message = chain.deposit_message(100 * USDC)
    signing = asyncio.ensure_future(
        sign_transaction(wallet, to_bytes_versioned(message), "Deposit 100 USDC")
    )
    dialog = await shown(approver)
    me = wallet.pubkey
    text = dialog.text_view.toPlainText()
    assert dialog.request.summary == "Deposit 100 USDC" and not dialog.remember_box.isVisible()
    for line in (
        f"Fee payer: {me} (this wallet)",
        f"Recent blockhash: {message.recent_blockhash}",
        f"Signatures required: 1 — {me} (this wallet)",
        "Instruction 1 of 3: Compute Budget — SetComputeUnitLimit 200000 units",
        "Instruction 2 of 3: Associated Token — CreateIdempotent",
        "Instruction 3 of 3: SPL Token — TransferChecked 100 (100000000 base units, 6 decimals)",
        f"  Program: {TOKEN_PROGRAM_ID}",
        f"    1. {chain.user_tokens}  writable",
        f"    2. {chain.mint.pubkey()}  read-only",
        f"    3. {chain.vault_tokens}  writable",
        f"    4. {me}  signer, writable (this wallet)",
        "  Data (10 bytes): 0c00e1f5050000000006",
    ):
        assert line in text.splitlines(), line
    assert not signing.done()  # nothing signed while the user reads
    answer(qtbot, dialog, sign=True)
    signed = await signing
    assert isinstance(signed, Transaction) and signed.message == message
    signed.verify()
    chain.run(signed)
    assert chain.balance(chain.user_tokens) == 900 * USDC
    assert chain.balance(chain.vault_tokens) == 100 * USDC
    [entry] = wallet.gate.signed.entries
    assert entry.kind is RequestKind.TRANSACTION and entry.summary == "Deposit 100 USDC"
    assert entry.text == text and entry.approval == BY_USER and entry.signer == me


async def test_refusing_signs_nothing_and_says_so(
    qtbot, wallet: Wallet, approver: DialogApprover
) -> None:
    chain = TokenChain(wallet.keypair.pubkey())
    signing = asyncio.ensure_future(
        sign_transaction(wallet, chain.deposit_message(100 * USDC), "Deposit 100 USDC")
    )
    answer(qtbot, await shown(approver), sign=False)
    with pytest.raises(SigningRefused, match=r"you refused .*Deposit 100 USDC.*nothing was signed"):
        await signing
    assert wallet.gate.signed.entries == [] and approver.dialog is None
    assert chain.balance(chain.user_tokens) == 1_000 * USDC


async def test_closing_the_dialog_refuses(qtbot, wallet: Wallet, approver: DialogApprover) -> None:
    chain = TokenChain(wallet.keypair.pubkey())
    signing = asyncio.ensure_future(
        sign_transaction(wallet, chain.deposit_message(USDC), "Deposit 1 USDC")
    )
    (await shown(approver)).close()
    with pytest.raises(SigningRefused):
        await signing
    assert wallet.gate.signed.entries == []


async def test_a_request_given_up_closes_its_dialog(
    qtbot, wallet: Wallet, approver: DialogApprover
) -> None:
    chain = TokenChain(wallet.keypair.pubkey())
    signing = asyncio.ensure_future(
        sign_transaction(wallet, chain.deposit_message(USDC), "Deposit 1 USDC")
    )
    dialog = await shown(approver)
    signing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await signing
    assert not dialog.isVisible() and approver.dialog is None
    assert wallet.gate.signed.entries == []


async def test_a_version_0_message_comes_back_as_a_versioned_transaction_the_chain_runs(
    qtbot, wallet: Wallet, approver: DialogApprover
) -> None:
    chain = TokenChain(wallet.keypair.pubkey())
    instructions = chain.deposit_instructions(5 * USDC)
    message = MessageV0.try_compile(wallet.keypair.pubkey(), instructions, [], chain.blockhash)
    signing = asyncio.ensure_future(
        sign_transaction(wallet, to_bytes_versioned(message), "Deposit 5 USDC")
    )
    dialog = await shown(approver)
    assert "Version: 0" in dialog.text_view.toPlainText()
    answer(qtbot, dialog, sign=True)
    signed = await signing
    assert isinstance(signed, VersionedTransaction)
    chain.run(signed)
    assert chain.balance(chain.vault_tokens) == 5 * USDC


async def test_another_signers_signature_is_kept(
    qtbot, wallet: Wallet, approver: DialogApprover
) -> None:
    chain = TokenChain(wallet.keypair.pubkey())
    me = wallet.keypair.pubkey()
    mint = mint_to_checked(MintToCheckedParams(
        program_id=TOKEN_PROGRAM_ID, mint=chain.mint.pubkey(), dest=chain.user_tokens,
        mint_authority=chain.authority.pubkey(), amount=7 * USDC, decimals=DECIMALS,
    ))  # fmt: skip
    unsigned = Transaction.new_unsigned(Message.new_with_blockhash([mint], me, chain.blockhash))
    unsigned.partial_sign([chain.authority], chain.blockhash)
    signing = asyncio.ensure_future(sign_transaction(wallet, unsigned, "Receive 7 USDC"))
    dialog = await shown(approver)
    assert f"Signatures required: 2 — {me} (this wallet), {chain.authority.pubkey()}" in (
        dialog.text_view.toPlainText()
    )
    answer(qtbot, dialog, sign=True)
    signed = await signing
    signed.verify()
    chain.run(signed)
    assert chain.balance(chain.user_tokens) == 1_007 * USDC


async def test_what_this_wallet_need_not_sign_or_cannot_read_is_refused_before_asking(
    qtbot, wallet: Wallet, approver: DialogApprover
) -> None:
    other = Keypair().pubkey()
    not_mine = Message.new_with_blockhash(
        [transfer(TransferParams(from_pubkey=other, to_pubkey=other, lamports=1))],
        other,
        Hash.new_unique(),
    )
    broken = Message.new_with_compiled_instructions(
        1, 0, 0, [wallet.keypair.pubkey()], Hash.new_unique(), [CompiledInstruction(7, b"\0", b"")]
    )
    attempts: list[tuple[object, str, type[Exception], str]] = [
        (not_mine, "Pay", SigningRefused, "needs no signature from this wallet"),
        (b"\x01\x02", "Pay", UnreadableTransaction, "not a serialized Solana message"),
        (broken, "Pay", UnreadableTransaction, "malformed"),
        ("a string", "Pay", UnreadableTransaction, "cannot sign a str"),
        (not_mine, "  ", WalletError, "needs a line saying what it does"),
    ]
    for unsigned, summary, error, reason in attempts:
        with pytest.raises(error, match=reason):
            await sign_transaction(wallet, unsigned, summary)  # type: ignore[arg-type]
        assert approver.dialog is None and wallet.gate.signed.entries == []


async def test_with_no_window_no_transaction_is_signed(tmp_path: Path) -> None:
    wallet = load_wallet("test", tmp_path)  # unattended: a script, a child process
    message = TokenChain(wallet.keypair.pubkey()).deposit_message(USDC)
    with pytest.raises(SigningRefused, match="no window to ask in"):
        await sign_transaction(wallet, message, "Deposit 1 USDC")
    assert wallet.gate.signed.entries == []


def test_the_summary_names_the_quantdesk_program_system_transfers_and_unknown_programs() -> None:
    me, vault, unknown = Keypair().pubkey(), Pubkey.new_unique(), Pubkey.new_unique()
    discriminator = bytes.fromhex("f223c68952e1f2b6")
    instructions = [
        transfer(TransferParams(from_pubkey=me, to_pubkey=vault, lamports=1_500_000_000)),
        Instruction(
            QUANTDESK_PROGRAM,
            discriminator + (100 * USDC).to_bytes(8, "little"),
            [AccountMeta(me, True, True), AccountMeta(vault, False, True)],
        ),
        Instruction(unknown, b"", []),
    ]
    text = describe(Message.new_with_blockhash(instructions, me, Hash.new_unique()), me)
    lines = text.splitlines()
    assert "Instruction 1 of 3: System — Transfer 1.5 SOL (1500000000 lamports)" in lines
    assert (
        "Instruction 2 of 3: QuantDesk — instruction f223c68952e1f2b6 (Anchor discriminator)"
        in lines
    )
    assert f"  Program: {QUANTDESK_PROGRAM}" in lines
    assert "  Data (16 bytes): f223c68952e1f2b600e1f50500000000" in lines
    assert "Instruction 3 of 3: Unknown program" in lines and "    (none)" in lines
    assert "Version: legacy" in lines
