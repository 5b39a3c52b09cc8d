"""The Wallet panel as a user works it: the public key and its Copy button, where the key
is kept, Create new / Import (asked first, the current key lost unless exported, used
from the next start), Export to a keypair file or on screen after a confirmation, and
the list of what was signed. Bad input says why in the dialog and changes nothing."""

from __future__ import annotations

import stat
from pathlib import Path

import keyring
import pytest
from keyring.backends.fail import Keyring as NoKeyring
from solders.keypair import Keypair

from quantdesk_desktop.panels.registry import PANEL_TYPES
from quantdesk_desktop.panels.wallet.key_dialogs import ImportDialog, RevealDialog
from quantdesk_desktop.panels.wallet.panel import WalletPanel
from quantdesk_desktop.qt import QApplication, Qt, QtWidgets
from quantdesk_desktop.state.store import MarketStore
from quantdesk_desktop.wallet.keeper import WalletKeeper
from quantdesk_desktop.wallet.keystore import SERVICE, Keystore
from quantdesk_desktop.wallet.login_message import sign_login
from quantdesk_desktop.wallet.secret_formats import read_keypair_file
from tests.desktop.wallet.sign_in_text import LOCAL, sign_in_message

LEFT = Qt.MouseButton.LeftButton


def _stored() -> str | None:
    return keyring.get_password(SERVICE, "wallet:test")


@pytest.fixture
def keeper(tmp_path: Path) -> WalletKeeper:
    keeper = WalletKeeper("test", tmp_path)
    keeper.load()
    return keeper


@pytest.fixture
def panel(qtbot, keeper: WalletKeeper) -> WalletPanel:
    panel = WalletPanel(MarketStore(), "SOL-PERP", keeper=keeper)
    qtbot.addWidget(panel)
    panel.resize(760, 560)
    panel.show()
    panel.refresh()
    return panel


def _click(qtbot, box: QtWidgets.QMessageBox, text: str) -> None:
    [button] = [b for b in box.buttons() if b.text().replace("&", "") == text]
    qtbot.mouseClick(button, LEFT)


def test_the_panel_is_registered_as_wallet() -> None:
    assert PANEL_TYPES["wallet"] is WalletPanel and WalletPanel.title == "Wallet"


def test_it_shows_the_public_key_copies_it_and_says_where_the_key_is(
    qtbot, panel: WalletPanel, keeper: WalletKeeper
) -> None:
    assert keeper.wallet is not None
    assert panel.pubkey_edit.text() == keeper.wallet.pubkey
    assert panel.storage_label.text() == "OS keyring (file keyring FileKeyring)"
    assert panel.problem_label.isHidden() and panel.session_label.text() == "Not signed in"
    QApplication.clipboard().clear()
    qtbot.mouseClick(panel.copy_button, LEFT)
    assert QApplication.clipboard().text() == keeper.wallet.pubkey
    assert panel.notice.text() == "Public key copied to the clipboard"
    panel.store.account.pubkey = keeper.wallet.pubkey
    panel.refresh()
    assert panel.session_label.text() == "Signed in with this key"


def test_with_no_keyring_it_says_the_key_is_for_this_session_and_offers_export_only(
    qtbot, tmp_path: Path
) -> None:
    keeper = WalletKeeper("test", tmp_path, Keystore("test", NoKeyring()))
    keeper.load()
    panel = WalletPanel(MarketStore(), "SOL-PERP", keeper=keeper)
    qtbot.addWidget(panel)
    panel.show()
    panel.refresh()
    assert panel.storage_label.text().startswith("this session only")
    assert panel.problem_label.text().startswith("No usable OS keyring")
    assert panel.problem_label.isVisible()
    assert not panel.create_button.isEnabled() and not panel.import_button.isEnabled()
    assert "no usable keyring" in panel.create_button.toolTip()
    assert panel.export_button.isEnabled()


def test_create_asks_first_and_cancel_changes_nothing(qtbot, panel: WalletPanel) -> None:
    before = _stored()
    qtbot.mouseClick(panel.create_button, LEFT)
    box = panel.pending
    assert isinstance(box, QtWidgets.QMessageBox) and box.isVisible()
    assert panel.pubkey_edit.text() in box.text()
    assert "lost unless you exported it" in box.informativeText()
    assert "next start" in box.informativeText()
    _click(qtbot, box, "Cancel")
    assert _stored() == before and panel.pending is None


def test_a_created_key_replaces_the_keyrings_from_the_next_start(
    qtbot, panel: WalletPanel, keeper: WalletKeeper
) -> None:
    old = panel.pubkey_edit.text()
    panel.store.account.pubkey = old  # this session signed in with it
    qtbot.mouseClick(panel.create_button, LEFT)
    box = panel.pending
    assert isinstance(box, QtWidgets.QMessageBox)
    assert f"stays signed in as {old}" in box.informativeText()
    _click(qtbot, box, "Replace key")
    new = panel.pubkey_edit.text()
    assert new != old and _stored() is not None
    assert str(Keypair.from_base58_string(_stored()).pubkey()) == new
    assert "signs in from the next start" in panel.notice.text()
    assert panel.session_label.text().startswith(f"Signed in as {old}.")
    assert "next start" in panel.session_label.text()


