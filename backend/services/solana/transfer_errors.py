"""Why a deposit or withdrawal signed by the user's wallet was not built, not sent or not
credited: each with a machine code and a sentence the user can act on.

Standard library only, so that the gateway can map these without loading solana-py.
"""

from __future__ import annotations


class ChainTransferError(Exception):
    """A chain transfer the server refused or could not finish; what changed is said."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class SettlementOff(ChainTransferError):
    """This server settles on its local ledger: there is nothing to sign."""

    def __init__(self) -> None:
        super().__init__(
            "chain_settlement_off",
            "this server settles on its local ledger, not on Solana: deposit and withdraw "
            "with /api/account/deposit and /api/account/withdraw",
        )


class TransferRefused(ChainTransferError):
    """Bad input or a refusal by the chain (its simulation): nothing was sent or changed."""


class NotYourTransfer(ChainTransferError):
    """The signed transaction is not one this server builds for the signed-in wallet:
    it was not sent."""

    def __init__(self, message: str) -> None:
        super().__init__("not_a_transfer", f"{message}; it was not sent", "transaction")


class TransferNotFinal(ChainTransferError):
    """The transaction was sent but its outcome is not known yet; submitting the same
    transaction again resumes it and never credits twice."""


class TransferExpired(ChainTransferError):
    """The transaction never landed and never will: nothing changed; build a new one."""


class ChainUnavailable(ChainTransferError):
    """The Solana RPC cannot be reached, or the program is not set up on it."""


class LedgerOutOfStep(ChainTransferError):
    """The chain did the transfer but the local ledger refused to mirror it (a
    withdrawal the local margin no longer allows): recorded for the operators, and
    retried when the same transaction is submitted again."""
