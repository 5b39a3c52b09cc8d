"""Every action a key can be bound to, with its default key."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HotkeyAction:
    """One thing a key does."""

    name: str
    """A stable name, saved in the settings."""
    label: str
    trading: bool
    """Sends or cancels orders, so it does nothing while the keys are disarmed."""
    default_key: str
    """The default binding, in Qt's portable key text (``F1``, ``Shift+F7``)."""


ACTIONS: tuple[HotkeyAction, ...] = (
    HotkeyAction("buy_market", "Buy at market", True, "F1"),
    HotkeyAction("sell_market", "Sell at market", True, "F2"),
    HotkeyAction("buy_bid", "Buy at the bid (join)", True, "F3"),
    HotkeyAction("sell_ask", "Sell at the ask (join)", True, "F4"),
    HotkeyAction("buy_ask", "Buy at the ask (cross)", True, "F5"),
    HotkeyAction("sell_bid", "Sell at the bid (cross)", True, "F6"),
    HotkeyAction("cancel_market", "Cancel all on the market", True, "F7"),
    HotkeyAction("cancel_everywhere", "Cancel all everywhere", True, "Shift+F7"),
    HotkeyAction("flatten", "Flatten the position", True, "F8"),
    HotkeyAction("flatten_all", "Flatten all positions", True, "Shift+F8"),
    HotkeyAction("reverse", "Reverse the position", True, "F9"),
    HotkeyAction("size_up", "Increase the hotkey size", False, "Alt+Up"),
    HotkeyAction("size_down", "Decrease the hotkey size", False, "Alt+Down"),
    HotkeyAction("next_market", "Next market", False, "Alt+Right"),
    HotkeyAction("previous_market", "Previous market", False, "Alt+Left"),
    HotkeyAction("focus_ticket", "Focus the order ticket", False, "Ctrl+T"),
    HotkeyAction("toggle_armed", "Arm or disarm the trading keys", False, "Ctrl+Shift+A"),
)

BY_NAME: dict[str, HotkeyAction] = {action.name: action for action in ACTIONS}

RESERVED_KEYS = {"Ctrl+S": "saving the workspace"}
"""Keys the window's menus use; no action may take them."""
