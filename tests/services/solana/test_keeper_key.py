"""The keeper's keypair comes from the OS keyring (here a real file-based backend), in
either of the formats operators have, and every problem is named without the secret."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.signature import Signature

from backend.services.solana.errors import KeeperKeyError, KeeperKeyInvalid, KeeperKeyMissing
from backend.services.solana.keeper_key import KEYRING_SERVICE, load_keeper_key
from tests.file_keyring import FileKeyring, LockedKeyring, keyring_in


@pytest.fixture
def file_keyring(tmp_path: Path) -> Iterator[FileKeyring]:
    """The process's keyring is a JSON file under ``tmp_path`` for the test."""
    with keyring_in(FileKeyring(tmp_path / "keyring.json")) as backend:
        yield backend  # type: ignore[misc]


def test_a_base58_keeper_key_is_loaded_from_the_keyring(file_keyring: FileKeyring) -> None:
    keeper = Keypair()
    keyring.set_password(KEYRING_SERVICE, "solana-keeper", str(keeper))

    assert load_keeper_key("solana-keeper").pubkey() == keeper.pubkey()
    assert file_keyring.path.exists()  # it really went through the file backend


def test_a_solana_cli_keypair_file_is_accepted_too(file_keyring: FileKeyring) -> None:
    keeper = Keypair()
    cli_file = json.dumps(list(bytes(keeper)))
    keyring.set_password("ops-vault", "keeper-2", f"{cli_file}\n")

    assert load_keeper_key("keeper-2", service="ops-vault").pubkey() == keeper.pubkey()


def test_a_missing_keeper_key_says_where_it_was_looked_for(file_keyring: FileKeyring) -> None:
    with pytest.raises(KeeperKeyMissing) as missing:
        load_keeper_key("solana-keeper")
    message = str(missing.value)
    assert "'solana-keeper'" in message and "'quantdesk'" in message
    assert "python -m keyring set quantdesk solana-keeper" in message


def _mismatched() -> str:
    """64 bytes in base58 (a signature's encoding) whose public half is someone else's."""
    return str(Signature(bytes(Keypair())[:32] + bytes(Keypair().pubkey())))


@pytest.mark.parametrize(
    ("secret", "reason"),
    [
        ("not a key at all", ""),
        (str(Pubkey.new_unique()), ""),  # 32 bytes: a public key, not a keypair
        (json.dumps(list(range(63))), ""),
        (json.dumps([1] * 63 + ["x"]), ""),
        ("[1, 2,", ""),
        (_mismatched(), "its public half does not match its secret"),
    ],
)
def test_an_entry_that_is_not_a_keypair_is_refused_without_quoting_it(
    file_keyring: FileKeyring, secret: str, reason: str
) -> None:
    keyring.set_password(KEYRING_SERVICE, "solana-keeper", secret)

    with pytest.raises(KeeperKeyInvalid) as invalid:
        load_keeper_key("solana-keeper")

    message = str(invalid.value)
    assert "is not a keypair" in message and "base58 secret key" in message
    assert reason in message
    assert secret not in message and secret.strip("[]") not in message


def test_a_locked_keyring_is_a_keeper_key_error(tmp_path: Path) -> None:
    with (
        keyring_in(LockedKeyring(tmp_path / "keyring.json")),
        pytest.raises(KeeperKeyError) as locked,
    ):
        load_keeper_key("solana-keeper")
    assert "could not be read" in str(locked.value) and "locked" in str(locked.value)


def test_loading_the_key_logs_nothing_of_it(
    file_keyring: FileKeyring, caplog: pytest.LogCaptureFixture
) -> None:
    keeper = Keypair()
    keyring.set_password(KEYRING_SERVICE, "solana-keeper", str(keeper))

    with caplog.at_level(logging.DEBUG):
        load_keeper_key("solana-keeper")

    assert str(keeper) not in caplog.text
