"""No secret key ever reaches a log, a settings file, a crash report or the cache: over
the whole life of a wallet (created, exported, shown, bad imports, a signed-in session
keeping its cache, transactions refused and signed, the key replaced and imported), in
every form a secret takes (base58, hex, the keypair file's array, raw bytes, a repr's
byte list). The keyring is the only place the tests find it."""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path

import pytest
from solders.keypair import Keypair

from quantdesk_desktop.cache.database import CacheDatabase, cache_path
from quantdesk_desktop.client.embedded import EmbeddedBackend
from quantdesk_desktop.client.session import WorkstationClient
from quantdesk_desktop.panels.wallet.approval_dialog import DialogApprover
from quantdesk_desktop.settings import WorkstationSettings
from quantdesk_desktop.state.store import MarketStore
from quantdesk_desktop.wallet.errors import SecretFormatError, SigningRefused, WalletError
from quantdesk_desktop.wallet.gate import SigningGate
from quantdesk_desktop.wallet.keeper import WalletKeeper
from quantdesk_desktop.wallet.keystore import SERVICE
from quantdesk_desktop.wallet.transactions import sign_transaction
from tests.desktop.live_backend import until
from tests.desktop.wallet.approving import answer, shown
from tests.desktop.wallet.secrets import leaked
from tests.desktop.wallet.token_chain import TokenChain
from tests.file_keyring import FileKeyring


def _refused(errors: list[BaseException], attempt) -> None:
    try:
        attempt()
    except WalletError as error:
        errors.append(error)
    else:
        raise AssertionError("a bad input was accepted")


