"""The Wallet panel: the public key with a Copy button, where the key is kept (the
keyring, or this session only, said plainly), Create new / Import / Export, and the
"Signed" list of every signature of the session with the full text of the one chosen.

Replacing the key asks first (the current key is lost unless exported) and takes effect
at the next start: the running session stays signed in as it is. Export writes a Solana
CLI keypair file (mode 0600) or shows the secret after a confirmation; it never puts the
secret on the clipboard by itself.
"""

from __future__ import annotations

from pathlib import Path

from solders.keypair import Keypair

from quantdesk_desktop import theme
from quantdesk_desktop.panels.base import Panel
from quantdesk_desktop.panels.table_style import style_table
from quantdesk_desktop.panels.wallet.key_dialogs import (
    KEYPAIR_FILES,
    ImportDialog,
    RevealDialog,
    replace_dialog,
    reveal_confirmation,
)
from quantdesk_desktop.panels.wallet.signed_table import SignedModel
from quantdesk_desktop.panels.wallet.style import wallet_style
from quantdesk_desktop.qt import QApplication, QLabel, Qt, QtGui, QtWidgets, QWidget
from quantdesk_desktop.state.store import MarketStore
from quantdesk_desktop.wallet.errors import WalletError
from quantdesk_desktop.wallet.keeper import WalletKeeper, installed

ROW_HEIGHT = 22
NO_KEYRING_TIP = "There is no usable keyring: a new key could not be kept. Export keeps this one."


