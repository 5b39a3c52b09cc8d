"""Signing instructions into one legacy transaction, with the signer checks solders
itself would turn into a crash."""

from __future__ import annotations

from collections.abc import Sequence

from solders.hash import Hash
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.message import Message
from solders.null_signer import NullSigner
from solders.presigner import Presigner
from solders.transaction import Transaction

from backend.services.solana.errors import TransactionTooLarge

Signer = Keypair | Presigner | NullSigner

PACKET_DATA_SIZE = 1232
"""The most bytes a serialised transaction may have (an IPv6 packet's payload)."""


def sign_transaction(
    instructions: Sequence[Instruction],
    payer: Signer,
    signers: Sequence[Signer],
    blockhash: Hash,
) -> Transaction:
    """The instructions as one transaction paid by ``payer``, signed by it and ``signers``.

    ``ValueError`` if no instruction is given, a required signature has no signer or a
    signer signs for nothing; ``TransactionTooLarge`` if it does not fit in a packet.
    """
    if not instructions:
        raise ValueError("a transaction needs at least one instruction")
    message = Message.new_with_blockhash(list(instructions), payer.pubkey(), blockhash)
    required = list(message.account_keys[: message.header.num_required_signatures])
    by_key = {}
    for signer in (payer, *signers):
        by_key.setdefault(signer.pubkey(), signer)
    missing = [str(key) for key in required if key not in by_key]
    if missing:
        raise ValueError(
            f"the transaction needs signatures from {', '.join(missing)}, "
            "which are not among its signers"
        )
    unused = [str(key) for key in by_key if key not in required]
    if unused:
        raise ValueError(
            f"{', '.join(unused)} would sign, but no instruction needs their signature"
        )
    transaction = Transaction([by_key[key] for key in required], message, blockhash)
    size = len(bytes(transaction))
    if size > PACKET_DATA_SIZE:
        raise TransactionTooLarge(
            f"the transaction is {size} bytes, over Solana's {PACKET_DATA_SIZE}-byte limit: "
            "split its instructions over several transactions"
        )
    return transaction