async def test_no_secret_reaches_the_log_the_cache_or_a_crash_report(
    qtbot, backend: EmbeddedBackend, tmp_path: Path, caplog
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger: ours, keyring's, httpx's, sqlalchemy's
    data = tmp_path / "data"
    approver = DialogApprover()
    keeper = WalletKeeper("embedded", data, gate=SigningGate(approver))
    wallet = keeper.load()
    keys = [wallet.keypair]
    errors: list[BaseException] = []
    keeper.export_file(tmp_path / "export.json")
    keeper.reveal_secret()
    secret = str(wallet.keypair)
    for bad in (secret + "0", secret[:-2], secret[:43] + " " + secret[43:]):
        _refused(errors, lambda bad=bad: keeper.import_secret(bad))
    (tmp_path / "bad.json").write_text(str(list(bytes(wallet.keypair)))[:-1] + ", 7]")
    _refused(errors, lambda: keeper.import_file(tmp_path / "bad.json"))

    path = cache_path(data, "embedded", wallet.pubkey)
    client = WorkstationClient(
        MarketStore(), backend.url, wallet, CacheDatabase(path, wallet.pubkey)
    )
    await client.start()  # signs in (on this machine: no dialog), keeps the cache
    try:
        await client.rest.deposit("USDC", "12.5")
        assert client.cache is not None
        await client.cache.catch_up()
        await until(lambda: client.cache.synced_at_ms is not None, "the cache caught up")
    finally:
        await client.stop()

    chain = TokenChain(wallet.keypair.pubkey())
    for sign in (False, True):
        signing = asyncio.ensure_future(
            sign_transaction(wallet, chain.deposit_message(10**6), "Deposit 1 USDC")
        )
        answer(qtbot, await shown(approver), sign=sign)
        try:
            chain.run(await signing)
        except SigningRefused as error:
            errors.append(error)

    keys.append(keeper.create().keypair)
    imported = Keypair()
    keys.append(keeper.import_secret(str(imported)).keypair)
    logging.getLogger("quantdesk").error("wallets %s %r %s", wallet, keeper.wallet, [wallet])

    assert len(errors) == 5 and isinstance(errors[0], SecretFormatError)
    crash_reports = ["".join(traceback.format_exception(error)) for error in errors]
    shown_objects = [repr(wallet), str(wallet), f"{wallet}", repr(keeper.gate.signed.entries)]
    logged = caplog.text + "".join(r.getMessage() for r in caplog.records)
    assert wallet.pubkey in logged  # the log does name the wallet: by its public key
    for key in keys:
        assert not leaked(key, logged)
        assert not leaked(key, "\n".join(crash_reports + shown_objects))
    cache_files = sorted(path.parent.glob(f"{path.name}*"))
    assert cache_files and path in cache_files
    cached = b"".join(file.read_bytes() for file in cache_files)
    assert wallet.pubkey.encode() in cached  # the cache is the account's...
    for key in keys:
        assert not leaked(key, cached)  # ...and holds no secret
    with pytest.raises(TypeError, match="not pickled"):
        pickle.dumps(wallet)


async def test_dont_ask_again_is_saved_as_the_backend_url_alone(
    qtbot, tmp_path: Path, monkeypatch
) -> None:
    from quantdesk_desktop.app import LaunchOptions, Workstation
    from quantdesk_desktop.client.rest import RestClient

    monkeypatch.setenv("QUANTDESK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("QUANTDESK_DATA_DIR", str(tmp_path / "data"))
    remote = EmbeddedBackend(tmp_path / "remote", {"QUANTDESK_DOMAIN": "desk.example"})
    await remote.start()
    workstation = Workstation(LaunchOptions())
    qtbot.addWidget(workstation.window)
    rest = RestClient(remote.url)
    try:
        wallet = workstation._load_wallet()  # the gate asks in a dialog over the window
        approver = wallet.gate.approver
        assert isinstance(approver, DialogApprover) and approver.parent is workstation.window
        signing = asyncio.ensure_future(rest.sign_in(wallet))
        answer(qtbot, await shown(approver), sign=True, remember=True)
        await signing
        saved = (tmp_path / "config" / "settings.json").read_text()
        assert WorkstationSettings.load(tmp_path / "config" / "settings.json").trusted_sign_in == [
            remote.url
        ]
        assert not leaked(wallet.keypair, saved) and wallet.pubkey not in saved

        again = Workstation(LaunchOptions())  # the next start trusts it: no dialog
        qtbot.addWidget(again.window)
        assert again._load_wallet().gate.trusted(remote.url) is not None
    finally:
        await rest.aclose()
        remote.stop()


def test_the_workstation_keeps_its_key_in_the_keyring_and_nowhere_else(
    tmp_path: Path, _file_keyring: Path
) -> None:
    """The real workstation, logging everything, from start to SIGTERM: its key is in the
    keyring, and no file it wrote (settings, workspace, cache, the embedded backend's
    database and log) nor its own log holds the secret."""
    config, data = tmp_path / "config", tmp_path / "data"
    log_path = tmp_path / "workstation.log"
    env = os.environ | {"QUANTDESK_CONFIG_DIR": str(config), "QUANTDESK_DATA_DIR": str(data)}
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "quantdesk_desktop", "--log-level", "debug"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 90
        while not (
            "signed in as" in log_path.read_text(errors="replace")
            and list((data / "cache").rglob("*.sqlite"))
        ):
            assert process.poll() is None, log_path.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "the workstation never signed in"
            time.sleep(0.05)  # another process: its log is all there is to watch
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0, log_path.read_text(errors="replace")[-3000:]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    secret = FileKeyring(_file_keyring).get_password(SERVICE, "wallet:embedded")
    assert secret is not None
    keypair = Keypair.from_base58_string(secret)
    logged = log_path.read_text(errors="replace")
    assert f"signed in as {keypair.pubkey()}" in logged
    assert not leaked(keypair, logged)
    written = [p for p in (*config.rglob("*"), *data.rglob("*")) if p.is_file()]
    assert config / "settings.json" in written
    assert any(p.suffix == ".sqlite" for p in written)  # the account's cache
    for path in written:
        assert not leaked(keypair, path.read_bytes()), path
