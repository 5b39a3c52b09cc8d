"""Deposits and withdrawals signed by the user's own wallet, in the ``solana`` settlement
mode: the server builds the unsigned transaction (opening the user's account or token
account when needed), the wallet signs it, and the server checks it is exactly what it
built for that wallet, sends it, and once it is confirmed mirrors it in the local ledger
exactly once (see `transfer_ledger`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from solders.hash import Hash
from solders.message import Message
from solders.pubkey import Pubkey
from solders.transaction import Transaction

from backend.domain.errors import AccountRejected, RejectCode
from backend.domain.fixed_point import format_fixed
from backend.domain.markets import MarketCatalog
from backend.services.clock import Clock, SystemClock
from backend.services.solana.accounts import decode_config
from backend.services.solana.confirm import read_commitment
from backend.services.solana.connection import SolanaConnection
from backend.services.solana.errors import (
    AccountDecodeError,
    ConfirmationTimeout,
    RpcResponseError,
    RpcUnavailable,
    TransactionExpired,
    TransactionFailed,
)
from backend.services.solana.keyed_locks import KeyedLocks
from backend.services.solana.pdas import config_address, user_address
from backend.services.solana.pending import Commitment, PendingTransaction
from backend.services.solana.rpc import AccountInfo, SolanaRpc
from backend.services.solana.sender import TransactionSender
from backend.services.solana.token_accounts import decode_token_account
from backend.services.solana.transfer_checks import check_withdrawal, parse_amount
from backend.services.solana.transfer_errors import (
    ChainTransferError,
    ChainUnavailable,
    NotYourTransfer,
    TransferExpired,
    TransferNotFinal,
    TransferRefused,
)
from backend.services.solana.transfer_ledger import TransferLedger, TransferRecord
from backend.services.solana.transfer_refusals import chain_refusal
from backend.services.solana.transfer_shape import (
    ChainAsset,
    TransferKind,
    TransferPlan,
    decode_signed,
    read_transfer,
    step_names,
    token_account,
    transfer_instructions,
)
from backend.services.trading.service import TradingService, TradingUnavailable

log = logging.getLogger("quantdesk.solana.transfers")
T = TypeVar("T")

MAX_PROCESSING_AGE = 150
"""Blocks a blockhash stays valid for: a bound on when a transaction seen valid may land."""


@dataclass(frozen=True, slots=True)
class ChainSetup:
    """What a client needs to know to transfer on chain."""

    program_id: Pubkey
    rpc_url: str
    commitment: str
    assets: tuple[ChainAsset, ...]


@dataclass(frozen=True, slots=True)
class UnsignedTransfer:
    """A transfer built for the wallet to sign."""

    transaction: bytes
    """The serialized unsigned `Transaction` (an empty signature for the wallet)."""
    summary: str
    last_valid_block_height: int


@dataclass(frozen=True, slots=True)
class SubmittedTransfer:
    """A transfer confirmed on chain and mirrored in the local ledger."""

    signature: str
    kind: str
    asset: str
    amount: int
    slot: int | None
    repeated: bool
    """It had been credited before: this submission changed nothing."""


class ChainTransfers:
    """Builds, checks, sends and credits the transfers users sign."""

    def __init__(
        self,
        rpc: SolanaRpc,
        sender: TransactionSender,
        program_id: Pubkey,
        trading: TradingService,
        *,
        clock: Clock | None = None,
        wait_s: float = 60.0,
        retry_s: float = 30.0,
    ) -> None:
        self.rpc = rpc
        self.sender = sender
        self.program_id = program_id
        self.trading = trading
        self.wait_s = wait_s
        """The longest a submission waits for its confirmation before answering that it
        is not final yet (submitting it again resumes it)."""
        self.retry_s = retry_s
        self.ledger = TransferLedger(trading, clock or SystemClock())
        self._assets: tuple[ChainAsset, ...] | None = None
        self._locks = KeyedLocks()
        self._valid_until: dict[Hash, int] = {}

    @classmethod
    def over(
        cls, connection: SolanaConnection, trading: TradingService, clock: Clock | None = None
    ) -> ChainTransfers:
        """Transfers through the settlement's connection (its RPC, sender and program)."""
        return cls(connection.rpc, connection.sender, connection.program_id, trading, clock=clock)

    @property
    def catalog(self) -> MarketCatalog:
        """The live catalog of the trading state."""
        return self.trading.state.catalog

    @property
    def market_indexes(self) -> tuple[int, ...]:
        """Every market of the catalog: what a withdrawal's margin check may read."""
        return tuple(sorted(spec.market_index for spec in self.catalog))

    # -- what is on chain --------------------------------------------------------------

    async def setup(self) -> ChainSetup:
        """The program, the RPC endpoint and the collateral assets listed on chain."""
        return ChainSetup(
            self.program_id, self.rpc.url, self.sender.commitment, await self.assets()
        )

    async def assets(self, refresh: bool = False) -> tuple[ChainAsset, ...]:
        """The collateral assets the program's config lists (read once, then cached)."""
        if self._assets is None or refresh:
            info = await self._read(self.rpc.account(config_address(self.program_id), self._at))
            if info is None:
                raise ChainUnavailable(
                    "chain_not_ready",
                    f"the QuantDesk program {self.program_id} is not initialised on "
                    f"{self.rpc.url} (it has no config account)",
                )
            config = decode_config(info.data)
            self._assets = tuple(
                ChainAsset(a.symbol, i, a.mint, a.vault, a.decimals)
                for i, a in enumerate(config.assets)
            )
        return self._assets

    async def asset(self, symbol: str) -> ChainAsset:
        """The asset ``symbol`` as the catalog and the chain both list it."""
        if symbol not in self.catalog.collateral:
            known = ", ".join(self.catalog.collateral)
            raise AccountRejected(
                RejectCode.UNKNOWN_ASSET,
                f"{symbol} is not a collateral asset; use one of {known}",
                "asset",
            )
        found = _by_symbol(await self.assets(), symbol) or _by_symbol(
            await self.assets(refresh=True), symbol
        )
        if found is None:
            raise TransferRefused(
                "unknown_asset", f"{symbol} is not listed as collateral on chain yet", "asset"
            )
        if found.decimals != self.catalog.asset(symbol).decimals:
            raise ChainUnavailable(
                "chain_mismatch",
                f"{symbol} has {found.decimals} decimals on chain but "
                f"{self.catalog.asset(symbol).decimals} in this server's catalog",
            )
        return found

    # -- building ----------------------------------------------------------------------

    async def build(
        self, wallet: str, kind: TransferKind, symbol: str, amount_text: str
    ) -> UnsignedTransfer:
        """The unsigned transaction moving ``amount_text`` of ``symbol`` in or out of
        ``wallet``'s trading account, checked in simulation first."""
        key = Pubkey.from_string(wallet)
        amount = parse_amount(self.catalog, symbol, amount_text)
        if kind == "withdraw":  # the local ledger's word first: it costs no RPC call
            self.check_withdrawal(wallet, symbol, amount)
        asset = await self.asset(symbol)
        user, tokens = await self._read(
            self.rpc.accounts(
                [user_address(key, self.program_id), token_account(key, asset.mint)], self._at
            )
        )
        if kind == "deposit":
            held = self._token_balance(tokens)
            if amount > held:
                raise AccountRejected(
                    RejectCode.INSUFFICIENT_COLLATERAL,
                    f"your wallet holds {format_fixed(held, 10**asset.decimals)} {symbol}, "
                    f"less than {amount_text}",
                    "amount",
                )
            plan = TransferPlan("deposit", key, asset, amount, open_account=user is None)
        else:
            plan = TransferPlan(
                "withdraw",
                key,
                asset,
                amount,
                open_token_account=tokens is None,
                market_indexes=self.market_indexes,
            )
        recent = await self._read(self.rpc.latest_blockhash(self._at))
        instructions = transfer_instructions(plan, self.program_id)
        unsigned = Transaction.new_unsigned(
            Message.new_with_blockhash(instructions, key, recent.blockhash)
        )
        simulation = await self._read(self.rpc.simulate(unsigned, self._at))
        if simulation.error is not None:
            steps = step_names(unsigned.message, self.program_id)
            raise chain_refusal(simulation.error, simulation.logs, steps)
        self._remember(recent.blockhash, recent.last_valid_block_height)
        return UnsignedTransfer(bytes(unsigned), plan.summary, recent.last_valid_block_height)

    def check_withdrawal(self, wallet: str, symbol: str, amount: int) -> None:
        """Refuse, as the local ledger would, a withdrawal beyond the balance or initial
        margin."""
        check_withdrawal(self.trading.state, wallet, symbol, amount)

    # -- submitting --------------------------------------------------------------------

    async def submit(self, wallet: str, text: str) -> SubmittedTransfer:
        """Check, send and credit the signed transfer ``text`` (base64). Submitting the
        same transaction again resumes it, and credits it once."""
        key = Pubkey.from_string(wallet)
        transaction = decode_signed(text)
        plan = await self._read_plan(transaction, key)
        if not all(transaction.verify_with_results()):
            raise NotYourTransfer("the signature is not your wallet's over this transaction")
        if plan.asset.symbol not in self.catalog.collateral:
            raise TransferRefused(
                "unknown_asset", f"{plan.asset.symbol} is not collateral on this server", "asset"
            )
        signature = str(transaction.signatures[0])
        async with self._locks.hold(signature):
            record = self.ledger.load(signature)
            repeated = record is not None and record.status == "credited"
            if record is None:
                record = await self._send_new(transaction, plan, wallet)
            record = await self._finish(record)
        return SubmittedTransfer(
            signature, record.kind, record.asset, record.amount, record.slot, repeated
        )

    async def resume_unfinished(self) -> int:
        """Follow and credit every transfer a previous run left unfinished; how many were
        credited. One that cannot be finished now is logged and left for later."""
        credited = 0
        for record in self.ledger.unfinished():
            async with self._locks.hold(record.signature):
                try:
                    await self._finish(record)
                except (ChainTransferError, AccountRejected) as problem:
                    log.warning("transfer %s not finished: %s", record.signature, problem)
                else:
                    credited += 1
        return credited

    async def run(self, stop: asyncio.Event) -> None:
        """While the server is up: finish what a previous run left unfinished, then every
        ``retry_s`` what is still unfinished (a submission answered "not final yet" that
        its user never submitted again)."""
        while not stop.is_set():
            with contextlib.suppress(TradingUnavailable):
                await self.resume_unfinished()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.retry_s)

    async def _read_plan(self, transaction: Transaction, key: Pubkey) -> TransferPlan:
        assets = await self.assets()
        try:
            return read_transfer(transaction, key, assets, self.market_indexes, self.program_id)
        except NotYourTransfer:
            fresh = await self.assets(refresh=True)
            if fresh == assets:
                raise
            return read_transfer(transaction, key, fresh, self.market_indexes, self.program_id)

    async def _send_new(
        self, transaction: Transaction, plan: TransferPlan, wallet: str
    ) -> TransferRecord:
        """Simulate, re-check and record a transfer never seen before (nothing is recorded
        if it is refused)."""
        signature = transaction.signatures[0]
        known = await self._read(self.rpc.signature_status(signature))
        if known is None:  # not broadcast by anyone yet: it must pass simulation
            simulation = await self._read(self.rpc.simulate(transaction, self._at))
            if simulation.error is not None:
                steps = step_names(transaction.message, self.program_id)
                raise chain_refusal(simulation.error, simulation.logs, steps)
            if plan.kind == "withdraw":
                self.check_withdrawal(wallet, plan.asset.symbol, plan.amount)
        record = TransferRecord(
            signature=str(signature),
            wallet=wallet,
            kind=plan.kind,
            asset=plan.asset.symbol,
            amount=plan.amount,
            status="sent",
            last_valid_block_height=await self._valid_until_height(transaction),
            wire=bytes(transaction),
            slot=None,
            command_id=None,
        )
        self.ledger.record_sent(record)
        return record

    async def _finish(self, record: TransferRecord) -> TransferRecord:
        """Take a recorded transfer as far as it goes: confirmed, then credited."""
        if record.status == "failed":
            raise TransferRefused("transfer_failed", "this transaction failed on chain before")
        if record.status == "expired":
            raise TransferExpired(
                "transaction_expired",
                "this transaction expired without landing: nothing changed; build it again",
            )
        if record.status == "sent":
            await self._confirm(record)
        return await self.ledger.credit(record.signature)

    async def _confirm(self, record: TransferRecord) -> None:
        pending = PendingTransaction(record.signature, record.last_valid_block_height, record.wire)
        try:
            async with asyncio.timeout(self.wait_s):
                result = await self.sender.resume(pending)
        except TransactionFailed as failed:
            self.ledger.finish(record.signature, "failed")
            steps = step_names(Transaction.from_bytes(record.wire).message, self.program_id)
            raise chain_refusal(failed.error, failed.logs, steps) from None
        except TransactionExpired:
            self.ledger.finish(record.signature, "expired")
            raise TransferExpired(
                "transaction_expired",
                "the transaction never landed and its blockhash has expired: nothing "
                "changed; build it again",
            ) from None
        except (ConfirmationTimeout, TimeoutError):
            raise TransferNotFinal(
                "transfer_unconfirmed",
                f"transaction {record.signature} was sent but is not confirmed yet; submit "
                "the same transaction again to follow it (it is credited once)",
            ) from None
        self.ledger.landed(record.signature, result.slot)

    # -- helpers -----------------------------------------------------------------------

    @property
    def _at(self) -> Commitment:
        return read_commitment(self.sender.commitment)

    async def _read(self, call: Awaitable[T]) -> T:
        """Await an RPC call; an unreachable or confused node is `ChainUnavailable`."""
        try:
            return await call
        except (RpcUnavailable, RpcResponseError) as error:
            raise ChainUnavailable("chain_unavailable", str(error)) from None

    def _token_balance(self, tokens: AccountInfo | None) -> int:
        if tokens is None:
            return 0
        try:
            return decode_token_account(tokens).amount
        except AccountDecodeError as error:
            raise TransferRefused("bad_token_account", str(error), "asset") from None

    def _remember(self, blockhash: Hash, last_valid: int) -> None:
        self._valid_until[blockhash] = last_valid
        if len(self._valid_until) > 256:  # old ones: oldest first out
            self._valid_until.pop(next(iter(self._valid_until)))

    async def _valid_until_height(self, transaction: Transaction) -> int:
        """The last block height the transaction may land at: as handed out when it was
        built, or a safe bound (a blockhash valid now lives at most 150 blocks more)."""
        known = self._valid_until.get(transaction.message.recent_blockhash)
        if known is not None:
            return known
        return await self._read(self.rpc.block_height(self._at)) + MAX_PROCESSING_AGE


def _by_symbol(assets: Sequence[ChainAsset], symbol: str) -> ChainAsset | None:
    return next((a for a in assets if a.symbol == symbol), None)