class WalletPanel(Panel):
    """The wallet's key, its storage, its import and export, and what it signed."""

    kind = "wallet"
    title = "Wallet"

    def __init__(
        self,
        store: MarketStore,
        market: str,
        parent: QWidget | None = None,
        keeper: WalletKeeper | None = None,
    ) -> None:
        super().__init__(store, market, parent)
        self.setObjectName("walletPanel")
        self._keeper = keeper
        self.pending: QtWidgets.QDialog | None = None
        """The dialog this panel has open (None: none)."""
        fixed = QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.FixedFont)
        self.pubkey_edit = QtWidgets.QLineEdit()
        self.pubkey_edit.setReadOnly(True)
        self.pubkey_edit.setFont(fixed)
        self.pubkey_edit.setMinimumWidth(200)
        self.copy_button = QtWidgets.QPushButton("Copy")
        self.copy_button.setToolTip("Copy the public key")
        self.copy_button.clicked.connect(self.copy_pubkey)
        self.storage_label = _plain_label()
        self.session_label = _plain_label()
        self.problem_label = _plain_label()
        self.create_button = QtWidgets.QPushButton("Create new…")
        self.create_button.clicked.connect(self.create_clicked)
        self.import_button = QtWidgets.QPushButton("Import…")
        self.import_button.clicked.connect(self.import_clicked)
        self.export_button = QtWidgets.QPushButton("Export…")
        export_menu = QtWidgets.QMenu(self.export_button)
        export_menu.addAction("Save as a Solana keypair file…", self._export_chosen)
        export_menu.addAction("Show the secret key…", self.reveal_clicked)
        self.export_button.setMenu(export_menu)
        self.notice = _plain_label()
        self.notice.hide()
        self.signed = SignedModel()
        self.signed_view = QtWidgets.QTableView()
        self.signed_view.setModel(self.signed)
        style_table(self.signed_view, ROW_HEIGHT)
        self.signed_view.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        header = self.signed_view.horizontalHeader()
        fit = QtWidgets.QHeaderView.ResizeMode.ResizeToContents
        for column, mode in enumerate((fit, fit, QtWidgets.QHeaderView.ResizeMode.Stretch, fit)):
            header.setSectionResizeMode(column, mode)
        self.signed_view.selectionModel().currentRowChanged.connect(lambda *_: self._show_text())
        self.signed_text = QtWidgets.QPlainTextEdit()
        self.signed_text.setReadOnly(True)
        self.signed_text.setFont(fixed)
        self.signed_text.setPlaceholderText("The text of the signature chosen above")
        self._build_layout()
        self._seen: tuple | None = None

    def _build_layout(self) -> None:
        key_row = QtWidgets.QHBoxLayout()
        key_row.setSpacing(4)
        key_row.addWidget(self.pubkey_edit, 1)
        key_row.addWidget(self.copy_button)
        form = QtWidgets.QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Public key", key_row)
        form.addRow("Stored in", self.storage_label)
        form.addRow("Session", self.session_label)
        buttons = QtWidgets.QHBoxLayout()
        for button in (self.create_button, self.import_button, self.export_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        split = QtWidgets.QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.signed_view)
        split.addWidget(self.signed_text)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(form)
        layout.addWidget(self.problem_label)
        layout.addLayout(buttons)
        layout.addWidget(self.notice)
        heading = _plain_label("Signed this session")
        heading.setStyleSheet("font-weight: bold; margin-top: 6px;")
        layout.addWidget(heading)
        layout.addWidget(split, 1)

    @property
    def keeper(self) -> WalletKeeper | None:
        """The wallet shown: the one given, else the workstation's."""
        return self._keeper if self._keeper is not None else installed()

    # -- showing ------------------------------------------------------------------------

    def refresh(self) -> None:
        """Show the key, its storage, the session and the signatures when they moved."""
        keeper = self.keeper
        signed = keeper.gate.signed if keeper is not None else None
        seen = (
            id(keeper),
            keeper.version if keeper is not None else -1,
            self.store.account.pubkey,
            theme.current().name,
        )
        if self.signed.follow(signed) and not self.signed_view.currentIndex().isValid():
            self._show_text()
        if seen == self._seen:
            return
        if self._seen is None or self._seen[3] != seen[3]:  # the theme changed
            self.setStyleSheet(wallet_style(theme.current()))
        self._seen = seen
        self._show_key(keeper)

    def _show_key(self, keeper: WalletKeeper | None) -> None:
        palette = theme.current()
        wallet = keeper.wallet if keeper is not None else None
        self.pubkey_edit.setText(wallet.pubkey if wallet else "")
        self.copy_button.setEnabled(wallet is not None)
        self.export_button.setEnabled(wallet is not None)
        replaceable = keeper is not None and keeper.keyring_usable
        for button in (self.create_button, self.import_button):
            button.setEnabled(replaceable)
            button.setToolTip("" if replaceable else NO_KEYRING_TIP)
        if wallet is None:
            self.storage_label.setText("No wallet loaded yet")
            self.storage_label.setStyleSheet("")
        else:
            self.storage_label.setText(wallet.stored_in)
            warn = f"color: {palette.warning}; font-weight: bold;"
            self.storage_label.setStyleSheet("" if wallet.persistent else warn)
        self.problem_label.setText(keeper.problem if keeper is not None else "")
        self.problem_label.setStyleSheet(f"color: {palette.warning}")
        self.problem_label.setVisible(bool(keeper is not None and keeper.problem))
        self.session_label.setText(self._session_text(wallet.pubkey if wallet else None))

    def _session_text(self, pubkey: str | None) -> str:
        signed_in = self.store.account.pubkey
        if not signed_in:
            return "Not signed in"
        if signed_in == pubkey:
            return "Signed in with this key"
        return (
            f"Signed in as {signed_in}. The key above signs in from the next start of the "
            "workstation."
        )

    def _show_text(self) -> None:
        row = self.signed_view.currentIndex().row()
        entries = self.signed.entries
        entry = entries[row] if 0 <= row < len(entries) else (entries[0] if entries else None)
        self.signed_text.setPlainText("" if entry is None else entry.text)

    def show_notice(self, text: str, error: bool = False) -> None:
        """Tell the user ``text`` under the buttons (an error in the danger colour)."""
        colour = theme.current().danger if error else theme.current().muted
        self.notice.setStyleSheet(f"color: {colour}")
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    # -- the public key -----------------------------------------------------------------

    def copy_pubkey(self) -> None:
        """Put the public key on the clipboard."""
        keeper = self.keeper
        if keeper is None or keeper.wallet is None:
            return
        QApplication.clipboard().setText(keeper.wallet.pubkey)
        self.show_notice("Public key copied to the clipboard")

    # -- replacing the key --------------------------------------------------------------

    def create_clicked(self) -> None:
        """Ask, then replace the key with a new one."""
        self._confirm_replacement(None)

    def import_clicked(self) -> None:
        """Ask for the key to import (then confirm the replacement)."""
        dialog = ImportDialog(self)
        dialog.accepted.connect(lambda: self._confirm_replacement(dialog.keypair))
        self._open(dialog)

    def _confirm_replacement(self, keypair: Keypair | None) -> None:
        keeper = self.keeper
        if keeper is None or keeper.wallet is None:
            return
        new = str(keypair.pubkey()) if keypair is not None else None
        box = replace_dialog(self, keeper.wallet.pubkey, new, self.store.account.pubkey)
        box.accepted.connect(lambda: self.replace_key(keypair))
        self._open(box)

    def replace_key(self, keypair: Keypair | None) -> None:
        """Keep ``keypair`` (None: a new key) in place of the current one, and say what
        happened (or why nothing did)."""
        keeper = self.keeper
        if keeper is None:
            return
        try:
            wallet = keeper.replace(keypair) if keypair is not None else keeper.create()
        except WalletError as error:
            self.show_notice(f"Key not replaced: {error}", error=True)
            return
        self.show_notice(
            f"Key {wallet.pubkey} is stored in the keyring; it signs in from the next start."
        )
        self.refresh()

    # -- exporting ----------------------------------------------------------------------

    def _export_chosen(self) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self, "Export the wallet key", str(Path.home() / "quantdesk-wallet.json"), KEYPAIR_FILES
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> bool:
        """Write the key to ``path`` as a Solana CLI keypair file; whether it was."""
        keeper = self.keeper
        if keeper is None or keeper.wallet is None:
            return False
        try:
            keeper.export_file(path)
        except WalletError as error:
            self.show_notice(f"Not exported: {error}", error=True)
            return False
        self.show_notice(f"Key written to {path} (readable by you only). It holds the secret.")
        return True

    def reveal_clicked(self) -> None:
        """Ask, then show the secret key."""
        keeper = self.keeper
        if keeper is None or keeper.wallet is None:
            return
        box = reveal_confirmation(self, keeper.wallet.pubkey)
        box.accepted.connect(self._reveal)
        self._open(box)

    def _reveal(self) -> None:
        keeper = self.keeper
        if keeper is None or keeper.wallet is None:
            return
        self._open(RevealDialog(keeper.reveal_secret(), keeper.wallet.pubkey, self))

    def _open(self, dialog: QtWidgets.QDialog) -> None:
        """Open ``dialog`` without a nested event loop; `pending` while it is open."""
        self.pending = dialog
        dialog.finished.connect(lambda _code: self._closed(dialog))
        dialog.open()

    def _closed(self, dialog: QtWidgets.QDialog) -> None:
        if self.pending is dialog:
            self.pending = None
        dialog.deleteLater()


def _plain_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label
