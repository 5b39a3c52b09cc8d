"""Getting one signed transaction confirmed, or proving that it can never land.

The signature is the transaction's identity, so re-broadcasting the same signed bytes is
always safe: the cluster executes a signature at most once. A transaction is given up
only when the block height has passed its last valid block height *and*, read after that
height, the cluster has no status for it: then it can never land, and only then may the
caller sign the same instructions again.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from backend.services.clock import Clock
from backend.services.solana.errors import (
    ConfirmationTimeout,
    RpcResponseError,
    RpcUnavailable,
    SendRejected,
    TransactionExpired,
    TransactionFailed,
)
from backend.services.solana.pending import COMMITMENT_RANK, Commitment, PendingTransaction
from backend.services.solana.rpc import SendFailure, SignatureState, SolanaRpc

log = logging.getLogger("quantdesk.solana.confirm")


@dataclass(frozen=True, slots=True)
class SendPolicy:
    """How patiently transactions are sent and tracked."""

    timeout_s: float = 120.0
    """The longest a send (or resume) waits for the commitment, re-signings included.
    A blockhash lives about 60 s, so this covers one expiry and a second signature."""
    poll_interval_s: float = 0.5
    """Between two status checks."""
    rebroadcast_interval_s: float = 2.0
    """How long a transaction with no status waits before the same bytes are sent again."""
    max_signings: int = 3
    """How many signatures (fresh blockhashes) one send may use before giving up."""


def read_commitment(target: Commitment) -> Commitment:
    """The commitment blockhashes and block heights are read at: ``confirmed``, unless the
    target is ``processed`` (a finalized blockhash would waste a third of its life)."""
    return "processed" if target == "processed" else "confirmed"


class ConfirmationTracker:
    """Tracks one pending transaction to ``target``, re-broadcasting it while it has no
    status and its blockhash is still valid."""

    def __init__(
        self, rpc: SolanaRpc, target: Commitment, policy: SendPolicy, clock: Clock
    ) -> None:
        self.rpc = rpc
        self.target: Commitment = target
        self.policy = policy
        self.clock = clock

    async def track(
        self, pending: PendingTransaction, deadline_ms: int, *, first_send: bool
    ) -> SignatureState:
        """The transaction's status once it reaches the target commitment.

        ``first_send``: this signature was never broadcast, so broadcast it now (a refusal
        then proves nothing is out there); otherwise it may have been (a resume), and the
        bytes, if known, are only re-broadcast while it has no status.

        Raises ``TransactionFailed`` (landed with an error, at the target commitment:
        final), ``TransactionExpired``
        (proven unable to land), ``SendRejected`` (the first broadcast was refused, so
        nothing is out there) or ``ConfirmationTimeout`` (may still land: resume it).
        """
        attempts = 0 if first_send else 1
        last_broadcast_ms: int | None = None
        reached: Commitment | None = None
        trouble = ""
        if first_send and pending.wire is not None:
            trouble = await self._broadcast(pending, attempts)
            attempts += 1
            last_broadcast_ms = self.clock.now_ms()
        while True:
            try:
                # Height first: a status read after a height past the limit is definitive.
                height = await self.rpc.block_height(read_commitment(self.target))
                state = await self.rpc.signature_status(pending.signature)
            except (RpcUnavailable, RpcResponseError) as error:
                trouble = f"; last RPC problem: {error}"
            else:
                if state is not None:
                    reached = state.commitment
                    if reached and COMMITMENT_RANK[reached] >= COMMITMENT_RANK[self.target]:
                        # Judged at the target commitment: a fork may yet undo a verdict.
                        if state.error is not None:
                            raise TransactionFailed(pending.signature, state.slot, state.error, [])
                        return state
                elif height > pending.last_valid_block_height:
                    raise TransactionExpired(pending.signature, pending.last_valid_block_height)
                elif pending.wire is not None and self._due(last_broadcast_ms):
                    trouble = await self._broadcast(pending, attempts) or trouble
                    attempts += 1
                    last_broadcast_ms = self.clock.now_ms()
            if self.clock.now_ms() >= deadline_ms:
                raise ConfirmationTimeout(pending, reached, trouble)
            await asyncio.sleep(self.policy.poll_interval_s)

    def _due(self, last_broadcast_ms: int | None) -> bool:
        if last_broadcast_ms is None:
            return True
        return self.clock.now_ms() - last_broadcast_ms >= self.policy.rebroadcast_interval_s * 1000

    async def _broadcast(self, pending: PendingTransaction, attempts: int) -> str:
        """Send the signed bytes once; a note on trouble worth reporting, or "".

        A refusal of the very first attempt means nothing was broadcast (``SendRejected``);
        a later refusal is only noted, since an earlier copy may be on its way."""
        assert pending.wire is not None
        try:
            result = await self.rpc.send_raw(pending.wire)
        except (RpcUnavailable, RpcResponseError) as error:
            # The request may have reached the node: track it as possibly sent.
            log.warning("broadcast of %s uncertain: %s", pending.signature, error)
            return f"; last RPC problem: {error}"
        if isinstance(result, SendFailure):
            if attempts == 0:
                raise SendRejected(
                    f"the Solana RPC refused transaction {pending.signature}: {result.message}",
                    result.error,
                    result.logs,
                )
            log.info("re-broadcast of %s refused: %s", pending.signature, result.message)
            return f"; last re-broadcast refused: {result.message}"
        if str(result) != pending.signature:
            log.warning("the RPC named %s as %s", pending.signature, result)
        return ""
