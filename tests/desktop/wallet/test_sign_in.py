"""Signing the backend's sign-in message: on this machine it is signed without a dialog
(and recorded); for another domain the user reads the message as the backend sent it and
signs or refuses, and may choose not to be asked again for that backend. A message for
another account, or that is not a sign-in message, is refused before anyone is asked."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from backend.services.auth.siws import verify_signature
from quantdesk_desktop.client.embedded import EmbeddedBackend
from quantdesk_desktop.client.rest import RestClient
from quantdesk_desktop.client.wallet import load_wallet
from quantdesk_desktop.panels.wallet.approval_dialog import DialogApprover
from quantdesk_desktop.wallet.errors import SigningRefused
from quantdesk_desktop.wallet.gate import (
    EMBEDDED_BACKEND,
    LOOPBACK_BACKEND,
    REMEMBERED_BACKEND,
    SigningGate,
)
from quantdesk_desktop.wallet.login_message import sign_login
from quantdesk_desktop.wallet.signing_request import RequestKind
from tests.desktop.wallet.approving import answer, shown
from tests.desktop.wallet.sign_in_text import LOCAL, sign_in_message


async def test_a_sign_in_on_this_machine_is_signed_without_asking_and_recorded(
    tmp_path: Path,
) -> None:
    wallet = load_wallet("test", tmp_path)
    message = sign_in_message("localhost", wallet.pubkey)
    signature = await sign_login(wallet, message, LOCAL)
    verify_signature(wallet.pubkey, message, signature)  # the backend's own check
    [entry] = wallet.gate.signed.entries
    assert entry.kind is RequestKind.SIGN_IN and entry.text == message
    assert entry.summary == f"Sign in to localhost ({LOCAL})"
    assert entry.approval == LOOPBACK_BACKEND


async def test_the_embedded_backend_is_trusted_by_name(tmp_path: Path) -> None:
    gate = SigningGate(DialogApprover())  # would ask, but the workstation started it
    gate.trust(LOCAL + "/", EMBEDDED_BACKEND)
    wallet = load_wallet("test", tmp_path, gate)
    await sign_login(wallet, sign_in_message("desk.example", wallet.pubkey), LOCAL)
    assert [e.approval for e in gate.signed.entries] == [EMBEDDED_BACKEND]


async def test_with_no_window_a_sign_in_elsewhere_is_refused(tmp_path: Path) -> None:
    wallet = load_wallet("test", tmp_path)
    relayed = sign_in_message("desk.example", wallet.pubkey)  # another server's challenge
    for message, url in ((relayed, LOCAL), (relayed, "https://desk.example")):
        with pytest.raises(SigningRefused, match="no window to ask in; nothing was signed"):
            await sign_login(wallet, message, url)
    assert wallet.gate.signed.entries == []


async def test_a_message_for_another_account_or_not_a_sign_in_is_refused_before_asking(
    qtbot, tmp_path: Path
) -> None:
    approver = DialogApprover()
    wallet = load_wallet("test", tmp_path, SigningGate(approver))
    other = load_wallet("other", tmp_path).pubkey
    attempts = [
        (sign_in_message("localhost", other), "asked to sign in as another account"),
        ("please sign this", "not a sign-in message"),
        (
            "\x01\x00\x02" + wallet.pubkey,
            "not a sign-in message",
        ),  # bytes of a transaction message, say
    ]
    for message, reason in attempts:
        with pytest.raises(SigningRefused, match=reason):
            await sign_login(wallet, message, LOCAL)
        assert approver.dialog is None
    assert wallet.gate.signed.entries == []


@pytest.fixture
async def elsewhere(tmp_path: Path) -> AsyncIterator[EmbeddedBackend]:
    """A backend whose sign-in messages name another domain, as a remote one's do."""
    backend = EmbeddedBackend(tmp_path / "remote", {"QUANTDESK_DOMAIN": "desk.example"})
    await backend.start()
    yield backend
    backend.stop()


async def test_a_remote_sign_in_is_shown_and_refusing_it_sends_nothing(
    qtbot, tmp_path: Path, elsewhere: EmbeddedBackend
) -> None:
    approver = DialogApprover()
    wallet = load_wallet("test", tmp_path, SigningGate(approver))
    rest = RestClient(elsewhere.url)
    try:
        signing = asyncio.ensure_future(rest.sign_in(wallet))
        dialog = await shown(approver)
        lines = dialog.text_view.toPlainText().splitlines()
        assert lines[:2] == ["desk.example wants you to sign in with your Solana account:",
                             wallet.pubkey]  # fmt: skip
        for field in ("URI: https://desk.example", "Nonce: ", "Issued At: ", "Expiration Time: "):
            assert any(line.startswith(field) for line in lines), field
        assert dialog.request.summary == f"Sign in to desk.example ({elsewhere.url})"
        assert dialog.remember_box.isVisible() and not dialog.remember_box.isChecked()
        assert dialog.refuse_button.isDefault()  # Enter never signs
        answer(qtbot, dialog, sign=False)
        with pytest.raises(SigningRefused, match="you refused to sign the sign-in message"):
            await signing
        assert rest.access_token is None and wallet.gate.signed.entries == []
        assert "/api/auth/verify" not in elsewhere.log_path.read_text()
    finally:
        await rest.aclose()


async def test_dont_ask_again_signs_in_to_that_backend_without_asking_from_then_on(
    qtbot, tmp_path: Path, elsewhere: EmbeddedBackend
) -> None:
    approver = DialogApprover()
    gate = SigningGate(approver)
    remembered: list[str] = []
    gate.on_remember = remembered.append
    wallet = load_wallet("test", tmp_path, gate)
    first, second = RestClient(elsewhere.url), RestClient(elsewhere.url + "/")
    try:
        signing = asyncio.ensure_future(first.sign_in(wallet))
        answer(qtbot, await shown(approver), sign=True, remember=True)
        token = await signing
        assert token is not None and token == first.access_token
        assert remembered == [elsewhere.url]
        await second.sign_in(wallet)  # no dialog: it would never be answered
        assert second.access_token is not None and approver.dialog is None
        assert [e.approval for e in gate.signed.entries] == ["you", REMEMBERED_BACKEND]
    finally:
        await first.aclose()
        await second.aclose()
