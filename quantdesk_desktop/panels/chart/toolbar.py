"""The chart's toolbar: the interval choice and a toggle per indicator."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

from quantdesk_desktop.panels.chart.studies import STUDIES
from quantdesk_desktop.qt import QtWidgets


class ChartToolbar(QtWidgets.QHBoxLayout):
    """A row over the panes: an interval box, then a checkable button per `STUDIES` entry."""

    def __init__(
        self,
        intervals: Iterable[str],
        interval: str,
        set_interval: Callable[[str], None],
        set_study: Callable[[str, bool], None],
    ) -> None:
        """``set_interval`` takes the interval chosen; ``set_study`` an indicator toggled
        (its key in `STUDIES`, whether it is shown)."""
        super().__init__()
        self.setContentsMargins(4, 2, 4, 2)
        self.interval_box = QtWidgets.QComboBox()
        self.interval_box.addItems(list(intervals))
        self.interval_box.setCurrentText(interval)
        self.interval_box.currentTextChanged.connect(set_interval)
        self.addWidget(self.interval_box)
        self.study_buttons: dict[str, QtWidgets.QToolButton] = {}
        for name, study in STUDIES.items():
            button = QtWidgets.QToolButton()
            button.setText(study.label)
            button.setCheckable(True)
            button.toggled.connect(partial(set_study, name))
            self.addWidget(button)
            self.study_buttons[name] = button
        self.addStretch(1)
