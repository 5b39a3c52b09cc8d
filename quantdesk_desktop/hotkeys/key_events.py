"""Reading a key press as a hotkey: its portable key text, and whether it is typing into a
text field (which keeps plain keys: a trader typing a size never sends an order)."""

from __future__ import annotations

from quantdesk_desktop.qt import Qt, QtCore, QtGui, QtWidgets

MODIFIER_KEYS = {
    Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta,
    Qt.Key.Key_AltGr, Qt.Key.Key_CapsLock, Qt.Key.Key_NumLock, Qt.Key.Key_unknown,
}  # fmt: skip
CHORD = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
TEXT_FIELDS = (
    QtWidgets.QLineEdit,
    QtWidgets.QAbstractSpinBox,
    QtWidgets.QTextEdit,
    QtWidgets.QPlainTextEdit,
    QtWidgets.QKeySequenceEdit,
)


def key_text(event: QtGui.QKeyEvent) -> str | None:
    """The pressed key with its modifiers as portable text (``Shift+F7``), None for a
    modifier alone."""
    key = Qt.Key(event.key())
    if key in MODIFIER_KEYS:
        return None
    modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    if key == Qt.Key.Key_Backtab:  # Shift+Tab arrives as its own key
        key = Qt.Key.Key_Tab
    sequence = QtGui.QKeySequence(QtCore.QKeyCombination(modifiers, key))
    return sequence.toString(QtGui.QKeySequence.SequenceFormat.PortableText) or None


def typing_into(widget: QtWidgets.QWidget | None, event: QtGui.QKeyEvent) -> bool:
    """Whether the press is text or editing in a text field (plain or shifted characters,
    arrows, Home, End, Backspace, Delete, Enter): such keys stay with the field."""
    editable_box = isinstance(widget, QtWidgets.QComboBox) and widget.isEditable()
    if not isinstance(widget, TEXT_FIELDS) and not editable_box:
        return False
    if event.modifiers() & CHORD:
        return False
    return not Qt.Key.Key_F1 <= Qt.Key(event.key()) <= Qt.Key.Key_F35
