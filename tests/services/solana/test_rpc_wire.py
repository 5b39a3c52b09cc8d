"""The recorded Solana RPC answers are what solana-py reads, and the local node answers
every method QuantDesk calls in those shapes and speaks JSON-RPC 2.0 like a node."""

from __future__ import annotations

import json
import typing

import httpx
import pytest
from solana.rpc.core import RPCException
from solders.keypair import Keypair
from solders.message import Message
from solders.pubkey import Pubkey
from solders.rpc import responses
from solders.system_program import TransferParams, transfer
from solders.transaction import Transaction
from solders.transaction_status import TransactionConfirmationStatus

from backend.services.solana.rpc import SolanaRpc
from tests.services.solana.conftest import SOL, fund
from tests.solana_rpc.recorded import ShapeMismatch, check_shape, fixture_names, recorded
from tests.solana_rpc.server import SolanaRpcServer

PARSERS = {
    "getLatestBlockhash": responses.GetLatestBlockhashResp,
    "getBlockHeight": responses.GetBlockHeightResp,
    "getSlot": responses.GetSlotResp,
    "getVersion": responses.GetVersionResp,
    "getBalance": responses.GetBalanceResp,
    "getMinimumBalanceForRentExemption": responses.GetMinimumBalanceForRentExemptionResp,
    "requestAirdrop": responses.RequestAirdropResp,
    "sendTransaction": responses.SendTransactionResp,
    "sendTransaction_blockhash_not_found": responses.SendTransactionResp,
    "getAccountInfo": responses.GetAccountInfoResp,
    "getAccountInfo_missing": responses.GetAccountInfoResp,
    "getMultipleAccounts": responses.GetMultipleAccountsResp,
    "simulateTransaction": responses.SimulateTransactionResp,
    "simulateTransaction_error": responses.SimulateTransactionResp,
    "simulateTransaction_blockhash_not_found": responses.SimulateTransactionResp,
    "getSignatureStatuses": responses.GetSignatureStatusesResp,
    "getSignatureStatuses_failed": responses.GetSignatureStatusesResp,
    "method_not_found": responses.GetBlockHeightResp,
    "invalid_params": responses.GetBlockHeightResp,
    "invalid_request": responses.GetBlockHeightResp,
    "parse_error": responses.GetBlockHeightResp,
}
RPC_ERRORS = typing.get_args(responses.RPCError)


def test_every_recorded_answer_has_a_parser_here() -> None:
    assert sorted(PARSERS) == fixture_names()


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_solana_py_reads_each_recorded_answer(name: str) -> None:
    text = json.dumps(recorded(name))
    parsed = PARSERS[name].from_json(text)
    is_error = "error" in recorded(name)
    assert isinstance(parsed, RPC_ERRORS) == is_error, parsed


def test_the_recorded_statuses_read_as_confirmed_pending_and_failed() -> None:
    statuses = responses.GetSignatureStatusesResp.from_json(
        json.dumps(recorded("getSignatureStatuses"))
    )
    first, missing = statuses.value
    assert (
        first is not None and first.confirmation_status == TransactionConfirmationStatus.Confirmed
    )
    assert missing is None
    failed = responses.GetSignatureStatusesResp.from_json(
        json.dumps(recorded("getSignatureStatuses_failed"))
    )
    assert failed.value[0] is not None and failed.value[0].err is not None


async def test_the_local_node_answers_every_method_in_the_recorded_shapes(
    node: SolanaRpcServer, rpc: SolanaRpc
) -> None:
    someone = Pubkey.new_unique()
    await fund(rpc, someone, 2 * SOL)

    assert await rpc.version() == "2.1.21"
    assert await rpc.balance(someone, "confirmed") == 2 * SOL
    assert await rpc.rent_exempt_minimum(165) == 2_039_280
    assert await rpc.block_height("finalized") < await rpc.block_height("processed")
    assert await rpc.slot("processed") > await rpc.block_height("processed")
    recent = await rpc.latest_blockhash("confirmed")
    assert recent.last_valid_block_height == await rpc.block_height("confirmed") + 150 - 1
    account = await rpc.account(someone, "confirmed")
    assert account is not None and account.lamports == 2 * SOL and account.data == b""
    assert await rpc.account(Pubkey.new_unique(), "confirmed") is None
    both = await rpc.accounts([someone, Pubkey.new_unique()], "confirmed")
    assert both[0] == account and both[1] is None
    assert node.cluster.problems == []


async def test_the_local_node_speaks_json_rpc_2(node: SolanaRpcServer) -> None:
    async with httpx.AsyncClient(base_url=node.url) as http:
        unknown = (await http.post("/", json={"jsonrpc": "2.0", "id": 7, "method": "nope"})).json()
        garbage = (await http.post("/", content=b"{not json")).json()
        batch = (
            await http.post(
                "/",
                json=[
                    {"jsonrpc": "2.0", "id": 1, "method": "getSlot"},
                    {"jsonrpc": "2.0", "id": 2, "method": "getBlockHeight", "params": [7]},
                    {"jsonrpc": "1.0", "id": 3, "method": "getSlot"},
                ],
            )
        ).json()
        health = (await http.get("/health")).text

    assert unknown == {
        "jsonrpc": "2.0",
        "error": {"code": -32601, "message": "Method not found"},
        "id": 7,
    }
    assert garbage["error"]["code"] == -32700 and garbage["id"] is None
    assert [answer["id"] for answer in batch] == [1, 2, 3]
    assert isinstance(batch[0]["result"], int) and batch[1]["error"]["code"] == -32602
    assert batch[2]["error"] == {"code": -32600, "message": "Invalid request"}
    assert health == "ok"


def test_the_shape_check_catches_a_drifting_answer() -> None:
    expected = recorded("getLatestBlockhash")["result"]
    drifted = {"context": expected["context"], "value": {"blockhash": "x"}}
    with pytest.raises(ShapeMismatch, match="lastValidBlockHeight"):
        check_shape(expected, drifted, "getLatestBlockhash")
    with pytest.raises(ShapeMismatch, match="str where the recording has int"):
        check_shape(1, "1", "getSlot")


async def test_the_local_node_refuses_a_failing_transaction_at_preflight_like_a_node(
    node: SolanaRpcServer, rpc: SolanaRpc
) -> None:
    payer = Keypair()
    await fund(rpc, payer.pubkey(), SOL)
    blockhash = (await rpc.latest_blockhash("confirmed")).blockhash
    too_much = transfer(
        TransferParams(from_pubkey=payer.pubkey(), to_pubkey=Pubkey.new_unique(), lamports=5 * SOL)
    )
    tx = Transaction(
        [payer], Message.new_with_blockhash([too_much], payer.pubkey(), blockhash), blockhash
    )

    with pytest.raises(RPCException) as refused:
        await rpc.client.send_transaction(tx)  # solana-py's default: preflight on

    failure = refused.value.args[0]
    assert failure.message.startswith("Transaction simulation failed: ")
    assert any("insufficient lamports" in line for line in failure.data.logs)
    assert node.cluster.sends == [str(tx.signatures[0])] and node.cluster.dropped == []
    assert str(tx.signatures[0]) not in node.cluster.statuses
