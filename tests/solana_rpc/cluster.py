"""A one-validator Solana cluster in memory: LiteSVM executes the transactions (the SPL
Token and Associated Token Account programs included), this class keeps what a node adds
around execution: blocks and heights, which blockhashes are still valid, the signature
status cache with commitment levels, and transactions in flight.

The QuantDesk program is deployed (a placeholder executable, see ``deployment``) but runs
natively: a transaction holding one of its instructions is executed as a whole by
``native_execution`` over LiteSVM's accounts, with the same statuses, logs and errors.

Time is blocks: every RPC call the node answers first produces one block, so a client
that polls sees the chain move, and a test can move it further with ``advance``. The
clock programs read (``Clock::unix_timestamp``) starts at ``GENESIS_UNIX_TIME`` and
stands still unless a test moves it (``set_unix_time``, ``warp_seconds``).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from solders.clock import Clock
from solders.hash import Hash
from solders.litesvm import LiteSVM
from solders.pubkey import Pubkey
from solders.rpc.responses import RpcSimulateTransactionResult
from solders.transaction import VersionedTransaction
from solders.transaction_metadata import FailedTransactionMetadata
from solders.transaction_status import TransactionErrorFieldless

from tests.solana_rpc.deployment import deploy_placeholder
from tests.solana_rpc.faults import Faults
from tests.solana_rpc.native_execution import NativeExecutor, NativeOutcome
from tests.solana_rpc.native_program import PROGRAM_ID, NativeRuntimeError

MAX_PROCESSING_AGE = 150
"""Blocks a blockhash stays valid for (the runtime's constant)."""
CONFIRMED_DEPTH = 1
"""Blocks built on a transaction's block before a supermajority has voted on it here."""
FINALIZED_DEPTH = 32
"""Blocks before its block is rooted (31 confirmations and more)."""
API_VERSION = "2.1.21"
FEATURE_SET = 1416569292
GENESIS_UNIX_TIME = 1_767_225_600
"""The cluster clock's unix time until a test moves it (2026-01-01)."""


@dataclass(frozen=True)
class Landed:
    """A transaction the cluster executed (successfully or not)."""

    signature: str
    slot: int
    height: int
    error: object | None
    logs: list[str]


@dataclass(frozen=True)
class Call:
    """One answered RPC call, for tests that check what happened in which order."""

    method: str
    height: int
    detail: object


def error_json(error: object | None) -> object | None:
    """A solders transaction error in its wire JSON form."""
    if error is None:
        return None
    return json.loads(RpcSimulateTransactionResult(err=error).to_json())["err"]  # type: ignore[arg-type]


class LocalCluster:
    """The cluster behind the local RPC node."""

    def __init__(self, start_height: int = 1_000, slot_lead: int = 40_000) -> None:
        # Blockhash validity is this class's job (LiteSVM keeps only one blockhash).
        self.svm = LiteSVM().with_blockhash_check(False)
        self.set_unix_time(GENESIS_UNIX_TIME)
        deploy_placeholder(self.svm, PROGRAM_ID)
        self.native = NativeExecutor(self.svm)
        """Runs the transactions addressed to the QuantDesk program."""
        self.faults = Faults()
        self.height = start_height
        self.slot = start_height + slot_lead
        self._blockhash_at: dict[int, Hash] = {}
        self._produced_at: dict[Hash, int] = {}
        self.statuses: dict[str, Landed] = {}
        self.executed: list[str] = []
        """Signatures in the order they executed (failed ones too): what a test counts."""
        self.dropped: list[tuple[str, str]] = []
        """(signature, why) of transactions that reached a leader but did not execute."""
        self.sends: list[str] = []
        """The signature of every sendTransaction call, refused, dropped or not."""
        self.simulations: list[str] = []
        self.calls: list[Call] = []
        self.problems: list[str] = []
        """Answers the node could not give in the recorded shape: a test must see none."""
        self._held: list[tuple[int, VersionedTransaction]] = []
        self._changed: asyncio.Condition | None = None
        self._produce_block()

    # -- time ------------------------------------------------------------------------

    def tick(self) -> None:
        """One block passes: held transactions that are due try to land."""
        self._produce_block()
        due = [tx for at, tx in self._held if at <= self.height]
        self._held = [(at, tx) for at, tx in self._held if at > self.height]
        for tx in due:
            self.land(tx)

    def advance(self, blocks: int) -> None:
        """``blocks`` blocks pass."""
        for _ in range(blocks):
            self.tick()

    def expire_blockhashes(self) -> None:
        """Enough empty blocks pass that every blockhash handed out so far is invalid."""
        self.advance(MAX_PROCESSING_AGE + 1)

    @property
    def unix_time(self) -> int:
        """The cluster clock's unix time, as programs read it."""
        return self.svm.get_clock().unix_timestamp

    def set_unix_time(self, unix_time: int) -> None:
        """Move the cluster clock (a test's way to let seconds pass)."""
        now = self.svm.get_clock()
        self.svm.set_clock(
            Clock(
                now.slot, now.epoch_start_timestamp, now.epoch, now.leader_schedule_epoch, unix_time
            )
        )

    def warp_seconds(self, seconds: int) -> None:
        """Let ``seconds`` pass on the cluster clock (blocks do not move)."""
        self.set_unix_time(self.unix_time + seconds)

    def _produce_block(self) -> None:
        self.height += 1
        self.slot += 1
        blockhash = Hash(hashlib.sha256(f"local cluster slot {self.slot}".encode()).digest())
        self._blockhash_at[self.height] = blockhash
        self._produced_at[blockhash] = self.height
        stale = self.height - 2 * MAX_PROCESSING_AGE
        if stale in self._blockhash_at:
            del self._produced_at[self._blockhash_at.pop(stale)]

    def height_at(self, commitment: str) -> int:
        """The block height as seen at ``commitment``."""
        lag = {"processed": 0, "confirmed": CONFIRMED_DEPTH, "finalized": FINALIZED_DEPTH}
        return max(min(self._blockhash_at), self.height - lag.get(commitment, FINALIZED_DEPTH))

    def slot_at(self, commitment: str) -> int:
        """The slot as seen at ``commitment``."""
        return self.slot - (self.height - self.height_at(commitment))

    def latest_blockhash(self, commitment: str) -> tuple[Hash, int]:
        """The newest blockhash at ``commitment`` and its last valid block height."""
        height = self.height_at(commitment)
        return self._blockhash_at[height], height + MAX_PROCESSING_AGE

    def blockhash_valid(self, blockhash: Hash) -> bool:
        """Whether a transaction using ``blockhash`` may still land."""
        produced = self._produced_at.get(blockhash)
        return produced is not None and produced + MAX_PROCESSING_AGE >= self.height

    # -- transactions ----------------------------------------------------------------

    def simulate(self, tx: VersionedTransaction, sig_verify: bool) -> dict:
        """The ``value`` of a simulateTransaction answer."""
        self.simulations.append(str(tx.signatures[0]))
        if not self.blockhash_valid(tx.message.recent_blockhash):
            return _simulation("BlockhashNotFound", [], 0, None, 0)
        if self.native.handles(tx):
            outcome = self._run_natively(tx, sig_verify=sig_verify, commit=False)
            # Compute units are not metered natively.
            return _simulation(outcome.error, outcome.logs, 0, None, self._loaded_size(tx))
        self.svm.with_sigverify(sig_verify)
        try:
            result = self.svm.simulate_transaction(tx)
        finally:
            self.svm.with_sigverify(True)
        loaded = self._loaded_size(tx)
        if isinstance(result, FailedTransactionMetadata):
            meta = result.meta()
            return _simulation(
                error_json(result.err()), meta.logs(), meta.compute_units_consumed(), None, loaded
            )
        meta = result.meta()
        returned = meta.return_data()
        return_data = (
            {
                "programId": str(returned.program_id),
                "data": [base64.b64encode(bytes(returned.data)).decode(), "base64"],
            }
            if returned is not None and returned.data
            else None
        )
        return _simulation(None, meta.logs(), meta.compute_units_consumed(), return_data, loaded)

    def submit(self, tx: VersionedTransaction) -> None:
        """A transaction a client broadcast (after the refusal faults): lost, held or run."""
        if self.faults.take("drop_sends"):
            self.dropped.append((str(tx.signatures[0]), "dropped by the fault switch"))
            return
        if self.faults.take("delay_sends"):
            self._held.append((self.height + self.faults.delay_blocks, tx))
            return
        self.land(tx)

    def land(self, tx: VersionedTransaction) -> None:
        """Execute ``tx`` in the current block, as a leader would."""
        signature = str(tx.signatures[0])
        if signature in self.statuses:
            self.dropped.append((signature, "AlreadyProcessed"))
            return
        if not self.blockhash_valid(tx.message.recent_blockhash):
            self.dropped.append((signature, "BlockhashNotFound"))
            return
        if self.native.handles(tx):
            outcome = self._run_natively(tx, sig_verify=True, commit=True)
            if not outcome.executed:
                self.dropped.append((signature, str(outcome.error)))
                return
            self._record(signature, outcome.error, outcome.logs)
            return
        result = self.svm.send_transaction(tx)
        if isinstance(result, FailedTransactionMetadata):
            error = result.err()
            if isinstance(error, TransactionErrorFieldless):
                # Not executable at all (no fee payer funds, bad signature...): not included.
                self.dropped.append((signature, str(error)))
                return
            self._record(signature, error_json(error), result.meta().logs())
            return
        self._record(signature, None, result.logs())

    def _run_natively(
        self, tx: VersionedTransaction, *, sig_verify: bool, commit: bool
    ) -> NativeOutcome:
        try:
            return self.native.execute(tx, self.unix_time, sig_verify=sig_verify, commit=commit)
        except NativeRuntimeError as error:
            self.problems.append(str(error))
            raise

    def airdrop(self, address: Pubkey, lamports: int) -> str:
        """The faucet's transfer, executed now; its signature."""
        result = self.svm.airdrop(address, lamports)
        if isinstance(result, FailedTransactionMetadata):
            raise RuntimeError(f"the faucet could not pay {address}: {result.err()}")
        signature = str(result.signature())
        self._record(signature, None, result.logs())
        return signature

    def _record(self, signature: str, error: object | None, logs: list[str]) -> None:
        self.statuses[signature] = Landed(signature, self.slot, self.height, error, logs)
        self.executed.append(signature)

    def status(self, signature: str) -> dict | None:
        """A getSignatureStatuses entry, or None if the cluster does not know it."""
        landed = self.statuses.get(signature)
        if landed is None:
            return None
        depth = self.height - landed.height
        delay = self.faults.confirmation_delay_blocks
        if depth >= FINALIZED_DEPTH + delay:
            level, confirmations = "finalized", None
        elif depth >= CONFIRMED_DEPTH + delay:
            level, confirmations = "confirmed", depth
        else:
            level, confirmations = "processed", depth
        return {
            "confirmationStatus": level,
            "confirmations": confirmations,
            "err": landed.error,
            "slot": landed.slot,
            "status": {"Ok": None} if landed.error is None else {"Err": landed.error},
        }

    def account(self, address: Pubkey) -> dict | None:
        """A getAccountInfo value (base64 data), or None if there is no such account."""
        account = self.svm.get_account(address)
        if account is None or (account.lamports == 0 and not account.data):
            return None
        return {
            "data": [base64.b64encode(bytes(account.data)).decode(), "base64"],
            "executable": account.executable,
            "lamports": account.lamports,
            "owner": str(account.owner),
            "rentEpoch": account.rent_epoch,
            "space": len(account.data),
        }

    def _loaded_size(self, tx: VersionedTransaction) -> int:
        accounts = (self.svm.get_account(key) for key in tx.message.account_keys)
        return sum(len(account.data) for account in accounts if account is not None)

    # -- for tests -------------------------------------------------------------------

    def record_call(self, method: str, detail: object) -> None:
        """Note an answered call."""
        self.calls.append(Call(method, self.height, detail))

    async def notify(self) -> None:
        """Wake ``wait_until`` callers: something was answered."""
        async with self._condition():
            self._condition().notify_all()

    async def wait_until(self, predicate: Callable[[], bool], timeout_s: float = 5.0) -> None:
        """Return once ``predicate()`` holds after some call; ``TimeoutError`` after
        ``timeout_s``."""
        async with asyncio.timeout(timeout_s), self._condition():
            await self._condition().wait_for(predicate)

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed


def _simulation(
    error: object | None,
    logs: list[str],
    units: int,
    return_data: dict | None,
    loaded: int,
) -> dict:
    return {
        "accounts": None,
        "err": error,
        "innerInstructions": None,
        "loadedAccountsDataSize": loaded,
        "logs": logs,
        "replacementBlockhash": None,
        "returnData": return_data,
        "unitsConsumed": units,
    }
