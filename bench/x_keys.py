"""Real X key presses from this process, through the XTEST extension (what xdotool uses),
without a child process per key: the X server delivers them to the focused window like a
keyboard's."""

from __future__ import annotations

import ctypes
import ctypes.util


class XKeyboard:
    """Press keys on the display in ``$DISPLAY``."""

    def __init__(self) -> None:
        x11 = ctypes.util.find_library("X11")
        xtst = ctypes.util.find_library("Xtst")
        if x11 is None or xtst is None:
            raise RuntimeError("libX11 and libXtst are needed for real key presses")
        self._x = ctypes.CDLL(x11)
        self._xtst = ctypes.CDLL(xtst)
        self._x.XOpenDisplay.restype = ctypes.c_void_p
        self._x.XOpenDisplay.argtypes = [ctypes.c_char_p]
        self._x.XStringToKeysym.restype = ctypes.c_ulong
        self._x.XStringToKeysym.argtypes = [ctypes.c_char_p]
        self._x.XKeysymToKeycode.restype = ctypes.c_ubyte
        self._x.XKeysymToKeycode.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
        self._x.XFlush.argtypes = [ctypes.c_void_p]
        self._x.XCloseDisplay.argtypes = [ctypes.c_void_p]
        self._xtst.XTestFakeKeyEvent.argtypes = [
            ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_ulong
        ]  # fmt: skip
        self._display = self._x.XOpenDisplay(None)
        if not self._display:
            raise RuntimeError("cannot open the X display")

    def keycode(self, name: str) -> int:
        """The keycode of an X key name (``F3``, ``Escape``)."""
        keysym = self._x.XStringToKeysym(name.encode())
        code = self._x.XKeysymToKeycode(self._display, keysym) if keysym else 0
        if not code:
            raise ValueError(f"no key {name!r} on this display")
        return code

    def tap(self, code: int) -> None:
        """Press and release a key (by keycode), sent at once."""
        self._xtst.XTestFakeKeyEvent(self._display, code, 1, 0)
        self._xtst.XTestFakeKeyEvent(self._display, code, 0, 0)
        self._x.XFlush(self._display)

    def close(self) -> None:
        """Let go of the display."""
        if self._display:
            self._x.XCloseDisplay(self._display)
            self._display = None
