"""The wallet key lives in the keyring only: created there on first use, moved in from
the old key file (which is then deleted), replaced by a created or imported key. With no
usable keyring the workstation runs on a key for this session only (or the old file's,
read-only) and says so; bad input changes nothing.

The keyring is real: a file-based backend (tests/desktop/wallet/file_keyring.py, set up
for every desktop test by the conftest), and keyring's own "fail" backend for a machine
with none."""

from __future__ import annotations

import logging
from pathlib import Path

import keyring
import pytest
from keyring.backends.fail import Keyring as NoKeyring
from solders.keypair import Keypair

from quantdesk_desktop.client.wallet import load_wallet
from quantdesk_desktop.wallet.errors import KeystoreUnavailable, SecretFormatError
from quantdesk_desktop.wallet.keeper import WalletKeeper
from quantdesk_desktop.wallet.key import KeyStorage
from quantdesk_desktop.wallet.keystore import SERVICE, Keystore
from tests.desktop.wallet.secrets import leaked
from tests.file_keyring import FileKeyring


def _stored(profile: str = "test") -> str | None:
    return keyring.get_password(SERVICE, f"wallet:{profile}")


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_the_first_load_creates_a_key_in_the_keyring_and_later_loads_find_it(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    first = load_wallet("test", data)
    assert first.storage is KeyStorage.KEYRING and first.persistent
    assert first.stored_in == "OS keyring (file keyring FileKeyring)"
    assert _stored() == str(first.keypair)
    again = load_wallet("test", data)
    assert again.pubkey == first.pubkey
    assert load_wallet("other", data).pubkey != first.pubkey  # one key per profile
    assert _files(data) == []  # nothing on disk but the keyring's own file


def test_the_old_key_file_moves_into_the_keyring_and_is_deleted(tmp_path: Path, caplog) -> None:
    old = Keypair()
    path = tmp_path / "wallets" / "test.key"
    path.parent.mkdir()
    path.write_text(str(old))
    with caplog.at_level(logging.INFO, logger="quantdesk.wallet"):
        wallet = load_wallet("test", tmp_path)
    assert wallet.pubkey == str(old.pubkey()) and wallet.storage is KeyStorage.KEYRING
    assert _stored() == str(old)
    assert not path.exists() and not path.parent.exists()
    assert "moved from the old key file" in caplog.text and not leaked(old, caplog.text)


def test_an_old_key_file_holding_the_keyrings_key_is_deleted(tmp_path: Path) -> None:
    keypair = Keypair()
    Keystore("test").write(keypair)
    path = tmp_path / "wallets" / "test.key"
    path.parent.mkdir()
    path.write_text(str(keypair))
    assert load_wallet("test", tmp_path).pubkey == str(keypair.pubkey())
    assert not path.exists()


def test_an_old_key_file_holding_another_key_is_left_and_said(tmp_path: Path) -> None:
    current, other = Keypair(), Keypair()
    Keystore("test").write(current)
    path = tmp_path / "wallets" / "test.key"
    path.parent.mkdir()
    path.write_text(str(other))
    keeper = WalletKeeper("test", tmp_path)
    assert keeper.load().pubkey == str(current.pubkey())
    assert path.read_text() == str(other)  # never deleted: it may be the only copy
    assert str(other.pubkey()) in keeper.problem and "left in place" in keeper.problem


def test_with_no_keyring_the_key_lives_for_the_session_only_and_it_is_said(
    tmp_path: Path, caplog
) -> None:
    keeper = WalletKeeper("test", tmp_path, Keystore("test", NoKeyring()))
    with caplog.at_level(logging.WARNING, logger="quantdesk.wallet"):
        wallet = keeper.load()
    assert wallet.storage is KeyStorage.SESSION and not wallet.persistent
    assert wallet.stored_in.startswith("this session only")
    assert not keeper.keyring_usable
    assert keeper.problem.startswith("No usable OS keyring (no keyring service on this machine)")
    assert "Export it to keep it" in keeper.problem
    assert "lives in memory for this session only" in caplog.text
    assert wallet.pubkey in caplog.text and not leaked(wallet.keypair, caplog.text)
    assert _files(tmp_path) == []  # no file fallback any more
    again = WalletKeeper("test", tmp_path, Keystore("test", NoKeyring())).load()
    assert again.pubkey != wallet.pubkey  # gone with the session


def test_with_no_keyring_an_old_key_file_is_used_read_only(tmp_path: Path) -> None:
    old = Keypair()
    path = tmp_path / "wallets" / "test.key"
    path.parent.mkdir()
    path.write_text(str(old))
    keeper = WalletKeeper("test", tmp_path, Keystore("test", NoKeyring()))
    wallet = keeper.load()
    assert wallet.pubkey == str(old.pubkey()) and wallet.storage is KeyStorage.LEGACY_FILE
    assert str(path) in wallet.stored_in and "read-only" in wallet.stored_in
    assert path.read_text() == str(old)  # untouched
    assert "moves into the keyring" in keeper.problem


def test_with_no_keyring_a_replacement_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    keeper = WalletKeeper("test", tmp_path, Keystore("test", NoKeyring()))
    wallet = keeper.load()
    version = keeper.version
    with pytest.raises(KeystoreUnavailable, match="did not store the key"):
        keeper.create()
    assert keeper.wallet is wallet and keeper.version == version


def test_a_damaged_keyring_entry_gives_a_session_key_and_a_replacement_mends_it(
    tmp_path: Path,
) -> None:
    keyring.set_password(SERVICE, "wallet:test", "not a key")
    keeper = WalletKeeper("test", tmp_path)
    wallet = keeper.load()
    assert wallet.storage is KeyStorage.SESSION and keeper.keyring_usable
    assert "does not hold a key" in keeper.problem
    assert _stored() == "not a key"  # not overwritten behind the user's back
    created = keeper.create()
    assert _stored() == str(created.keypair) and keeper.problem == ""


def test_create_and_import_replace_the_key_in_the_keyring(tmp_path: Path) -> None:
    keeper = WalletKeeper("test", tmp_path)
    first = keeper.load()
    created = keeper.create()
    assert created.pubkey != first.pubkey and _stored() == str(created.keypair)
    assert keeper.loaded is first  # the session still signs in with what it loaded
    pasted = Keypair()
    assert keeper.import_secret(f"{pasted}\n").pubkey == str(pasted.pubkey())
    assert _stored() == str(pasted)
    from_file = Keypair()
    path = tmp_path / "id.json"
    path.write_text(str(list(bytes(from_file))))
    assert keeper.import_file(path).pubkey == str(from_file.pubkey())
    assert _stored() == str(from_file)


def test_a_bad_import_changes_nothing(tmp_path: Path) -> None:
    keeper = WalletKeeper("test", tmp_path)
    wallet = keeper.load()
    before = (_stored(), keeper.version)
    (tmp_path / "bad.json").write_text("[1, 2, 3]")
    attempts = [
        lambda: keeper.import_secret("not base58 0OIl"),
        lambda: keeper.import_secret(str(Keypair().pubkey())),
        lambda: keeper.import_file(tmp_path / "bad.json"),
        lambda: keeper.import_file(tmp_path / "missing.json"),
    ]
    for attempt in attempts:
        with pytest.raises(SecretFormatError):
            attempt()
        assert (_stored(), keeper.version) == before and keeper.wallet is wallet


def test_the_exported_file_holds_the_current_key_for_the_owner_only(tmp_path: Path) -> None:
    keeper = WalletKeeper("test", tmp_path)
    keeper.load()
    new = keeper.create()
    path = tmp_path / "export.json"
    keeper.export_file(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.read_text() == str(list(bytes(new.keypair))).replace(" ", "")
    assert keeper.reveal_secret() == str(new.keypair)


def test_the_file_keyring_is_a_real_backend_shared_with_child_processes(
    _file_keyring: Path,
) -> None:
    """(The backend the other tests rely on: what it stores is in its file.)"""
    assert isinstance(keyring.get_keyring(), FileKeyring)
    keyring.set_password("svc", "user", "value")
    assert FileKeyring(_file_keyring).get_password("svc", "user") == "value"
    assert _file_keyring.stat().st_mode & 0o777 == 0o600
