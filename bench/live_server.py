"""A real `quantdesk-backend` child process for the load benchmarks, and signed-in clients."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import httpx
from solders.keypair import Keypair

STARTUP_DEADLINE_S = 60.0
UNLIMITED = {
    "QUANTDESK_PUBLIC_RATE_PER_S": "1000000",
    "QUANTDESK_PUBLIC_BURST": "1000000",
    "QUANTDESK_PRIVATE_RATE_PER_S": "1000000",
    "QUANTDESK_PRIVATE_BURST": "1000000",
    "QUANTDESK_FLOW_TRADES_PER_S": "0",
}
"""Rate limits raised so that the load, not the limiter, is measured; no simulated order
flow, so that each benchmark's own load is all there is (the makers still quote)."""


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """`python -m backend` on loopback over a fresh SQLite file, stopped on exit."""

    def __init__(self, env: dict[str, str] | None = None, args: list[str] | None = None) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="quantdesk-bench-")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/ws"
        database = f"sqlite:///{Path(self._folder.name) / 'bench.db'}"
        self._log = open(Path(self._folder.name) / "server.log", "w+")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "backend",
                "--port",
                str(self.port),
                "--database-url",
                database,
                *(args or []),
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=os.environ | UNLIMITED | (env or {}),
        )

    def __enter__(self) -> LiveServer:
        self.wait_ready()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def wait_ready(self, market: str = "SOL-PERP") -> None:
        """Wait until the server answers and ``market``'s book has makers on both sides."""
        deadline = time.monotonic() + STARTUP_DEADLINE_S
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited at start:\n{self.output()}")
            try:
                book = httpx.get(f"{self.url}/api/markets/{market}/book", timeout=2.0).json()
                if book.get("bids") and book.get("asks"):
                    return
            except (httpx.TransportError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"the server was not ready after {STARTUP_DEADLINE_S} s")
            time.sleep(0.1)

    def output(self) -> str:
        """What the server printed so far."""
        self._log.flush()
        self._log.seek(0)
        return self._log.read()

    def stop(self) -> None:
        """SIGTERM, wait, and remove the database."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        self._folder.cleanup()


def sign_in(url: str, key: Keypair | None = None) -> str:
    """A new (or given) wallet's access token, through the nonce and signature flow."""
    key = key or Keypair()
    pubkey = str(key.pubkey())
    challenge = httpx.get(f"{url}/api/auth/nonce", params={"pubkey": pubkey}).json()
    body = {
        "pubkey": pubkey,
        "message": challenge["message"],
        "signature": str(key.sign_message(challenge["message"].encode())),
    }
    answer = httpx.post(f"{url}/api/auth/verify", json=body)
    answer.raise_for_status()
    return answer.json()["access_token"]


def mark_price(url: str, market: str) -> Decimal:
    """The market's mark price now."""
    ticker = httpx.get(f"{url}/api/markets/{market}/ticker").json()
    return Decimal(ticker["mark"] or ticker["oracle"])
