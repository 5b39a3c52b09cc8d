"""Which key does which action: validated (one key per action, one action per key, keys
Qt can read) and kept as Qt's portable key text so the settings file is readable."""

from __future__ import annotations

from quantdesk_desktop.hotkeys.actions import ACTIONS, BY_NAME, RESERVED_KEYS
from quantdesk_desktop.qt import QtGui

UNBOUND = ""


class KeymapError(ValueError):
    """A binding that cannot be made, with the reason in words."""


def normalised_key(text: str) -> str:
    """``text`` as Qt's portable key text (``shift+f7`` → ``Shift+F7``); empty for no key.

    Raises `KeymapError` for text that is not one key (with its modifiers)."""
    text = text.strip()
    if not text:
        return UNBOUND
    sequence = QtGui.QKeySequence.fromString(text, QtGui.QKeySequence.SequenceFormat.PortableText)
    if sequence.count() != 1:
        raise KeymapError(f"{text!r} is a sequence of keys; bind a single key (with modifiers)")
    key = sequence.toString(QtGui.QKeySequence.SequenceFormat.PortableText)
    if not key:
        raise KeymapError(f"{text!r} is not a key Qt knows")
    return key


class Keymap:
    """Key bindings by action name."""

    def __init__(self, bindings: dict[str, str] | None = None) -> None:
        self.bindings: dict[str, str] = {a.name: a.default_key for a in ACTIONS}
        if bindings:
            for name, key in bindings.items():
                self.rebind(name, key)

    @classmethod
    def from_settings(cls, saved: object) -> tuple[Keymap, list[str]]:
        """The key map saved in the settings, and what of it could not be taken (unknown
        actions, unreadable or clashing keys keep their defaults)."""
        keymap = cls()
        problems: list[str] = []
        if not isinstance(saved, dict):
            return keymap, problems if saved is None else ["hotkeys: not a mapping, defaults"]
        wanted = {name: key for name, key in saved.items() if isinstance(key, str)}
        problems.extend(
            f"hotkeys: {name}: {key!r} is not a key, kept the default"
            for name, key in saved.items()
            if not isinstance(key, str)
        )
        # free every key the saved map moves first, so that swaps are not clashes
        for name in wanted:
            if name in keymap.bindings:
                keymap.bindings[name] = UNBOUND
        for name, key in wanted.items():
            try:
                keymap.rebind(name, key)
            except KeymapError as error:
                problems.append(f"hotkeys: {error}")
                if name in BY_NAME:
                    default = BY_NAME[name].default_key
                    free = keymap.action_for(default) is None
                    keymap.bindings[name] = default if free else UNBOUND
        return keymap, problems

    def as_settings(self) -> dict[str, str]:
        """The bindings to save."""
        return dict(self.bindings)

    def key_of(self, action: str) -> str:
        """The key bound to ``action`` (empty: none)."""
        return self.bindings.get(action, UNBOUND)

    def action_for(self, key: str) -> str | None:
        """The action bound to ``key`` (portable text), if any."""
        for name, bound in self.bindings.items():
            if bound and bound == key:
                return name
        return None

    def rebind(self, action: str, key_text: str) -> None:
        """Bind ``action`` to the key ``key_text`` (empty: unbind it).

        Raises `KeymapError` for an unknown action, a key that is not one, a key the
        menus use, or a key another action has."""
        if action not in BY_NAME:
            raise KeymapError(f"unknown action {action!r}")
        key = normalised_key(key_text)
        if key in RESERVED_KEYS:
            raise KeymapError(f"{key} is kept for {RESERVED_KEYS[key]}")
        holder = self.action_for(key) if key else None
        if holder is not None and holder != action:
            raise KeymapError(f"{key} is already bound to {BY_NAME[holder].label}")
        self.bindings[action] = key

    def reset(self) -> None:
        """Every action back on its default key."""
        self.bindings = {a.name: a.default_key for a in ACTIONS}
