"""A transfer the chain refused (in simulation or on landing), told in the program's own
words: its error name and sentence from the IDL, or what the Token or System program
meant when it refused inside one of our instructions."""

from __future__ import annotations

import re
from collections.abc import Sequence

from backend.services.solana.errors import custom_error_code, describe_transaction_error
from backend.services.solana.idl import error_messages
from backend.services.solana.transfer_errors import (
    ChainTransferError,
    TransferExpired,
    TransferRefused,
)

_FIELDS = {
    "UnknownAsset": "asset",
    "InvalidAmount": "amount",
    "InsufficientCollateral": "amount",
    "InsufficientMargin": "amount",
}
_TOKEN_ERRORS = {1: ("insufficient_funds", "the wallet's token account holds less than that")}
"""SPL Token errors, as they surface through our deposit and withdraw."""
_SYSTEM_ERRORS = {1: ("insufficient_sol", "the wallet has too little SOL to open its account")}
"""System program errors, as they surface through initialize_user."""
_RUNTIME = {
    "AccountNotFound": ("no_sol_for_fees", "the wallet has no SOL to pay the transaction fee"),
    "InsufficientFundsForFee": (
        "no_sol_for_fees",
        "the wallet has too little SOL to pay the transaction fee",
    ),
    "InsufficientFundsForRent": (
        "insufficient_sol",
        "the wallet would have too little SOL left to stay rent exempt",
    ),
}
_ANCHOR_LOG = re.compile(r"AnchorError.*?Error Message: (?P<message>.+?)\.?$")


def chain_refusal(error: object, logs: Sequence[str], steps: Sequence[str]) -> ChainTransferError:
    """Why the chain refused a transfer whose instructions are named ``steps`` (in order:
    ``initialize_user``, ``create_token_account``, ``deposit``...)."""
    if error == "BlockhashNotFound":
        return TransferExpired(
            "transaction_expired",
            "the transaction's blockhash is no longer valid (it waited too long for a "
            "signature): nothing was sent; build it again",
        )
    if isinstance(error, str) and error in _RUNTIME:
        code, sentence = _RUNTIME[error]
        return TransferRefused(code, f"the chain refused it: {sentence}")
    code = custom_error_code(error)
    step = _failing_step(error, steps)
    if code is not None and code in error_messages():
        name, sentence = error_messages()[code]
        return TransferRefused(
            _snake(name), f"the program refused it: {sentence} ({name})", _FIELDS.get(name)
        )
    known = _SYSTEM_ERRORS if step == "initialize_user" else _TOKEN_ERRORS
    if code is not None and code in known and step in ("initialize_user", "deposit", "withdraw"):
        short, sentence = known[code]
        return TransferRefused(short, f"the chain refused it: {sentence}", "amount")
    detail = _anchor_message(logs)
    where = f" ({step})" if step else ""
    return TransferRefused(
        "chain_refused",
        f"the chain refused it{where}: {describe_transaction_error(error)}{detail}",
    )


def _failing_step(error: object, steps: Sequence[str]) -> str | None:
    if isinstance(error, dict) and isinstance(error.get("InstructionError"), list):
        index = error["InstructionError"][0] if error["InstructionError"] else None
        if isinstance(index, int) and 0 <= index < len(steps):
            return steps[index]
    return None


def _anchor_message(logs: Sequence[str]) -> str:
    for line in reversed(logs):
        found = _ANCHOR_LOG.search(line)
        if found:
            return f" — {found['message']}"
    return ""


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
