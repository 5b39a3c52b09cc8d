"""The ``solana`` settlement mode is off by default, is checked when set, and the server
refuses to start in it without a usable keeper key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from pydantic import ValidationError
from solders.keypair import Keypair

from backend.__main__ import main as backend_main
from backend.settings import BackendSettings
from tests.file_keyring import FileKeyring, keyring_in


@pytest.fixture
def solana_mode(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FileKeyring]:
    """The environment of a server set to settle on Solana, with an empty file keyring."""
    monkeypatch.setenv("QUANTDESK_SETTLEMENT", "solana")
    monkeypatch.setenv("QUANTDESK_SOLANA_RPC_URL", "http://127.0.0.1:8899")
    with keyring_in(FileKeyring(tmp_path / "keyring.json")) as backend:
        yield backend  # type: ignore[misc]


def test_the_local_ledger_is_the_default_settlement() -> None:
    settings = BackendSettings()
    assert settings.settlement == "local"
    assert settings.solana_rpc_url is None
    assert settings.solana_program_id == "G7isTpCkw8TWhPhozSuZMbUjTEF8Jf8xxAguZyL39L8J"
    assert settings.solana_keeper_key_name == "solana-keeper"
    assert settings.solana_commitment == "confirmed"


def test_solana_settlement_needs_an_rpc_url() -> None:
    with pytest.raises(ValidationError, match="needs a Solana RPC URL"):
        BackendSettings(settlement="solana")
    settings = BackendSettings(settlement="solana", solana_rpc_url="https://api.devnet.solana.com")
    assert settings.solana_rpc_url == "https://api.devnet.solana.com"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("solana_rpc_url", "wss://api.devnet.solana.com", "must start with http:// or https://"),
        ("solana_commitment", "max", "'processed', 'confirmed' or 'finalized'"),
        ("settlement", "ethereum", "'local' or 'solana'"),
    ],
)
def test_bad_solana_settings_are_refused_with_the_reason(
    field: str, value: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        BackendSettings(**{field: value})


def test_a_bad_program_id_is_refused_in_solana_mode() -> None:
    with pytest.raises(ValidationError, match="is not a base58 public key"):
        BackendSettings(
            settlement="solana",
            solana_rpc_url="https://api.devnet.solana.com",
            solana_program_id="not-a-program",
        )


def test_the_server_will_not_start_in_solana_mode_without_its_keeper_key(
    solana_mode: FileKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    assert backend_main(["--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "cannot settle on Solana" in err and "no keeper key 'solana-keeper'" in err


def test_the_server_will_not_start_in_solana_mode_with_a_damaged_keeper_key(
    solana_mode: FileKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    keyring.set_password("quantdesk", "solana-keeper", "garbage")
    assert backend_main(["--port", "0"]) == 2
    assert "is not a keypair" in capsys.readouterr().err


def test_the_server_goes_past_the_key_check_when_the_key_is_there(
    solana_mode: FileKeyring, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keyring.set_password("quantdesk", "solana-keeper", str(Keypair()))
    unopenable = f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'x.db'}"

    assert backend_main(["--port", "0", "--database-url", unopenable]) == 2

    err = capsys.readouterr().err
    assert "cannot open the database" in err and "Solana" not in err


def test_the_server_will_not_start_in_solana_mode_without_an_rpc_url(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QUANTDESK_SETTLEMENT", "solana")
    assert backend_main(["--port", "0"]) == 2
    assert "needs a Solana RPC URL" in capsys.readouterr().err
