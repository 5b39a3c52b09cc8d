"""The deposit and withdrawal transactions the server builds for a wallet, and the check
that a signed transaction is exactly one of them: paid and signed by that wallet alone,
with nothing added, removed or changed (a wallet may add compute-budget instructions)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from solders.compute_budget import ID as COMPUTE_BUDGET_ID
from solders.instruction import Instruction
from solders.message import Message
from solders.pubkey import Pubkey
from solders.transaction import Transaction
from spl.token.constants import ASSOCIATED_TOKEN_PROGRAM_ID
from spl.token.instructions import (
    create_idempotent_associated_token_account,
    get_associated_token_address,
)

from backend.domain.fixed_point import format_fixed
from backend.services.solana import instructions as ix
from backend.services.solana.idl import coder
from backend.services.solana.signing import PACKET_DATA_SIZE
from backend.services.solana.transfer_errors import NotYourTransfer

TransferKind = Literal["deposit", "withdraw"]
KINDS: tuple[TransferKind, ...] = ("deposit", "withdraw")

_SET_UNIT_LIMIT, _SET_UNIT_PRICE = 2, 3
"""Compute Budget instructions a wallet may add, by tag, with their data length."""
_BUDGET_LENGTHS = {_SET_UNIT_LIMIT: 5, _SET_UNIT_PRICE: 9}
_CREATE_IDEMPOTENT = b"\x01"
_PROGRAM_STEPS = {
    COMPUTE_BUDGET_ID: "compute_budget",
    ASSOCIATED_TOKEN_PROGRAM_ID: "create_token_account",
}


@dataclass(frozen=True, slots=True)
class ChainAsset:
    """A collateral asset as the program's config lists it (its index is its position)."""

    symbol: str
    index: int
    mint: Pubkey
    vault: Pubkey
    decimals: int


@dataclass(frozen=True, slots=True)
class TransferPlan:
    """What one transfer transaction does."""

    kind: TransferKind
    wallet: Pubkey
    asset: ChainAsset
    amount: int
    """Token units, positive."""
    open_account: bool = False
    """Open the wallet's trading account first (``initialize_user``; deposits only)."""
    open_token_account: bool = False
    """Create the wallet's associated token account first, if it is missing."""
    market_indexes: tuple[int, ...] = ()
    """The markets a withdrawal's margin check reads (every market, to be safe)."""

    @property
    def summary(self) -> str:
        """What it does, in plain words: ``Deposit 100 USDC``."""
        amount = format_fixed(self.amount, 10**self.asset.decimals)
        return f"{self.kind.capitalize()} {amount} {self.asset.symbol}"


def token_account(wallet: Pubkey, mint: Pubkey) -> Pubkey:
    """The wallet's associated token account for ``mint``."""
    return get_associated_token_address(wallet, mint)


def transfer_instructions(plan: TransferPlan, program_id: Pubkey) -> list[Instruction]:
    """The plan's instructions, in the order the server always puts them."""
    wallet, asset = plan.wallet, plan.asset
    built: list[Instruction] = []
    if plan.open_account:
        built.append(ix.initialize_user(wallet, program_id))
    if plan.open_token_account:
        built.append(create_idempotent_associated_token_account(wallet, wallet, asset.mint))
    user_token = token_account(wallet, asset.mint)
    if plan.kind == "deposit":
        move = ix.deposit(wallet, user_token, asset.mint, asset.index, plan.amount, program_id)
    else:
        move = ix.withdraw(
            wallet,
            user_token,
            asset.mint,
            asset.index,
            plan.amount,
            plan.market_indexes,
            program_id,
        )
    built.append(move)
    return built


def step_names(message: Message, program_id: Pubkey) -> list[str]:
    """What each instruction of a transfer's ``message`` is, in order (for errors that
    name an instruction by its index)."""
    keys = list(message.account_keys)
    names = []
    for compiled in message.instructions:
        program = keys[compiled.program_id_index]
        if program == program_id:
            try:
                names.append(coder().instruction.parse(bytes(compiled.data)).name)
            except Exception:  # not one of ours after all
                names.append("unknown")
        else:
            names.append(_PROGRAM_STEPS.get(program, "unknown"))
    return names


