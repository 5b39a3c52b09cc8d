"""Answering the wallet's approval dialog as a user does: wait for it to show, read it,
click Sign or Refuse."""

from __future__ import annotations

from quantdesk_desktop.panels.wallet.approval_dialog import ApprovalDialog, DialogApprover
from quantdesk_desktop.qt import Qt
from tests.desktop.live_backend import qt_until


async def shown(approver: DialogApprover) -> ApprovalDialog:
    """The approval dialog once it is on screen."""
    await qt_until(
        lambda: approver.dialog is not None and approver.dialog.isVisible(),
        "the approval dialog on screen",
    )
    assert approver.dialog is not None
    return approver.dialog


def answer(qtbot, dialog: ApprovalDialog, sign: bool, remember: bool = False) -> None:
    """Click Sign (ticking "don't ask again" first if ``remember``) or Refuse."""
    if remember:
        qtbot.mouseClick(dialog.remember_box, Qt.MouseButton.LeftButton)
        assert dialog.remember_box.isChecked()
    button = dialog.sign_button if sign else dialog.refuse_button
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
