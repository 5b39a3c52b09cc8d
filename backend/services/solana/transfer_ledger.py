"""The durable record of the transfers users signed (`ChainTransfer`), and their mirror
in the local ledger: each landed transfer becomes exactly one `Deposit` or `Withdraw`
command, however often it is submitted and across restarts.

The record and the command cannot share one database transaction (the trading service
commits commands in groups of its own), so before the command is applied the record
notes the newest command id (``command_from``). If the process stops after the command
committed but before the record says so, the command is found again in the log: the
first matching command after ``command_from`` that no other transfer has claimed.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from dataclasses import dataclass

from sqlmodel import Session

from backend.domain.errors import DomainError
from backend.services.clock import Clock
from backend.services.solana.transfer_errors import LedgerOutOfStep
from backend.services.trading.commands import Deposit, Withdraw, encode, kind_of
from backend.services.trading.service import TradingService
from backend.store.chain_transfers import (
    claimed_commands,
    load_transfer,
    matching_commands,
    set_status,
    unfinished_transfers,
)
from backend.store.models.chain_transfer import ChainTransfer
from backend.store.models.system_event import SystemEvent

log = logging.getLogger("quantdesk.solana.transfers")


@dataclass(frozen=True, slots=True)
class TransferRecord:
    """A recorded transfer, detached from the database session."""

    signature: str
    wallet: str
    kind: str
    asset: str
    amount: int
    status: str
    last_valid_block_height: int
    wire: bytes
    slot: int | None
    command_id: int | None

    @property
    def command(self) -> Deposit | Withdraw:
        """The command that mirrors it in the local ledger."""
        kind = Deposit if self.kind == "deposit" else Withdraw
        return kind(self.wallet, self.asset, self.amount)


class TransferLedger:
    """Records signed transfers and credits them to the local ledger once."""

    def __init__(self, trading: TradingService, clock: Clock) -> None:
        self.trading = trading
        self.clock = clock
        self._crediting = asyncio.Lock()

    def load(self, signature: str) -> TransferRecord | None:
        """The record of ``signature``, if any."""
        with Session(self.trading.database) as session:
            row = load_transfer(session, signature)
            return None if row is None else _record(row)

    def unfinished(self) -> list[TransferRecord]:
        """Transfers still to be tracked or credited, oldest first."""
        with Session(self.trading.database) as session:
            return [_record(row) for row in unfinished_transfers(session)]

    def record_sent(self, record: TransferRecord) -> None:
        """Keep a signed transfer before its first broadcast (status ``sent``)."""
        now = self.clock.now_ms()
        with Session(self.trading.database) as session:
            session.add(
                ChainTransfer(
                    signature=record.signature,
                    wallet=record.wallet,
                    kind=record.kind,
                    asset=record.asset,
                    amount=record.amount,
                    status="sent",
                    last_valid_block_height=record.last_valid_block_height,
                    wire=base64.b64encode(record.wire).decode(),
                    created_at_ms=now,
                    updated_at_ms=now,
                )
            )
            session.commit()

    def finish(self, signature: str, status: str) -> None:
        """Mark a transfer that will never be credited (``failed`` or ``expired``)."""
        with Session(self.trading.database) as session:
            set_status(session, signature, status, self.clock.now_ms())
            session.commit()

    def landed(self, signature: str, slot: int) -> None:
        """Mark a transfer confirmed on chain (to be credited)."""
        with Session(self.trading.database) as session:
            row = set_status(session, signature, "landed", self.clock.now_ms())
            row.slot = slot
            session.commit()

    async def credit(self, signature: str) -> TransferRecord:
        """Apply the landed transfer ``signature`` to the local ledger, unless it already
        was; the record after. A refusal by the local ledger (a withdrawal its margin no
        longer allows) is recorded as a system event and raised as `LedgerOutOfStep`,
        leaving the transfer ``landed``, to be tried again."""
        async with self._crediting:
            record = self.load(signature)
            if record is None or record.status not in ("landed", "credited"):
                raise ValueError(f"transfer {signature} has not landed")
            if record.status == "credited":
                return record
            if self._claim_logged(signature):
                return self._reload(signature)
            self._note_start(signature)
            try:
                await self.trading.execute_durably(record.command)
            except DomainError as refusal:
                self._report(record, refusal)
                raise LedgerOutOfStep(
                    "ledger_out_of_step",
                    f"the chain did this {record.kind}, but the local ledger refused to "
                    f"mirror it ({refusal.message}); the operators are alerted, and "
                    "submitting the same transaction again retries it",
                ) from None
            self._claim_logged(signature)
            return self._reload(signature)

    def _note_start(self, signature: str) -> None:
        """Remember where the command log stood just before the credit (first try only)."""
        with Session(self.trading.database) as session:
            row = load_transfer(session, signature)
            assert row is not None
            if row.command_from is None:
                row.command_from = self.trading.last_command_id
                row.updated_at_ms = self.clock.now_ms()
                session.commit()

    def _claim_logged(self, signature: str) -> bool:
        """If the credit's command is in the log, mark the transfer credited with it."""
        with Session(self.trading.database) as session:
            row = load_transfer(session, signature)
            if row is None or row.command_from is None:
                return False
            command = _record(row).command
            found = matching_commands(session, row.command_from, kind_of(command), encode(command))
            taken = claimed_commands(session, found)
            free = [command_id for command_id in found if command_id not in taken]
            if not free:
                return False
            row.command_id = free[0]
            row.status = "credited"
            row.updated_at_ms = self.clock.now_ms()
            session.commit()
            return True

    def _reload(self, signature: str) -> TransferRecord:
        record = self.load(signature)
        assert record is not None
        return record

    def _report(self, record: TransferRecord, refusal: DomainError) -> None:
        message = (
            f"{record.kind} of {record.amount} {record.asset} units by {record.wallet} landed "
            f"on chain (transaction {record.signature}) but the local ledger refused it: "
            f"{refusal.message}"
        )
        log.critical("%s", message)
        with Session(self.trading.database) as session:
            session.add(
                SystemEvent(
                    kind="chain_ledger_mismatch",
                    message=message[:1024],
                    created_at_ms=self.clock.now_ms(),
                )
            )
            session.commit()


def _record(row: ChainTransfer) -> TransferRecord:
    return TransferRecord(
        signature=row.signature,
        wallet=row.wallet,
        kind=row.kind,
        asset=row.asset,
        amount=row.amount,
        status=row.status,
        last_valid_block_height=row.last_valid_block_height,
        wire=base64.b64decode(row.wire),
        slot=row.slot,
        command_id=row.command_id,
    )
