"""The transaction sender against the local node: it simulates before sending, lands a
transaction exactly once through lost, late and refused broadcasts and expired
blockhashes, and takes the cluster's verdict on a transaction as final."""

from __future__ import annotations

import asyncio
import dataclasses
import json

import pytest
from solders.instruction import Instruction
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer

from backend.services.solana.errors import (
    ConfirmationTimeout,
    SendRejected,
    SimulationFailed,
    TransactionFailed,
    TransactionTooLarge,
)
from backend.services.solana.pending import PendingTransaction
from backend.services.solana.rpc import SolanaRpc
from backend.services.solana.sender import TransactionSender
from tests.services.solana.conftest import FAST, SOL, fund
from tests.solana_rpc.recorded import recorded
from tests.solana_rpc.server import SolanaRpcServer

AMOUNT = 10_000_000
"""0.01 SOL: above the rent-exempt minimum, so it can open the recipient's account."""


def pay(source: Keypair, to: Pubkey, lamports: int = AMOUNT) -> Instruction:
    """A system transfer of ``lamports`` from ``source`` to ``to``."""
    return transfer(TransferParams(from_pubkey=source.pubkey(), to_pubkey=to, lamports=lamports))


@pytest.fixture
async def alice(rpc: SolanaRpc) -> Keypair:
    """A user holding 1 SOL (fees are paid by ``payer``, the keeper)."""
    keypair = Keypair()
    await fund(rpc, keypair.pubkey(), SOL)
    return keypair


@pytest.mark.parametrize("commitment", ["processed", "confirmed", "finalized"])
async def test_a_transfer_is_simulated_sent_once_and_confirmed(
    node: SolanaRpcServer, rpc: SolanaRpc, payer: Keypair, alice: Keypair, commitment: str
) -> None:
    sender = TransactionSender(rpc, commitment=commitment, policy=FAST)  # type: ignore[arg-type]
    bob = Keypair().pubkey()
    persisted: list[PendingTransaction] = []

    async def persist(pending: PendingTransaction) -> None:
        persisted.append(pending)

    result = await sender.send([pay(alice, bob)], payer, [alice], on_signed=persist)

    ranks = ["processed", "confirmed", "finalized"]
    assert ranks.index(result.commitment) >= ranks.index(commitment)
    assert result.signings == 1
    assert [p.signature for p in persisted] == [result.signature]
    cluster = node.cluster
    assert cluster.sends == [result.signature]
    assert cluster.simulations == [result.signature]  # the broadcast skipped preflight
    assert cluster.executed.count(result.signature) == 1
    assert cluster.statuses[result.signature].slot == result.slot
    methods = [call.method for call in cluster.calls]
    assert methods.index("simulateTransaction") < methods.index("sendTransaction")
    assert await rpc.balance(bob, "confirmed") == AMOUNT


async def test_a_failing_simulation_sends_nothing_and_quotes_the_program_logs(
    node: SolanaRpcServer, sender: TransactionSender, payer: Keypair, alice: Keypair
) -> None:
    signed: list[PendingTransaction] = []

    async def persist(pending: PendingTransaction) -> None:
        signed.append(pending)

    with pytest.raises(SimulationFailed) as failure:
        await sender.send(
            [pay(alice, Keypair().pubkey(), 5 * SOL)], payer, [alice], on_signed=persist
        )

    assert failure.value.custom_code == 1  # the system program's "insufficient funds"
    assert any("insufficient lamports" in line for line in failure.value.logs)
    assert "nothing was sent" in str(failure.value)
    assert "insufficient lamports" in str(failure.value)
    assert node.cluster.sends == [] and signed == []


async def test_a_reported_simulation_error_carries_the_recorded_logs(
    node: SolanaRpcServer, sender: TransactionSender, payer: Keypair, alice: Keypair
) -> None:
    node.cluster.faults.fail_simulations = 1

    with pytest.raises(SimulationFailed) as failure:
        await sender.send([pay(alice, Keypair().pubkey())], payer, [alice])

    logs = recorded("simulateTransaction_error")["result"]["value"]["logs"]
    assert failure.value.logs == logs
    assert failure.value.error == {"InstructionError": [0, {"Custom": 1}]}
    assert "Program log: Error: insufficient funds" in str(failure.value)
    assert "instruction 0 failed: custom program error 1 (0x1)" in str(failure.value)
    assert node.cluster.sends == []