def decode_signed(text: str) -> Transaction:
    """The legacy transaction that ``text`` (base64) holds, byte for byte; `NotYourTransfer`
    if it is not one."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise NotYourTransfer("the transaction is not base64") from None
    if not raw or len(raw) > PACKET_DATA_SIZE:
        raise NotYourTransfer(
            f"the transaction is {len(raw)} bytes; a Solana transaction is 1 to {PACKET_DATA_SIZE}"
        )
    try:
        transaction = Transaction.from_bytes(raw)
        transaction.sanitize()
    except Exception:  # solders raises several kinds for bytes that are not a transaction
        raise NotYourTransfer("the bytes are not a legacy Solana transaction") from None
    if bytes(transaction) != raw:  # trailing bytes, or a versioned transaction misread
        raise NotYourTransfer("the bytes are not exactly one legacy Solana transaction")
    return transaction


def read_transfer(
    transaction: Transaction,
    wallet: Pubkey,
    assets: Sequence[ChainAsset],
    market_indexes: Sequence[int],
    program_id: Pubkey,
) -> TransferPlan:
    """The plan ``transaction`` carries out, if it is exactly one the server builds for
    ``wallet`` (signatures are not checked here); `NotYourTransfer` otherwise."""
    message = transaction.message
    keys = list(message.account_keys)
    if not keys or keys[0] != wallet:
        payer = keys[0] if keys else "nobody"
        raise NotYourTransfer(f"the transaction is paid by {payer}, not by your wallet {wallet}")
    if message.header.num_required_signatures != 1 or len(transaction.signatures) != 1:
        raise NotYourTransfer("a transfer is signed by your wallet alone")
    found = _Found()
    for position, compiled in enumerate(message.instructions):
        program = keys[compiled.program_id_index]
        accounts = [keys[i] for i in bytes(compiled.accounts)]
        found.take(position, program, bytes(compiled.data), accounts, program_id)
    if found.move is None:
        raise NotYourTransfer("the transaction neither deposits nor withdraws")
    kind, index, amount = found.move
    if kind == "withdraw" and found.opens_account:
        raise NotYourTransfer("a withdrawal never opens the account it withdraws from")
    asset = next((a for a in assets if a.index == index), None)
    if asset is None:
        raise NotYourTransfer(f"asset index {index} is not a collateral asset of the program")
    plan = TransferPlan(
        kind,
        wallet,
        asset,
        amount,
        open_account=found.opens_account,
        open_token_account=found.opens_token_account,
        market_indexes=tuple(market_indexes) if kind == "withdraw" else (),
    )
    expected = transfer_instructions(plan, program_id)
    for position, budget in sorted(found.budget.items()):
        expected.insert(position, budget)
    if Message.new_with_blockhash(expected, wallet, message.recent_blockhash) != message:
        raise NotYourTransfer(
            f"the transaction differs from the {plan.summary} this server builds for your "
            "wallet (its accounts, order or data were changed)"
        )
    return plan


class _Found:
    """What the instructions of a transaction were, read one by one."""

    def __init__(self) -> None:
        self.budget: dict[int, Instruction] = {}
        self.opens_account = False
        self.opens_token_account = False
        self.move: tuple[TransferKind, int, int] | None = None

    def take(
        self,
        position: int,
        program: Pubkey,
        data: bytes,
        accounts: list[Pubkey],
        program_id: Pubkey,
    ) -> None:
        if program == COMPUTE_BUDGET_ID:
            self._budget(position, data, accounts)
        elif program == ASSOCIATED_TOKEN_PROGRAM_ID:
            if data != _CREATE_IDEMPOTENT or self.opens_token_account:
                raise NotYourTransfer("a transfer creates at most one token account, idempotently")
            self.opens_token_account = True
        elif program == program_id:
            self._ours(data)
        else:
            raise NotYourTransfer(f"the transaction calls {program}, which a transfer never does")

    def _budget(self, position: int, data: bytes, accounts: list[Pubkey]) -> None:
        tag = data[0] if data else None
        if accounts or tag not in _BUDGET_LENGTHS or len(data) != _BUDGET_LENGTHS[tag]:
            raise NotYourTransfer("only compute unit limit and price may be added to a transfer")
        if any(bytes(b.data)[0] == tag for b in self.budget.values()):
            raise NotYourTransfer("a compute budget instruction appears twice")
        self.budget[position] = Instruction(COMPUTE_BUDGET_ID, data, [])

    def _ours(self, data: bytes) -> None:
        try:
            parsed = coder().instruction.parse(data)
        except Exception:  # construct and anchorpy raise several kinds for foreign bytes
            raise NotYourTransfer("an instruction to the program cannot be read") from None
        if parsed.name == "initialize_user" and not self.opens_account and self.move is None:
            self.opens_account = True
        elif parsed.name in KINDS and self.move is None:
            self.move = (parsed.name, parsed.data.asset_index, parsed.data.amount)
        else:
            raise NotYourTransfer(
                f"the program's {parsed.name} is not part of a transfer here (one deposit or "
                "withdrawal, after opening the account)"
            )
