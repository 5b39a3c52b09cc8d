"""What can go wrong when settling on Solana: one small hierarchy, each with a sentence
a reader can act on.

``SolanaError`` is the base. Whether it is safe to try again is part of each class's
meaning: a ``SimulationFailed``, ``SendRejected`` or ``TransactionExpired`` transaction
never reached the chain, so building it again is safe; a ``ConfirmationTimeout`` one may
still land, so it must be resumed, never rebuilt; a ``TransactionFailed`` one did land
and failed, which is final.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backend.services.solana.pending import PendingTransaction


class SolanaError(Exception):
    """Base of every error of the Solana settlement layer."""


class InvalidRpcUrl(SolanaError, ValueError):
    """The RPC URL is not an http(s) URL with a host."""


class RpcUnavailable(SolanaError):
    """The RPC node could not be reached, timed out or answered with an HTTP error;
    usually transient."""


class RpcResponseError(SolanaError):
    """The RPC node answered, but with a JSON-RPC error or an answer that cannot be read."""


class TransactionTooLarge(SolanaError):
    """The signed transaction does not fit in one Solana packet."""


class _ChainError(SolanaError):
    """An error the Solana runtime reported for a transaction, in its JSON form."""

    def __init__(self, message: str, error: object, logs: list[str]) -> None:
        super().__init__(message)
        self.error = error
        """The runtime's error as the RPC gives it: ``"BlockhashNotFound"``,
        ``{"InstructionError": [0, {"Custom": 1}]}``..."""
        self.logs = logs
        """The program logs, when the RPC gave them."""

    @property
    def custom_code(self) -> int | None:
        """The program's own error number (Anchor errors start at 6000), if that is the error."""
        return custom_error_code(self.error)


class SimulationFailed(_ChainError):
    """The transaction failed in simulation; nothing was sent."""


class TransactionFailed(_ChainError):
    """The cluster executed the transaction and it failed: final, it is never retried."""

    def __init__(self, signature: str, slot: int, error: object, logs: list[str]) -> None:
        super().__init__(
            f"transaction {signature} failed on chain in slot {slot}: "
            f"{describe_transaction_error(error)}",
            error,
            logs,
        )
        self.signature = signature
        self.slot = slot


class SendRejected(_ChainError):
    """The RPC node refused the transaction before broadcasting it; nothing was sent."""


class TransactionExpired(SolanaError):
    """The transaction never landed and its blockhash has expired, so it never will:
    building it again is safe."""

    def __init__(self, signature: str, last_valid_block_height: int, detail: str = "") -> None:
        super().__init__(
            f"transaction {signature} never landed and its blockhash expired after block "
            f"height {last_valid_block_height}{detail}; it can no longer land, so it is safe "
            "to build it again"
        )
        self.signature = signature
        self.last_valid_block_height = last_valid_block_height


class ConfirmationTimeout(SolanaError):
    """The transaction was not confirmed in time but may still land: resume it with its
    signature rather than building a new one."""

    def __init__(self, pending: PendingTransaction, reached: str | None, detail: str) -> None:
        state = f"it has reached {reached!r}" if reached else "it has no status yet"
        super().__init__(
            f"transaction {pending.signature} was not confirmed in time ({state}{detail}); "
            f"it may still land until block height {pending.last_valid_block_height}: "
            "resume it, do not send it again"
        )
        self.pending = pending
        self.reached = reached


class AccountDecodeError(SolanaError):
    """An account's data is not what was expected (wrong owner, size or layout)."""


class KeeperKeyError(SolanaError):
    """The keeper's keypair cannot be loaded from the OS keyring."""


class KeeperKeyMissing(KeeperKeyError):
    """The OS keyring holds no keeper keypair under the configured name."""


class KeeperKeyInvalid(KeeperKeyError):
    """The keyring entry is not a Solana keypair."""


def custom_error_code(error: object) -> int | None:
    """The ``Custom`` code of an ``InstructionError``, or None for any other error."""
    if isinstance(error, dict) and isinstance(error.get("InstructionError"), list):
        _, detail = (error["InstructionError"] + [None, None])[:2]
        if isinstance(detail, dict) and isinstance(detail.get("Custom"), int):
            return detail["Custom"]
    return None


def describe_transaction_error(error: object) -> str:
    """A runtime error in a sentence: ``instruction 0 failed: custom program error 1 (0x1)``."""
    if isinstance(error, str):
        return error
    if isinstance(error, dict) and isinstance(error.get("InstructionError"), list):
        index, detail = (error["InstructionError"] + [None, None])[:2]
        code = custom_error_code(error)
        if code is not None:
            return f"instruction {index} failed: custom program error {code} ({code:#x})"
        return f"instruction {index} failed: {json.dumps(detail)}"
    return json.dumps(error)
