"""The settings' ``solana`` mode opens a working connection: the keeper's key from the
keyring pays for a transaction sent through the configured RPC to the configured
commitment."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from solders.keypair import Keypair

from backend.services.solana.connection import SolanaConnection
from backend.services.solana.errors import KeeperKeyMissing, SolanaError
from backend.settings import BackendSettings
from tests.file_keyring import FileKeyring, keyring_in
from tests.services.solana.conftest import FAST, SOL, fund
from tests.services.solana.test_sender import pay
from tests.solana_rpc.server import SolanaRpcServer


async def test_the_solana_settings_open_a_connection_that_settles(
    node: SolanaRpcServer, tmp_path: Path
) -> None:
    keeper = Keypair()
    settings = BackendSettings(
        settlement="solana", solana_rpc_url=node.url, solana_commitment="finalized"
    )
    with keyring_in(FileKeyring(tmp_path / "keyring.json")):
        keyring.set_password("quantdesk", settings.solana_keeper_key_name, str(keeper))
        connection = SolanaConnection.open(settings, policy=FAST)
    try:
        await fund(connection.rpc, keeper.pubkey(), SOL)
        result = await connection.sender.send(
            [pay(connection.keeper, Keypair().pubkey())], connection.keeper
        )
        assert result.commitment == "finalized"
        assert node.cluster.sends == [result.signature]
        assert str(connection.program_id) == settings.solana_program_id
        assert str(keeper) not in repr(connection) and str(keeper.pubkey()) in repr(connection)
    finally:
        await connection.close()


def test_no_connection_without_solana_settlement_or_its_key(tmp_path: Path) -> None:
    with pytest.raises(SolanaError, match="settlement=local"):
        SolanaConnection.open(BackendSettings())
    settings = BackendSettings(settlement="solana", solana_rpc_url="http://127.0.0.1:8899")
    with keyring_in(FileKeyring(tmp_path / "keyring.json")), pytest.raises(KeeperKeyMissing):
        SolanaConnection.open(settings)
