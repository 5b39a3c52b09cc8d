"""A keeper that persisted a signature before sending picks the transaction up again
after a restart: it tracks it, re-broadcasts its bytes while it may still land, and
never signs it again."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from solders.keypair import Keypair

from backend.services.solana.errors import TransactionExpired
from backend.services.solana.pending import PendingTransaction
from backend.services.solana.rpc import SolanaRpc
from backend.services.solana.sender import TransactionSender
from tests.services.solana.conftest import FAST, SOL, fund
from tests.services.solana.test_sender import AMOUNT, pay
from tests.solana_rpc.faults import Faults
from tests.solana_rpc.server import SolanaRpcServer


def _unconfirmed(faults: Faults) -> None:
    faults.confirmation_delay_blocks = 100_000


def _lost(faults: Faults) -> None:
    faults.drop_sends = 1


PATIENT = dataclasses.replace(FAST, rebroadcast_interval_s=600)
"""The first process never re-broadcasts: only the resumed one may."""


async def crash_after_first_send(
    node: SolanaRpcServer, store: Path, fault: Callable[[Faults], None], *, landed: bool
) -> PendingTransaction:
    """Start a keeper that persists to ``store``, switch ``fault`` on, and kill the keeper
    after its first broadcast (and, if ``landed``, once that executed); the record it left
    behind."""
    cluster = node.cluster
    async with SolanaRpc(node.url) as rpc:
        payer, alice = Keypair(), Keypair()
        await fund(rpc, payer.pubkey(), SOL)
        await fund(rpc, alice.pubkey(), SOL)
        fault(cluster.faults)
        sender = TransactionSender(rpc, policy=PATIENT)

        async def persist(pending: PendingTransaction) -> None:
            store.write_text(json.dumps(pending.to_record()))

        task = asyncio.create_task(
            sender.send([pay(alice, Keypair().pubkey())], payer, [alice], on_signed=persist)
        )
        await cluster.wait_until(
            lambda: len(cluster.sends) == 1 and (not landed or cluster.sends[0] in cluster.statuses)
        )
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    return PendingTransaction.from_record(json.loads(store.read_text()))


async def test_a_restarted_keeper_resumes_a_landed_transaction_without_sending_it_again(
    node: SolanaRpcServer, tmp_path: Path
) -> None:
    cluster = node.cluster
    pending = await crash_after_first_send(
        node, tmp_path / "pending.json", _unconfirmed, landed=True
    )
    cluster.faults.confirmation_delay_blocks = 0

    async with SolanaRpc(node.url) as rpc:
        result = await TransactionSender(rpc, policy=FAST).resume(pending)

    assert result.signature == pending.signature and result.signings == 0
    assert cluster.sends == [pending.signature]
    assert cluster.executed.count(pending.signature) == 1


async def test_a_resumed_transaction_that_was_lost_is_rebroadcast_from_its_bytes(
    node: SolanaRpcServer, tmp_path: Path
) -> None:
    cluster = node.cluster
    pending = await crash_after_first_send(node, tmp_path / "pending.json", _lost, landed=False)

    async with SolanaRpc(node.url) as rpc:
        result = await TransactionSender(rpc, policy=FAST).resume(pending)

    assert result.signature == pending.signature and result.signings == 0
    assert cluster.sends == [pending.signature, pending.signature]
    assert cluster.executed.count(pending.signature) == 1


async def test_a_resumed_transaction_that_can_no_longer_land_is_reported_expired(
    node: SolanaRpcServer, tmp_path: Path
) -> None:
    cluster = node.cluster
    pending = await crash_after_first_send(node, tmp_path / "pending.json", _lost, landed=False)
    cluster.expire_blockhashes()

    async with SolanaRpc(node.url) as rpc:
        with pytest.raises(TransactionExpired, match="safe to build it again"):
            await TransactionSender(rpc, policy=FAST).resume(pending)

    assert cluster.sends == [pending.signature]  # the bytes were too old to bother sending
    assert pending.signature not in cluster.statuses


async def test_a_resume_without_the_bytes_only_tracks(
    node: SolanaRpcServer, rpc: SolanaRpc, payer: Keypair
) -> None:
    cluster = node.cluster
    alice = Keypair()
    await fund(rpc, alice.pubkey(), SOL)
    result = await TransactionSender(rpc, policy=FAST).send(
        [pay(alice, Keypair().pubkey())], payer, [alice]
    )
    bare = PendingTransaction(result.signature, last_valid_block_height=cluster.height + 150)

    again = await TransactionSender(rpc, policy=FAST).resume(bare)

    assert again.signature == result.signature and again.slot == result.slot
    assert cluster.sends == [result.signature]
    assert cluster.executed.count(result.signature) == 1


def test_a_pending_transaction_survives_its_record() -> None:
    pending = PendingTransaction("5" * 88, 1234, b"\x01signed bytes")
    assert PendingTransaction.from_record(json.loads(json.dumps(pending.to_record()))) == pending
    bare = PendingTransaction("5" * 88, 1234)
    assert PendingTransaction.from_record(bare.to_record()) == bare


@pytest.mark.parametrize(
    "record",
    [{}, {"signature": 5, "last_valid_block_height": 1}, {"signature": "x", "wire": "not base64!"}],
)
def test_a_damaged_record_is_refused_with_a_clear_error(record: dict) -> None:
    with pytest.raises(ValueError, match="not a pending transaction record"):
        PendingTransaction.from_record(record)


def test_amount_is_a_transfer_that_opens_an_account() -> None:
    assert AMOUNT >= 890_880  # rent-exempt minimum of an empty account
