"""The Hotkeys panel: the cheat sheet of every key and what it does, where keys are
rebound (a clash or a key the menus use is refused and nothing is changed), the arm
switch, and the hotkey size in the panel's market."""

from __future__ import annotations

from backend.domain.fixed_point import BASE_PRECISION, format_fixed
from quantdesk_desktop import theme
from quantdesk_desktop.hotkeys.actions import ACTIONS, HotkeyAction
from quantdesk_desktop.hotkeys.keymap import KeymapError
from quantdesk_desktop.panels.base import Panel
from quantdesk_desktop.panels.table_columns import LEFT, Column, ColumnsModel
from quantdesk_desktop.qt import QLabel, QtWidgets, QWidget
from quantdesk_desktop.state.store import MarketStore

REFUSED_COLOUR = "#e53935"


class KeysModel(ColumnsModel):
    """One row per action: what it does, its key, whether it trades."""

    def __init__(self, store: MarketStore) -> None:
        super().__init__()
        self.store = store
        self.columns = (
            Column("Action", lambda a: a.label, LEFT),
            Column("Key", lambda a: self.store.hotkeys.keymap.key_of(a.name) or "—", LEFT),
            Column("Kind", lambda a: "trading" if a.trading else "", LEFT),
        )

    def row_count(self) -> int:
        return len(ACTIONS)

    def row_object(self, row: int) -> HotkeyAction:
        return ACTIONS[row]

    def changed(self) -> None:
        """The key map moved: every key cell again."""
        self.dataChanged.emit(self.index(0, 1), self.index(len(ACTIONS) - 1, 1))


class KeyDialog(QtWidgets.QDialog):
    """Capture one key for an action; a refused key keeps the dialog open with why."""

    def __init__(self, store: MarketStore, action: HotkeyAction, parent: QWidget) -> None:
        super().__init__(parent)
        self.store = store
        self.action = action
        self.setWindowTitle(f"Key for {action.label}")
        self.key_edit = QtWidgets.QKeySequenceEdit()
        self.key_edit.setMaximumSequenceLength(1)
        self.key_edit.setKeySequence(store.hotkeys.keymap.key_of(action.name))
        self.problem = QLabel()
        self.problem.setStyleSheet(f"color: {REFUSED_COLOUR}")
        self.problem.setWordWrap(True)
        buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Ok
            | QtWidgets.QDialogButtonBox.StandardButton.Cancel
        )
        unbind = buttons.addButton("No key", QtWidgets.QDialogButtonBox.ButtonRole.ResetRole)
        unbind.clicked.connect(self.key_edit.clear)
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(QLabel(f"Press the key for “{action.label}”:"))
        layout.addWidget(self.key_edit)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def apply(self) -> None:
        """Bind the captured key, or say why not and stay open."""
        text = self.key_edit.keySequence().toString()
        if apply_key(self.store, self.action.name, text, self.problem):
            self.accept()


def apply_key(store: MarketStore, action: str, key_text: str, problem: QLabel) -> bool:
    """Rebind ``action`` to ``key_text``; False (and the reason in ``problem``) if refused."""
    board = store.hotkeys
    try:
        board.keymap.rebind(action, key_text)
    except KeymapError as error:
        problem.setText(str(error))
        return False
    problem.clear()
    board.changed_bindings()
    return True


class HotkeysPanel(Panel):
    """Every key binding, the arm switch and the hotkey size."""

    kind = "hotkeys"
    title = "Hotkeys"

    def __init__(self, store: MarketStore, market: str, parent: QWidget | None = None) -> None:
        super().__init__(store, market, parent)
        self.model = KeysModel(store)
        self.view = QtWidgets.QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.doubleClicked.connect(lambda index: self.edit_key(index.row()))
        self.arm_button = QtWidgets.QPushButton()
        self.arm_button.setCheckable(True)
        self.arm_button.clicked.connect(lambda on: store.hotkeys.set_armed(bool(on)))
        self.size_label = QLabel()
        self.smaller = QtWidgets.QToolButton(text="−")
        self.smaller.setToolTip("Smaller hotkey size in this market")
        self.smaller.clicked.connect(lambda: self.step_size(up=False))
        self.bigger = QtWidgets.QToolButton(text="+")
        self.bigger.setToolTip("Larger hotkey size in this market")
        self.bigger.clicked.connect(lambda: self.step_size(up=True))
        change = QtWidgets.QPushButton("Change key…")
        change.clicked.connect(self._edit_selected)
        reset = QtWidgets.QPushButton("Defaults")
        reset.setToolTip("Every action back on its default key")
        reset.clicked.connect(self.reset_keys)
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        self.problem = QLabel()
        self.problem.setStyleSheet(f"color: {REFUSED_COLOUR}")
        top = QtWidgets.QHBoxLayout()
        for widget in (self.arm_button, self.size_label, self.smaller, self.bigger):
            top.addWidget(widget)
        top.addStretch(1)
        top.addWidget(change)
        top.addWidget(reset)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.problem)
        layout.addWidget(self.outcome)
        self._seen: tuple | None = None
        self._keys_seen: int | None = None

    def refresh(self) -> None:
        """Show the keys, the switch, the size and the last outcome when they moved."""
        board = self.store.hotkeys
        spec = self.store.board.specs.get(self.market)
        size = board.sizes.size(self.market, spec)
        seen = (board.version, self.market, size)
        if seen == self._seen:
            return
        self._seen = seen
        self.arm_button.setChecked(board.armed)
        self.arm_button.setText("Trading keys ARMED" if board.armed else "Trading keys disarmed")
        self.arm_button.setStyleSheet(f"QPushButton {{ {theme.ARMED} }}" if board.armed else "")
        self.size_label.setText(f"Size {format_fixed(size, BASE_PRECISION)} {self.market}")
        colour = REFUSED_COLOUR if board.last_was_refused else ""
        self.outcome.setStyleSheet(f"color: {colour}" if colour else "")
        self.outcome.setText(board.last_outcome)
        if board.bindings_version != self._keys_seen:  # the table only when keys moved
            self._keys_seen = board.bindings_version
            self.model.changed()
            self.view.resizeColumnsToContents()

    def edit_key(self, row: int) -> None:
        """Ask for a new key for the action on ``row``."""
        if 0 <= row < len(ACTIONS):
            KeyDialog(self.store, ACTIONS[row], self).exec()

    def _edit_selected(self) -> None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            self.problem.setText("select an action first")
            return
        self.edit_key(rows[0].row())

    def rebind(self, action: str, key_text: str) -> bool:
        """Bind ``action`` to ``key_text`` (False, and why shown, if refused)."""
        return apply_key(self.store, action, key_text, self.problem)

    def reset_keys(self) -> None:
        """Every action on its default key."""
        self.store.hotkeys.keymap.reset()
        self.store.hotkeys.changed_bindings()
        self.problem.clear()

    def step_size(self, up: bool) -> None:
        """The hotkey size in this market one step up or down."""
        board = self.store.hotkeys
        board.sizes.step(self.market, self.store.board.specs.get(self.market), up)
        board.changed_bindings()

    def show_market(self, market: str) -> None:
        """The size shown is this market's."""
        self._seen = None