def test_a_bad_import_says_why_in_the_dialog_and_changes_nothing(
    qtbot, panel: WalletPanel, tmp_path: Path
) -> None:
    before = (_stored(), panel.pubkey_edit.text())
    qtbot.mouseClick(panel.import_button, LEFT)
    dialog = panel.pending
    assert isinstance(dialog, ImportDialog)
    assert dialog.secret_edit.echoMode() == QtWidgets.QLineEdit.EchoMode.Password
    qtbot.keyClicks(dialog.secret_edit, "not-a-key-0OIl")
    qtbot.mouseClick(dialog.import_button, LEFT)
    assert dialog.isVisible() and "not base58" in dialog.problem.text()
    dialog.secret_edit.setText(str(Keypair().pubkey()))  # a public key, not a secret
    qtbot.mouseClick(dialog.import_button, LEFT)
    assert "holds 32 bytes" in dialog.problem.text()
    bad_file = tmp_path / "bad.json"
    bad_file.write_text("[1, 2, 3]")
    dialog.use_file(bad_file)
    assert dialog.isVisible() and "holds 3 numbers" in dialog.problem.text()
    dialog.use_file(tmp_path / "missing.json")
    assert "cannot read" in dialog.problem.text()
    qtbot.mouseClick(dialog.cancel_button, LEFT)
    assert not dialog.isVisible() and dialog.secret_edit.text() == ""
    assert (_stored(), panel.pubkey_edit.text()) == before and panel.pending is None


def test_an_imported_key_replaces_the_current_one_once_confirmed(
    qtbot, panel: WalletPanel, tmp_path: Path
) -> None:
    imported = Keypair()
    qtbot.mouseClick(panel.import_button, LEFT)
    dialog = panel.pending
    assert isinstance(dialog, ImportDialog)
    dialog.secret_edit.setText(str(imported))
    qtbot.mouseClick(dialog.import_button, LEFT)
    box = panel.pending
    assert isinstance(box, QtWidgets.QMessageBox)
    assert f"the imported key {imported.pubkey()}" in box.text()
    _click(qtbot, box, "Replace key")
    assert _stored() == str(imported)
    assert panel.pubkey_edit.text() == str(imported.pubkey())

    from_file = Keypair()  # then from a Solana CLI keypair file, cancelled at the question
    path = tmp_path / "id.json"
    path.write_text(str(list(bytes(from_file))))
    qtbot.mouseClick(panel.import_button, LEFT)
    dialog = panel.pending
    assert isinstance(dialog, ImportDialog)
    dialog.use_file(path)
    box = panel.pending
    assert isinstance(box, QtWidgets.QMessageBox) and str(from_file.pubkey()) in box.text()
    _click(qtbot, box, "Cancel")
    assert _stored() == str(imported)


def test_export_writes_a_private_keypair_file_or_says_why_not(
    panel: WalletPanel, keeper: WalletKeeper, tmp_path: Path
) -> None:
    assert keeper.wallet is not None
    path = tmp_path / "wallet.json"
    assert panel.export_to(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_keypair_file(path).pubkey() == keeper.wallet.keypair.pubkey()
    assert f"Key written to {path}" in panel.notice.text()
    assert not panel.export_to(tmp_path / "no" / "such" / "folder.json")
    assert panel.notice.text().startswith("Not exported: cannot write")


def test_the_secret_is_shown_only_after_a_confirmation_and_copied_only_on_request(
    qtbot, panel: WalletPanel, keeper: WalletKeeper
) -> None:
    assert keeper.wallet is not None
    secret = str(keeper.wallet.keypair)
    QApplication.clipboard().clear()
    panel.reveal_clicked()
    box = panel.pending
    assert isinstance(box, QtWidgets.QMessageBox) and "Anyone who sees it" in (
        box.informativeText()
    )
    _click(qtbot, box, "Cancel")
    assert panel.pending is None
    panel.reveal_clicked()
    _click(qtbot, panel.pending, "Show secret key")
    reveal = panel.pending
    assert isinstance(reveal, RevealDialog) and reveal.secret_edit.text() == secret
    assert QApplication.clipboard().text() != secret  # never put there by itself
    qtbot.mouseClick(reveal.copy_button, LEFT)
    assert QApplication.clipboard().text() == secret
    reveal.accept()
    assert QApplication.clipboard().text() == "" and reveal.secret_edit.text() == ""


async def test_every_signature_of_the_session_is_listed_with_its_text(
    panel: WalletPanel, keeper: WalletKeeper
) -> None:
    assert keeper.wallet is not None
    first = sign_in_message("localhost", keeper.wallet.pubkey)
    await sign_login(keeper.wallet, first, LOCAL)
    panel.refresh()
    model = panel.signed
    assert model.rowCount() == 1
    cells = [model.index(0, c).data() for c in range(model.columnCount())]
    assert cells[1:] == [
        "sign-in message",
        f"Sign in to localhost ({LOCAL})",
        "auto (this machine)",
    ]
    assert panel.signed_text.toPlainText() == first
    second = sign_in_message("localhost", keeper.wallet.pubkey, nonce="an0ther")
    await sign_login(keeper.wallet, second, LOCAL)
    panel.refresh()
    assert model.rowCount() == 2 and panel.signed_text.toPlainText() == second  # newest first
    panel.signed_view.selectRow(1)
    assert panel.signed_text.toPlainText() == first
