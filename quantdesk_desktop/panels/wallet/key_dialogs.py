"""The Wallet panel's dialogs: importing a key (pasted base58, or a Solana CLI keypair
file), confirming that the current key is replaced, and showing the secret key after an
explicit confirmation. All open with ``open()`` (no nested event loop) and report through
their ``accepted`` signal; an import that cannot be read says why and changes nothing."""

from __future__ import annotations

from pathlib import Path

from solders.keypair import Keypair

from quantdesk_desktop import theme
from quantdesk_desktop.qt import QApplication, QLabel, Qt, QtGui, QtWidgets, QWidget
from quantdesk_desktop.wallet.errors import SecretFormatError
from quantdesk_desktop.wallet.secret_formats import parse_base58_secret, read_keypair_file

KEYPAIR_FILES = "Solana keypair (*.json);;All files (*)"


def _plain_label(text: str, muted: bool = False) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    if muted:
        label.setStyleSheet(f"color: {theme.current().muted}")
    return label


class ImportDialog(QtWidgets.QDialog):
    """A key to import: pasted as base58 or read from a keypair file. Accepted only once
    it was read; `keypair` is then the key."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("walletImport")
        self.setWindowTitle("Import a wallet key")
        self.keypair: Keypair | None = None
        self.secret_edit = QtWidgets.QLineEdit()
        self.secret_edit.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.secret_edit.setPlaceholderText("base58 secret key")
        self.secret_edit.setMinimumWidth(480)
        self.file_button = QtWidgets.QPushButton("Keypair file…")
        self.file_button.setToolTip("A Solana CLI keypair file: a JSON array of 64 numbers")
        self.file_button.clicked.connect(self._choose_file)
        self.problem = _plain_label("")
        self.problem.setStyleSheet(f"color: {theme.current().danger}")
        self.problem.hide()
        buttons = QtWidgets.QDialogButtonBox()
        self.import_button = buttons.addButton(
            "Import", QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button = buttons.addButton(QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.use_pasted)
        buttons.rejected.connect(self.reject)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.secret_edit, 1)
        row.addWidget(self.file_button)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(
            _plain_label(
                "Paste the secret key as base58 (as Phantom or Solflare export it), or "
                "choose a Solana CLI keypair file."
            )
        )
        layout.addLayout(row)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def use_pasted(self) -> None:
        """Read the pasted secret (accepted if it is a key, else why not, and stay)."""
        self._take(lambda: parse_base58_secret(self.secret_edit.text()))

    def use_file(self, path: Path) -> None:
        """Read the key in ``path`` (accepted if it is one, else why not, and stay)."""
        self._take(lambda: read_keypair_file(path))

    def _take(self, read) -> None:
        try:
            keypair = read()
        except SecretFormatError as error:
            self.problem.setText(f"Not imported: {error}.")
            self.problem.show()
            return
        self.keypair = keypair
        self.secret_edit.clear()
        self.accept()

    def _choose_file(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self, "Import a Solana keypair file", str(Path.home()), KEYPAIR_FILES
        )
        if path:
            self.use_file(Path(path))

    def done(self, result: int) -> None:
        self.secret_edit.clear()  # no pasted secret left in a hidden widget
        super().done(result)


def replace_dialog(
    parent: QWidget, current: str, new: str | None, signed_in_as: str
) -> QtWidgets.QMessageBox:
    """The confirmation that the current key is replaced (``new``: the imported key's
    public key; None for a key still to be created)."""
    box = QtWidgets.QMessageBox(parent)
    box.setObjectName("walletReplace")
    box.setIcon(QtWidgets.QMessageBox.Icon.Warning)
    box.setWindowTitle("Replace the wallet key")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(
        f"Replace the wallet key {current} with "
        + (f"the imported key {new}?" if new else "a new key?")
    )
    session = (
        f"This session stays signed in as {signed_in_as}; "
        if signed_in_as
        else "This session is not signed in; "
    )
    box.setInformativeText(
        f"The current key is deleted from the keyring and lost unless you exported it "
        f"(Export first if it holds funds).\n\n{session}the new key signs in from the next "
        "start of the workstation."
    )
    box.addButton("Replace key", QtWidgets.QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QtWidgets.QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    return box


def reveal_confirmation(parent: QWidget, pubkey: str) -> QtWidgets.QMessageBox:
    """The confirmation asked before the secret key is shown."""
    box = QtWidgets.QMessageBox(parent)
    box.setObjectName("walletRevealConfirm")
    box.setIcon(QtWidgets.QMessageBox.Icon.Warning)
    box.setWindowTitle("Show the secret key")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(f"Show the secret key of wallet {pubkey} on screen?")
    box.setInformativeText(
        "Anyone who sees it, or a screenshot or screen share of it, can take everything "
        "this wallet holds. Make sure nobody is watching."
    )
    box.addButton("Show secret key", QtWidgets.QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QtWidgets.QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    return box


class RevealDialog(QtWidgets.QDialog):
    """The base58 secret key on screen; copied only by its own button, and taken off the
    clipboard again when the dialog closes."""

    def __init__(self, secret: str, pubkey: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("walletReveal")
        self.setWindowTitle("Wallet secret key")
        self._secret = secret
        self.secret_edit = QtWidgets.QLineEdit(secret)
        self.secret_edit.setReadOnly(True)
        self.secret_edit.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.FixedFont))
        self.secret_edit.ensurePolished()  # the style sheet's font, to measure the secret in
        self.secret_edit.setMinimumWidth(
            self.secret_edit.fontMetrics().horizontalAdvance(secret) + 48
        )
        self.secret_edit.setCursorPosition(0)
        self.copy_button = QtWidgets.QPushButton("Copy secret key")
        self.copy_button.clicked.connect(self.copy)
        self.copied = _plain_label("", muted=True)
        close = QtWidgets.QPushButton("Close")
        close.setDefault(True)
        close.clicked.connect(self.accept)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.copied, 1)
        row.addWidget(self.copy_button)
        row.addWidget(close)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(_plain_label(f"Secret key of wallet {pubkey} (base58):"))
        layout.addWidget(self.secret_edit)
        layout.addWidget(
            _plain_label(
                "Keep it offline. QuantDesk never asks for it again except to import it.",
                muted=True,
            )
        )
        layout.addLayout(row)

    def copy(self) -> None:
        """Put the secret on the clipboard (the user pressed Copy)."""
        QApplication.clipboard().setText(self._secret)
        self.copied.setText("Copied: it leaves the clipboard when this window closes.")

    def done(self, result: int) -> None:
        clipboard = QApplication.clipboard()
        if clipboard.text() == self._secret:
            clipboard.clear()
        self.secret_edit.clear()
        self._secret = ""
        super().done(result)
