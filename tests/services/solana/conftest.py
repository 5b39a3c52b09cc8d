"""A local Solana node per test, a client of it, and a funded fee payer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from solders.keypair import Keypair
from solders.pubkey import Pubkey

from backend.services.solana.confirm import SendPolicy
from backend.services.solana.rpc import SolanaRpc
from backend.services.solana.sender import TransactionSender
from tests.solana_rpc.native_program import NativeProgram, native_program
from tests.solana_rpc.server import SolanaRpcServer

FAST = SendPolicy(timeout_s=10, poll_interval_s=0.01, rebroadcast_interval_s=0.05, max_signings=3)
"""Quick polls and re-broadcasts, so that fault scenarios play out in milliseconds."""

SOL = 1_000_000_000


@pytest.fixture(scope="session")
def program_library() -> NativeProgram:
    """The QuantDesk program built for the host, before any node answers a request (a cold
    build inside a request could outlast the client's timeout)."""
    return native_program()


@pytest.fixture
async def node(program_library: NativeProgram) -> AsyncIterator[SolanaRpcServer]:
    """A fresh local cluster behind its JSON-RPC server, running the QuantDesk program;
    every answer had the recorded shape."""
    async with SolanaRpcServer() as server:
        yield server
    assert server.cluster.problems == []


@pytest.fixture
async def rpc(node: SolanaRpcServer) -> AsyncIterator[SolanaRpc]:
    """The QuantDesk RPC client, pointed at the local node."""
    async with SolanaRpc(node.url) as client:
        yield client


@pytest.fixture
def sender(rpc: SolanaRpc) -> TransactionSender:
    """A sender to ``confirmed`` with quick polls."""
    return TransactionSender(rpc, commitment="confirmed", policy=FAST)


@pytest.fixture
async def payer(rpc: SolanaRpc) -> Keypair:
    """A fee payer (the keeper) with 10 SOL from the faucet."""
    keypair = Keypair()
    await fund(rpc, keypair.pubkey(), 10 * SOL)
    return keypair


async def fund(rpc: SolanaRpc, address: Pubkey, lamports: int, timeout_s: float = 5.0) -> None:
    """Airdrop through the RPC and wait until the airdrop is confirmed."""
    signature = await rpc.request_airdrop(address, lamports)
    async with asyncio.timeout(timeout_s):
        while (state := await rpc.signature_status(signature)) is None or (
            state.commitment == "processed"
        ):
            await asyncio.sleep(0.01)
