"""Sending instructions to the chain exactly once: sign with a recent blockhash, simulate,
let the caller persist the signature, broadcast, confirm; sign again only when the
previous signature is proven unable to land."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from solders.instruction import Instruction

from backend.services.clock import Clock, SystemClock
from backend.services.solana.blockhash import BlockhashCache
from backend.services.solana.confirm import ConfirmationTracker, SendPolicy, read_commitment
from backend.services.solana.errors import (
    SendRejected,
    SimulationFailed,
    TransactionExpired,
    describe_transaction_error,
)
from backend.services.solana.pending import Commitment, PendingTransaction, SendResult
from backend.services.solana.rpc import SolanaRpc
from backend.services.solana.signing import Signer, sign_transaction

log = logging.getLogger("quantdesk.solana.sender")

OnSigned = Callable[[PendingTransaction], Awaitable[None]]
"""Called with each new signature before its first broadcast; if it raises, nothing is
sent. The keeper persists the pending transaction here, to ``resume`` it after a restart."""

SIMULATION_LOG_LINES = 12
"""Program log lines quoted in a simulation failure's message (all are in ``.logs``)."""


class TransactionSender:
    """Sends transactions through one RPC endpoint to the ``commitment`` wanted."""

    def __init__(
        self,
        rpc: SolanaRpc,
        *,
        commitment: Commitment = "confirmed",
        policy: SendPolicy | None = None,
        blockhashes: BlockhashCache | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.rpc = rpc
        self.commitment: Commitment = commitment
        self.policy = policy or SendPolicy()
        self.clock = clock or SystemClock()
        self.blockhashes = blockhashes or BlockhashCache(
            rpc, read_commitment(commitment), clock=self.clock
        )
        self.tracker = ConfirmationTracker(rpc, commitment, self.policy, self.clock)

    async def send(
        self,
        instructions: Sequence[Instruction],
        payer: Signer,
        signers: Sequence[Signer] = (),
        *,
        on_signed: OnSigned | None = None,
    ) -> SendResult:
        """Land the instructions as one transaction paid by ``payer``.

        Raises ``SimulationFailed`` (nothing sent), ``SendRejected`` (refused, nothing
        sent), ``TransactionFailed`` (landed and failed: final), ``TransactionExpired``
        (``max_signings`` signatures all expired unlanded) or ``ConfirmationTimeout``
        (may still land: resume its ``pending``).
        """
        deadline_ms = self.clock.now_ms() + int(self.policy.timeout_s * 1000)
        signings = 0
        while True:
            recent = await self.blockhashes.get()
            transaction = sign_transaction(instructions, payer, signers, recent.blockhash)
            signings += 1
            simulation = await self.rpc.simulate(transaction, read_commitment(self.commitment))
            if simulation.error == "BlockhashNotFound" and signings < self.policy.max_signings:
                log.info("the RPC does not know blockhash %s yet: signing again", recent.blockhash)
                self.blockhashes.invalidate(recent)
                continue
            if simulation.error is not None:
                raise _simulation_failed(simulation.error, simulation.logs)
            pending = PendingTransaction(
                str(transaction.signatures[0]), recent.last_valid_block_height, bytes(transaction)
            )
            if on_signed is not None:
                await on_signed(pending)
            try:
                state = await self.tracker.track(pending, deadline_ms, first_send=True)
            except SendRejected as rejected:
                if not _blockhash_unknown(rejected) or signings >= self.policy.max_signings:
                    raise
                log.info("the RPC refused %s for its blockhash: signing again", pending.signature)
            except TransactionExpired:
                if signings >= self.policy.max_signings:
                    raise
                log.info("%s expired without landing: signing again", pending.signature)
            else:
                assert state.commitment is not None
                return SendResult(pending.signature, state.slot, state.commitment, signings)
            self.blockhashes.invalidate(recent)

    async def resume(self, pending: PendingTransaction) -> SendResult:
        """Track a transaction signed before (by this process or one before a restart)
        without signing anything: re-broadcasts ``pending.wire`` while it has no status
        and can still land, if the bytes were kept.

        Raises ``TransactionFailed``, ``TransactionExpired`` (it never landed and never
        will: the caller may build it again) or ``ConfirmationTimeout``.
        """
        deadline_ms = self.clock.now_ms() + int(self.policy.timeout_s * 1000)
        state = await self.tracker.track(pending, deadline_ms, first_send=False)
        assert state.commitment is not None
        return SendResult(pending.signature, state.slot, state.commitment, signings=0)


def _simulation_failed(error: object, logs: list[str]) -> SimulationFailed:
    shown = logs[-SIMULATION_LOG_LINES:]
    lines = "".join(f"\n    {line}" for line in shown)
    more = f" (last {len(shown)} of {len(logs)})" if len(shown) < len(logs) else ""
    quoted = f"\n  program logs{more}:{lines}" if logs else " (no program logs)"
    return SimulationFailed(
        "the transaction failed in simulation, so nothing was sent: "
        f"{describe_transaction_error(error)}{quoted}",
        error,
        logs,
    )


def _blockhash_unknown(rejected: SendRejected) -> bool:
    return rejected.error == "BlockhashNotFound" or "blockhash not found" in str(rejected).lower()
