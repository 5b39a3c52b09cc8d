"""Start `quantdesk-backend` as a real child process for the tests, and stop it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
from solders.keypair import Keypair

from bench.live_server import free_port, sign_in

STARTUP_DEADLINE_S = 30.0


def bearer(url: str, key: Keypair | None = None) -> dict[str, str]:
    """Authorization headers of a wallet (a new one by default) signed in at ``url``."""
    return {"Authorization": f"Bearer {sign_in(url, key)}"}


class ServerProcess:
    """One `python -m backend` child on loopback."""

    def __init__(
        self,
        database_url: str,
        env: dict[str, str] | None = None,
        extra_args: list[str] | None = None,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "backend",
                "--port",
                str(self.port),
                "--database-url",
                database_url,
                *(extra_args or []),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=os.environ | (env or {}),
        )

    def wait_until(self, path: str, ready=lambda answer: True) -> httpx.Response:
        """Poll ``path`` until the server answers and ``ready(answer)`` holds."""
        deadline = time.monotonic() + STARTUP_DEADLINE_S
        while True:
            assert self.process.poll() is None, self.process.stdout.read()
            try:
                answer = httpx.get(self.url + path, timeout=1.0)
                if ready(answer):
                    return answer
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{path} not ready after {STARTUP_DEADLINE_S} s")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        self.process.kill()
        self.process.communicate(timeout=20)

    def stop(self) -> str:
        """SIGTERM and wait; returns what the server printed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        output, _ = self.process.communicate(timeout=20)
        return output
