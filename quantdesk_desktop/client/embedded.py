"""The bundled backend as a child process on a free loopback port: the workstation's
embedded default (SQLite, simulator, market makers), reached over HTTP and WebSocket
exactly as a remote one."""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

READY_TIMEOUT_S = 60.0
READY_POLL_S = 0.025
PR_SET_PDEATHSIG = 1


class BackendFailed(RuntimeError):
    """The embedded backend did not start; the message holds the end of its log."""


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:
    """In the child before it runs: SIGTERM when the workstation dies, even by SIGKILL or
    a crash (Linux `prctl(PR_SET_PDEATHSIG)`), so no backend is left running alone."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def backend_command(args: list[str]) -> list[str]:
    """How to run the backend from this installation: the frozen app runs itself with
    ``--run-backend``; from source, the same through the Python interpreter."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "--run-backend", *args]
    return [sys.executable, "-m", "quantdesk_desktop", "--run-backend", *args]


class EmbeddedBackend:
    """Starts, watches and stops the embedded `quantdesk-backend`."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = env or {}
        self.log_path = data_dir / "embedded-backend.log"
        self.process: subprocess.Popen | None = None

    async def start(self, timeout_s: float = READY_TIMEOUT_S) -> str:
        """Start the backend (unless `spawn` already did) and wait until it answers; its
        URL."""
        if self.process is None:
            self.spawn()
        await self._wait_ready(timeout_s)
        return self.url

    def spawn(self) -> None:
        """Start the backend process without waiting for it (the workstation does this
        first thing, so that the backend boots while the windows are built)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        database = f"sqlite:///{self.data_dir / 'embedded.db'}"
        args = ["--port", str(self.port), "--database-url", database]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                backend_command(args),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=os.environ | self.env,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,  # noqa: PLW1509
            )

    async def _wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        async with httpx.AsyncClient(timeout=2.0, verify=False) as http:  # loopback HTTP
            while True:
                if self.process is not None and self.process.poll() is not None:
                    raise BackendFailed(f"the embedded backend exited:\n{self.log_tail()}")
                try:
                    if (await http.get(f"{self.url}/health")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    self.stop()
                    raise BackendFailed(f"the embedded backend did not answer in {timeout_s:g} s")
                await asyncio.sleep(READY_POLL_S)

    def log_tail(self, lines: int = 20) -> str:
        """The end of the backend's log."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self, timeout_s: float = 15.0) -> None:
        """Stop the backend (SIGTERM, then SIGKILL after ``timeout_s``)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