async def test_a_lost_broadcast_is_sent_again_and_lands_exactly_once(
    node: SolanaRpcServer, rpc: SolanaRpc, sender: TransactionSender, payer: Keypair, alice: Keypair
) -> None:
    node.cluster.faults.drop_sends = 1
    bob = Keypair().pubkey()

    result = await sender.send([pay(alice, bob)], payer, [alice])

    cluster = node.cluster
    assert cluster.sends == [result.signature, result.signature]  # the same signed bytes
    assert cluster.executed.count(result.signature) == 1
    assert result.signings == 1
    assert await rpc.balance(bob, "confirmed") == AMOUNT


async def test_a_late_copy_of_a_rebroadcast_transaction_does_not_execute_again(
    node: SolanaRpcServer, rpc: SolanaRpc, sender: TransactionSender, payer: Keypair, alice: Keypair
) -> None:
    cluster = node.cluster
    cluster.faults.delay_sends = 1
    cluster.faults.delay_blocks = 60  # the first copy lands long after the re-broadcast
    bob = Keypair().pubkey()

    result = await sender.send([pay(alice, bob)], payer, [alice])
    cluster.advance(70)

    assert cluster.sends.count(result.signature) >= 2
    assert cluster.executed.count(result.signature) == 1
    assert (result.signature, "AlreadyProcessed") in cluster.dropped
    assert await rpc.balance(bob, "processed") == AMOUNT


async def test_a_transaction_is_signed_again_only_once_its_blockhash_expired_without_it(
    node: SolanaRpcServer, rpc: SolanaRpc, payer: Keypair, alice: Keypair
) -> None:
    cluster = node.cluster
    cluster.faults.drop_sends = 1
    patient = dataclasses.replace(FAST, rebroadcast_interval_s=600)  # no re-broadcast here
    sender = TransactionSender(rpc, policy=patient)
    bob = Keypair().pubkey()
    signed: list[PendingTransaction] = []

    async def persist(pending: PendingTransaction) -> None:
        signed.append(pending)

    task = asyncio.create_task(sender.send([pay(alice, bob)], payer, [alice], on_signed=persist))
    await cluster.wait_until(lambda: len(cluster.sends) == 1)
    cluster.expire_blockhashes()
    result = await task

    first, second = signed
    assert result.signature == second.signature != first.signature
    assert result.signings == 2
    assert cluster.sends == [first.signature, second.signature]
    assert first.signature not in cluster.statuses
    assert cluster.executed.count(second.signature) == 1
    # Before signing again, the sender saw the height past the first one's limit and,
    # after that, no status for it.
    calls = cluster.calls
    resent = next(i for i, c in enumerate(calls) if c.detail == second.signature)
    assert any(
        call.method == "getSignatureStatuses"
        and call.detail == {first.signature: None}
        and calls[i - 1].method == "getBlockHeight"
        and calls[i - 1].detail > first.last_valid_block_height
        for i, call in enumerate(calls[:resent])
    )
    cluster.advance(10)
    assert await rpc.balance(bob, "confirmed") == AMOUNT  # one transfer, never two


async def test_a_landed_transaction_is_not_signed_again_when_its_blockhash_expires(
    node: SolanaRpcServer, rpc: SolanaRpc, sender: TransactionSender, payer: Keypair, alice: Keypair
) -> None:
    cluster = node.cluster
    cluster.faults.confirmation_delay_blocks = 100_000  # landed, but stays "processed"
    bob = Keypair().pubkey()

    task = asyncio.create_task(sender.send([pay(alice, bob)], payer, [alice]))
    await cluster.wait_until(
        lambda: len(cluster.sends) == 1 and cluster.sends[0] in cluster.statuses
    )
    cluster.expire_blockhashes()
    polls = len(cluster.calls)
    await cluster.wait_until(lambda: len(cluster.calls) > polls + 6)  # it keeps polling
    cluster.faults.confirmation_delay_blocks = 0
    result = await task

    assert result.signings == 1 and result.commitment in ("confirmed", "finalized")
    assert cluster.sends == [result.signature]
    assert await rpc.balance(bob, "confirmed") == AMOUNT


async def test_a_blockhash_unknown_to_the_simulating_node_is_replaced_before_sending(
    node: SolanaRpcServer, sender: TransactionSender, payer: Keypair, alice: Keypair
) -> None:
    node.cluster.faults.blockhash_not_found_simulations = 1

    result = await sender.send([pay(alice, Keypair().pubkey())], payer, [alice])

    assert result.signings == 2
    assert sender.blockhashes.fetches == 2
    assert node.cluster.sends == [result.signature]
    assert len(node.cluster.simulations) == 2


