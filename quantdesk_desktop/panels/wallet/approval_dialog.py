"""The signing approval: what is about to be signed, in full, with Sign and Refuse.

`DialogApprover` is the wallet gate's `Approver` in the workstation: it opens the dialog
without a nested event loop (``open()``, not ``exec()``) and awaits the answer on the
asyncio loop qasync runs, so the session's sign-in simply awaits it. One request is
shown at a time; Refuse is the default button (Enter or Escape never signs).
"""

from __future__ import annotations

import asyncio

from quantdesk_desktop import theme
from quantdesk_desktop.panels.wallet.style import wallet_style
from quantdesk_desktop.qt import QLabel, Qt, QtGui, QtWidgets, QWidget
from quantdesk_desktop.wallet.gate import Decision
from quantdesk_desktop.wallet.signing_request import RequestKind, SigningRequest

SIGN_IN_NOTE = (
    "Signing this message proves to the backend that you hold this wallet's key. It is "
    "not a transaction: it cannot move funds or cost fees."
)
TRANSACTION_NOTE = (
    "Signing this transaction lets it do everything listed below once it is sent to the "
    "chain. Check the programs, the accounts and the amounts."
)


class ApprovalDialog(QtWidgets.QDialog):
    """One signing request shown in full; accepted means Sign."""

    def __init__(self, request: SigningRequest, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.request = request
        self.setObjectName("walletApproval")
        self.setWindowTitle(f"Approve a {request.kind}")
        palette = theme.current()
        self.setStyleSheet(wallet_style(palette))
        sign_in = request.kind is RequestKind.SIGN_IN
        headline = QLabel(request.summary)
        headline.setObjectName("approvalHeadline")
        headline.setTextFormat(Qt.TextFormat.PlainText)
        headline.setWordWrap(True)
        headline.setStyleSheet("font-size: 15px; font-weight: bold;")
        who = QLabel(f"Wallet <b>{request.signer}</b> is asked to sign a {request.kind}.")
        who.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        note = QLabel(SIGN_IN_NOTE if sign_in else TRANSACTION_NOTE)
        note.setTextFormat(Qt.TextFormat.PlainText)
        note.setWordWrap(True)
        note.setStyleSheet(f"color: {palette.muted}")
        self.text_view = QtWidgets.QPlainTextEdit(request.text)
        self.text_view.setObjectName("approvalText")
        self.text_view.setReadOnly(True)
        self.text_view.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.FixedFont))
        if sign_in:  # prose: wrapped; a transaction: one account per line, unwrapped
            self.text_view.setMinimumSize(660, 220)
        else:
            self.text_view.setLineWrapMode(QtWidgets.QPlainTextEdit.LineWrapMode.NoWrap)
            self.text_view.setMinimumSize(800, 380)
        self.remember_box = QtWidgets.QCheckBox(
            f"Don't ask again for this backend ({request.backend})"
        )
        self.remember_box.setVisible(self._may_remember())
        buttons = QtWidgets.QDialogButtonBox()
        self.refuse_button = buttons.addButton(
            "Refuse", QtWidgets.QDialogButtonBox.ButtonRole.RejectRole
        )
        self.sign_button = buttons.addButton(
            "Sign message" if sign_in else "Sign transaction",
            QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole,
        )
        self.sign_button.setObjectName("walletSign")
        self.sign_button.setAutoDefault(False)
        self.refuse_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(headline)
        layout.addWidget(who)
        layout.addWidget(note)
        layout.addWidget(self.text_view, 1)
        layout.addWidget(self.remember_box)
        layout.addWidget(buttons)
        self.refuse_button.setFocus()

    def _may_remember(self) -> bool:
        """Only sign-ins may skip the dialog next time (for their backend)."""
        return self.request.kind is RequestKind.SIGN_IN and bool(self.request.backend)

    def decision(self) -> Decision:
        """The answer given (Sign: approved), with the "don't ask again" box."""
        approved = self.result() == QtWidgets.QDialog.DialogCode.Accepted
        remember = approved and self._may_remember() and self.remember_box.isChecked()
        return Decision(approved, remember)


class DialogApprover:
    """Shows each signing request in an `ApprovalDialog` over ``parent`` and awaits the
    user's answer (one request at a time)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.parent = parent
        self.dialog: ApprovalDialog | None = None
        """The dialog open now (None: none)."""
        self._turn = asyncio.Lock()

    async def __call__(self, request: SigningRequest) -> Decision:
        async with self._turn:
            dialog = ApprovalDialog(request, self.parent)
            answered: asyncio.Future[int] = asyncio.get_running_loop().create_future()
            dialog.finished.connect(lambda code: answered.done() or answered.set_result(code))
            self.dialog = dialog
            dialog.open()
            dialog.raise_()
            dialog.activateWindow()
            try:
                await answered
                return dialog.decision()
            finally:
                self.dialog = None
                if dialog.isVisible():  # the request was given up: nothing is signed
                    dialog.reject()
                dialog.deleteLater()
