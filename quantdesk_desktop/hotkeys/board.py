"""The hotkeys' state the panels and the window read: the key map, the sizes, whether the
trading keys are armed, and what the last key did."""

from __future__ import annotations

from dataclasses import dataclass, field

from quantdesk_desktop.hotkeys.keymap import Keymap
from quantdesk_desktop.hotkeys.sizes import HotkeySizes


@dataclass(slots=True)
class HotkeyBoard:
    """Hotkey state; ``version`` moves on every change a view shows."""

    keymap: Keymap = field(default_factory=Keymap)
    sizes: HotkeySizes = field(default_factory=HotkeySizes)
    armed: bool = False
    """Trading keys send orders only while armed; the workstation starts disarmed."""
    last_outcome: str = ""
    """What the last key did (or why it did nothing)."""
    last_was_refused: bool = False
    version: int = 0
    bindings_version: int = 0
    """Moves when the key map or the sizes change (they are saved then)."""

    def set_armed(self, armed: bool) -> None:
        """Arm or disarm the trading keys."""
        if armed != self.armed:
            self.armed = armed
            self.tell("trading keys armed" if armed else "trading keys disarmed", refused=False)

    def tell(self, text: str, refused: bool) -> None:
        """Record what a key did."""
        self.last_outcome, self.last_was_refused = text, refused
        self.version += 1

    def changed_bindings(self) -> None:
        """The key map or a size changed."""
        self.bindings_version += 1
        self.version += 1
