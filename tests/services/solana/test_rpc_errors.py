"""Bad RPC URLs, unreachable nodes and answers that are not Solana answers give clear
errors that say which call failed and why."""

from __future__ import annotations

import json

import pytest
from solders.keypair import Keypair

from backend.services.solana.errors import InvalidRpcUrl, RpcResponseError, RpcUnavailable
from backend.services.solana.rpc import SolanaRpc
from backend.services.solana.sender import TransactionSender
from bench.live_server import free_port
from tests.services.solana.conftest import FAST
from tests.services.solana.test_sender import pay
from tests.solana_rpc.server import SolanaRpcServer


@pytest.mark.parametrize(
    "url", ["ftp://node.example", "localhost:8899", "http://", "https://host:port", ""]
)
def test_an_rpc_url_that_is_not_http_is_refused(url: str) -> None:
    with pytest.raises(InvalidRpcUrl, match="Solana RPC URL"):
        SolanaRpc(url)


async def test_an_unreachable_node_is_reported_as_unavailable() -> None:
    async with SolanaRpc(f"http://127.0.0.1:{free_port()}", timeout_s=2) as rpc:
        with pytest.raises(RpcUnavailable, match="did not answer getBlockHeight: ConnectError"):
            await rpc.block_height("confirmed")


async def test_an_http_error_is_reported_as_unavailable(
    node: SolanaRpcServer, rpc: SolanaRpc
) -> None:
    node.cluster.faults.answers["getBlockHeight"] = [(503, "upstream overloaded")]
    with pytest.raises(RpcUnavailable, match="did not answer getBlockHeight: HTTP 503"):
        await rpc.block_height("confirmed")


@pytest.mark.parametrize(
    "body",
    [
        "this is not json",
        json.dumps({"jsonrpc": "2.0", "result": {"context": {"slot": 1}}, "id": 0}),
        json.dumps({"jsonrpc": "2.0", "result": {"blockhash": 5}, "id": 0}),
    ],
)
async def test_an_answer_that_is_not_a_solana_answer_is_a_response_error(
    node: SolanaRpcServer, rpc: SolanaRpc, body: str
) -> None:
    node.cluster.faults.answers["getLatestBlockhash"] = [(200, body)]
    with pytest.raises(RpcResponseError, match="not a getLatestBlockhash response"):
        await rpc.latest_blockhash("confirmed")


async def test_a_json_rpc_error_is_reported_with_the_nodes_message(
    node: SolanaRpcServer, rpc: SolanaRpc
) -> None:
    behind = {
        "jsonrpc": "2.0",
        "error": {
            "code": -32005,
            "message": "Node is behind by 42 slots",
            "data": {"numSlotsBehind": 42},
        },
        "id": 0,
    }
    node.cluster.faults.answers["getBlockHeight"] = [(200, json.dumps(behind))]
    with pytest.raises(
        RpcResponseError, match="refused getBlockHeight: Node is behind by 42 slots"
    ):
        await rpc.block_height("confirmed")


async def test_statuses_that_do_not_match_the_question_are_a_response_error(
    node: SolanaRpcServer, rpc: SolanaRpc
) -> None:
    two = {"jsonrpc": "2.0", "result": {"context": {"slot": 9}, "value": [None, None]}, "id": 0}
    node.cluster.faults.answers["getSignatureStatuses"] = [(200, json.dumps(two))]
    with pytest.raises(RpcResponseError, match="2 statuses for 1 signature"):
        await rpc.signature_status("5" * 88)


async def test_a_simulation_the_node_cannot_run_sends_nothing(
    node: SolanaRpcServer, rpc: SolanaRpc, payer: Keypair
) -> None:
    node.cluster.faults.answers["simulateTransaction"] = [(502, "bad gateway")]
    sender = TransactionSender(rpc, policy=FAST)

    with pytest.raises(RpcUnavailable, match="simulateTransaction: HTTP 502"):
        await sender.send([pay(payer, Keypair().pubkey())], payer)
    assert node.cluster.sends == []
