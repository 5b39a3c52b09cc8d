"""Signing the user's own transactions (deposits and withdrawals the backend builds in
its ``solana`` settlement mode): decoded and shown before they are signed, refused
whole if the user says no.

The transaction arrives unsigned as the serialized message (legacy or version 0, what
``solders.message.to_bytes_versioned`` writes), a `Message`/`MessageV0`, or a
`Transaction`/`VersionedTransaction` (other signers' signatures in it are kept).
"""

from __future__ import annotations

from solders.message import Message, MessageV0, from_bytes_versioned, to_bytes_versioned
from solders.signature import Signature
from solders.transaction import SanitizeError, Transaction, VersionedTransaction

from quantdesk_desktop.wallet.errors import SigningRefused, WalletError
from quantdesk_desktop.wallet.key import Wallet
from quantdesk_desktop.wallet.signing_request import RequestKind, SigningRequest
from quantdesk_desktop.wallet.transaction_summary import describe

UnsignedTransaction = bytes | Message | MessageV0 | Transaction | VersionedTransaction


class UnreadableTransaction(WalletError, ValueError):
    """What was handed to the wallet is not a transaction it can read; nothing was signed."""


def transaction_request(unsigned: UnsignedTransaction, summary: str, wallet: Wallet) -> (
    tuple[SigningRequest, Message | MessageV0, list[Signature] | None]
):  # fmt: skip
    """The request to sign ``unsigned`` (``summary``: what it does, in plain words), its
    message and the signatures it already carries; refused if it needs no signature from
    ``wallet`` or cannot be read."""
    if not summary.strip():
        raise WalletError("a transaction to sign needs a line saying what it does")
    message, signatures = _message_of(unsigned)
    signer = wallet.keypair.pubkey()
    required = list(message.account_keys)[: message.header.num_required_signatures]
    if signer not in required:
        raise SigningRefused(
            f"the transaction ({summary}) needs no signature from this wallet "
            f"({signer}); nothing was signed"
        )
    text = describe(message, signer)
    return SigningRequest(RequestKind.TRANSACTION, summary, text, str(signer)), message, signatures


async def sign_transaction(
    wallet: Wallet, unsigned: UnsignedTransaction, summary: str
) -> Transaction | VersionedTransaction:
    """``unsigned`` signed by ``wallet`` once the user approved it (shown decoded, under
    ``summary``, e.g. "Deposit 100 USDC"). A legacy message comes back as a `Transaction`,
    a version 0 one (or any `VersionedTransaction`) as a `VersionedTransaction`.
    `SigningRefused` if refused: nothing is signed."""
    request, message, carried = transaction_request(unsigned, summary, wallet)
    approval = await wallet.gate.approve(request)
    keys = list(message.account_keys)
    required = message.header.num_required_signatures
    signatures = list(carried) if carried and len(carried) == required else []
    signatures = signatures or [Signature.default()] * required
    signatures[keys.index(wallet.keypair.pubkey())] = wallet.keypair.sign_message(
        to_bytes_versioned(message)
    )
    wallet.gate.record(request, approval)
    if isinstance(unsigned, VersionedTransaction) or isinstance(message, MessageV0):
        return VersionedTransaction.populate(message, signatures)
    return Transaction.populate(message, signatures)


def _message_of(
    unsigned: UnsignedTransaction,
) -> tuple[Message | MessageV0, list[Signature] | None]:
    if isinstance(unsigned, bytes | bytearray):
        try:
            message = from_bytes_versioned(bytes(unsigned))
        except ValueError as error:
            raise UnreadableTransaction(
                f"the transaction to sign is not a serialized Solana message ({error})"
            ) from None
        signatures = None
    elif isinstance(unsigned, Message | MessageV0):
        message, signatures = unsigned, None
    elif isinstance(unsigned, Transaction | VersionedTransaction):
        message, signatures = unsigned.message, list(unsigned.signatures)
    else:
        raise UnreadableTransaction(
            f"cannot sign a {type(unsigned).__name__}: give a message's bytes, a Message or "
            "a Transaction"
        )
    try:  # indexes within bounds, signers and fee payer coherent
        VersionedTransaction.populate(
            message, [Signature.default()] * message.header.num_required_signatures
        ).sanitize()
    except (SanitizeError, ValueError) as error:
        raise UnreadableTransaction(f"the transaction to sign is malformed ({error})") from None
    return message, signatures
