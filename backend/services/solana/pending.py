"""A signed transaction on its way to the chain, and what its confirmation found."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Literal

Commitment = Literal["processed", "confirmed", "finalized"]
"""How settled a transaction is, from least to most."""

COMMITMENT_RANK: dict[str, int] = {"processed": 0, "confirmed": 1, "finalized": 2}


@dataclass(frozen=True, slots=True)
class PendingTransaction:
    """A signed transaction that may be on its way: what a caller persists before the
    first send so that, after a restart, it resumes tracking instead of sending again.

    The signature is the transaction's identity: re-broadcasting ``wire`` can never make
    it execute twice.
    """

    signature: str
    """Base58; the first signature, as the cluster knows the transaction."""
    last_valid_block_height: int
    """After this block height the transaction can no longer land."""
    wire: bytes | None = None
    """The signed transaction, so that a resumed send may re-broadcast it."""

    def to_record(self) -> dict[str, str | int | None]:
        """Plain JSON-ready values for a store."""
        return {
            "signature": self.signature,
            "last_valid_block_height": self.last_valid_block_height,
            "wire": base64.b64encode(self.wire).decode() if self.wire else None,
        }

    @classmethod
    def from_record(cls, record: dict[str, str | int | None]) -> PendingTransaction:
        """The pending transaction ``to_record`` wrote; ``ValueError`` if it is not one."""
        try:
            signature = record["signature"]
            height = record["last_valid_block_height"]
            wire = record.get("wire")
            if not isinstance(signature, str) or not isinstance(height, int):
                raise TypeError
            raw = base64.b64decode(wire, validate=True) if isinstance(wire, str) else None
        except (KeyError, TypeError, binascii.Error):
            raise ValueError(
                "not a pending transaction record (signature, last_valid_block_height, wire)"
            ) from None
        return cls(signature, height, raw)


@dataclass(frozen=True, slots=True)
class SendResult:
    """A transaction that landed and reached the wanted commitment."""

    signature: str
    slot: int
    commitment: Commitment
    """The commitment it had reached when the sender returned."""
    signings: int = 1
    """How many times this call signed the instructions: 0 for a resume; more than 1 only
    when an earlier signature was proven unable to land (expired with no status)."""
