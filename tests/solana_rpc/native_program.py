"""The QuantDesk program run natively: ``programs/native_runtime`` built with cargo (once
per test session) and called through its C ABI with ctypes.

The program cannot be built for SBF here, so LiteSVM cannot run it; the library runs the
program's own entrypoint on the host, in the runtime its cargo tests use. One call runs
one whole transaction (JSON in, JSON out; see ``programs/native_runtime/src/wire.rs``).
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
import threading
from functools import cache
from pathlib import Path

from solders.pubkey import Pubkey

PROGRAMS = Path(__file__).resolve().parents[2] / "programs"
CRATE = "native_runtime"
PROGRAM_ID = Pubkey.from_string("G7isTpCkw8TWhPhozSuZMbUjTEF8Jf8xxAguZyL39L8J")
"""The id ``programs/quantdesk_perp`` declares (checked against the library on load)."""


class NativeRuntimeError(RuntimeError):
    """The native runtime could not be built or loaded, or refused a request: a fault of
    the test setup, never a verdict of the chain."""


def cargo_target_dir() -> Path:
    """Where Rust builds go: the user's cache, as ``scripts/rust_tests.sh`` has it."""
    cache_home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache_home) / "quantdesk" / "cargo-target"


def _cargo() -> str:
    found = shutil.which("cargo")
    if found is None:
        fallback = Path.home() / ".cargo" / "bin" / "cargo"
        found = str(fallback) if os.access(fallback, os.X_OK) else None
    if found is None:
        raise NativeRuntimeError(
            "cargo is not installed, so the QuantDesk program cannot be built to run on the "
            "test cluster: install Rust (stable, 1.75 or newer) with rustup"
        )
    return found


def build_library() -> Path:
    """Build the native runtime's shared library (a no-op when it is up to date); its path."""
    command = [
        _cargo(),
        "build",
        "--manifest-path",
        str(PROGRAMS / "Cargo.toml"),
        "-p",
        CRATE,
        "--locked",
        "--message-format=json-render-diagnostics",
    ]
    env = {**os.environ, "CARGO_TARGET_DIR": str(cargo_target_dir()), "CARGO_TERM_COLOR": "never"}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise NativeRuntimeError(
            f"`cargo build -p {CRATE}` failed (exit {done.returncode}):\n{done.stderr[-4000:]}"
        )
    for line in done.stdout.splitlines():
        message = json.loads(line)
        target = message.get("target", {})
        if (
            message.get("reason") == "compiler-artifact"
            and target.get("name") == CRATE
            and "cdylib" in target.get("kind", [])
        ):
            libraries = [f for f in message["filenames"] if not f.endswith(".rlib")]
            if libraries:
                return Path(libraries[0])
    raise NativeRuntimeError(f"cargo built {CRATE} but named no shared library")


class NativeProgram:
    """The loaded library: ``run`` one transaction request."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lib = ctypes.CDLL(str(path))
        self._lib.qd_process_transaction.argtypes = [ctypes.c_char_p]
        self._lib.qd_process_transaction.restype = ctypes.c_void_p
        self._lib.qd_program_id.argtypes = []
        self._lib.qd_program_id.restype = ctypes.c_void_p
        self._lib.qd_free.argtypes = [ctypes.c_void_p]
        self._lib.qd_free.restype = None
        # The runtime keeps a transaction's clock and logs per thread: one call at a time.
        self._lock = threading.Lock()
        self.program_id = Pubkey.from_string(self._take(self._lib.qd_program_id()))
        if self.program_id != PROGRAM_ID:
            raise NativeRuntimeError(
                f"{path} runs program {self.program_id}, not the declared {PROGRAM_ID}"
            )

    def _take(self, pointer: int | None) -> str:
        if not pointer:
            raise NativeRuntimeError("the native runtime returned no answer")
        try:
            return ctypes.string_at(pointer).decode()
        finally:
            self._lib.qd_free(pointer)

    def run(self, request: dict) -> dict:
        """The ``success`` or ``failed`` answer to ``request``; ``NativeRuntimeError`` if
        the library refused it."""
        with self._lock:
            answer = json.loads(
                self._take(self._lib.qd_process_transaction(json.dumps(request).encode()))
            )
        if answer["result"] == "refused":
            raise NativeRuntimeError(
                f"the native runtime refused a transaction: {answer['reason']}"
            )
        return answer


@cache
def native_program() -> NativeProgram:
    """The library, built and loaded once per process."""
    return NativeProgram(build_library())