async def test_a_send_refused_for_its_blockhash_is_signed_again(
    node: SolanaRpcServer, sender: TransactionSender, payer: Keypair, alice: Keypair
) -> None:
    cluster = node.cluster
    cluster.faults.blockhash_not_found_sends = 1

    result = await sender.send([pay(alice, Keypair().pubkey())], payer, [alice])

    refused, landed = cluster.sends
    assert landed == result.signature != refused
    assert refused not in cluster.statuses and result.signings == 2
    assert cluster.executed.count(landed) == 1


async def test_a_send_refused_for_another_reason_is_reported_and_not_retried(
    node: SolanaRpcServer, sender: TransactionSender, payer: Keypair, alice: Keypair
) -> None:
    refusal = {
        "jsonrpc": "2.0",
        "error": {"code": -32003, "message": "Transaction signature verification failure"},
        "id": 0,
    }
    node.cluster.faults.answers["sendTransaction"] = [(200, json.dumps(refusal))]
    before = list(node.cluster.executed)

    with pytest.raises(SendRejected, match="signature verification failure"):
        await sender.send([pay(alice, Keypair().pubkey())], payer, [alice])

    assert [c.method for c in node.cluster.calls].count("sendTransaction") == 1
    assert node.cluster.executed == before


async def test_a_transaction_error_reported_by_the_cluster_is_final(
    node: SolanaRpcServer, rpc: SolanaRpc, sender: TransactionSender, payer: Keypair, alice: Keypair
) -> None:
    cluster = node.cluster
    bob, carol = Keypair().pubkey(), Keypair().pubkey()

    async def spend_first(_pending: PendingTransaction) -> None:
        # Between the simulation and the broadcast, another transaction empties the account.
        await sender.send([pay(alice, carol, 900_000_000)], payer, [alice])

    with pytest.raises(TransactionFailed) as failure:
        await sender.send([pay(alice, bob, 500_000_000)], payer, [alice], on_signed=spend_first)

    signature = failure.value.signature
    assert failure.value.custom_code == 1
    assert "failed on chain" in str(failure.value)
    assert cluster.sends.count(signature) == 1
    assert cluster.executed.count(signature) == 1
    assert cluster.statuses[signature].error == {"InstructionError": [0, {"Custom": 1}]}
    assert await rpc.balance(bob, "confirmed") == 0


async def test_an_unconfirmed_transaction_times_out_with_what_is_needed_to_resume_it(
    node: SolanaRpcServer, rpc: SolanaRpc, payer: Keypair, alice: Keypair
) -> None:
    node.cluster.faults.confirmation_delay_blocks = 100_000
    sender = TransactionSender(rpc, policy=dataclasses.replace(FAST, timeout_s=0.3))

    with pytest.raises(ConfirmationTimeout) as timeout:
        await sender.send([pay(alice, Keypair().pubkey())], payer, [alice])

    pending = timeout.value.pending
    assert timeout.value.reached == "processed"
    assert "resume it, do not send it again" in str(timeout.value)
    assert node.cluster.sends == [pending.signature]
    assert pending.wire is not None


async def test_status_polls_that_fail_for_a_moment_do_not_stop_the_confirmation(
    node: SolanaRpcServer, sender: TransactionSender, payer: Keypair, alice: Keypair
) -> None:
    node.cluster.faults.answers["getSignatureStatuses"] = [(503, "overloaded")] * 3

    result = await sender.send([pay(alice, Keypair().pubkey())], payer, [alice])

    assert node.cluster.sends == [result.signature]
    assert node.cluster.faults.answers["getSignatureStatuses"] == []


async def test_signers_must_match_the_signatures_the_instructions_need(
    node: SolanaRpcServer, sender: TransactionSender, payer: Keypair, alice: Keypair
) -> None:
    with pytest.raises(ValueError, match=f"needs signatures from {alice.pubkey()}"):
        await sender.send([pay(alice, Keypair().pubkey())], payer)
    stranger = Keypair()
    with pytest.raises(ValueError, match=f"{stranger.pubkey()} would sign"):
        await sender.send([pay(alice, Keypair().pubkey())], payer, [alice, stranger])
    with pytest.raises(ValueError, match="at least one instruction"):
        await sender.send([], payer)
    assert node.cluster.simulations == []


async def test_a_transaction_over_the_packet_size_is_refused_before_simulation(
    node: SolanaRpcServer, sender: TransactionSender, payer: Keypair
) -> None:
    bulky = Instruction(Keypair().pubkey(), bytes(1300), [])

    with pytest.raises(TransactionTooLarge, match="1232-byte limit"):
        await sender.send([bulky], payer)
    assert node.cluster.simulations == []
