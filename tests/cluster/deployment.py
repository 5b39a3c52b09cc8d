"""A deployment of several processes on loopback for the tests: engines and gateways of
`quantdesk-backend` over the suite's PostgreSQL and Redis, each a real child process."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from redis import Redis
from sqlalchemy import text

from backend.store.database import create_engine_for
from bench.live_server import free_port

STARTUP_DEADLINE_S = 60.0


def empty_stores(database_url: str, redis_url: str) -> None:
    """Start a deployment from nothing: an empty database schema and an empty Redis."""
    engine = create_engine_for(database_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    with Redis.from_url(redis_url) as redis:
        redis.flushall()


class Node:
    """One `python -m backend --role ...` child, its output in a file."""

    def __init__(self, role: str, env: dict[str, str], folder: Path, name: str) -> None:
        self.role, self.name = role, name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / f"{name}.log"
        self._log = open(self.log_path, "w")  # noqa: SIM115  (closed in stop)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "backend", "--role", role, "--port", str(self.port)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=os.environ | env | {"QUANTDESK_NODE_NAME": name},
        )

    def output(self) -> str:
        """What the process printed so far."""
        return self.log_path.read_text(errors="replace")

    def health(self) -> dict | None:
        """Its /health answer, or None while it does not answer."""
        try:
            return httpx.get(self.url + "/health", timeout=1.0).json()
        except (httpx.TransportError, ValueError):
            return None

    def wait(self, ready, what: str, deadline_s: float = STARTUP_DEADLINE_S) -> float:
        """Poll /health until ``ready(answer)``; the seconds it took."""
        start = time.monotonic()
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited:\n{self.output()[-4000:]}")
            answer = self.health()
            if answer is not None and ready(answer):
                return time.monotonic() - start
            if time.monotonic() - start > deadline_s:
                raise AssertionError(f"{self.name}: {what} not within {deadline_s} s")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs (its leases are left to run out)."""
        self.process.kill()
        self.process.wait(timeout=20)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it hangs."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)
        self._log.close()


class Deployment:
    """Engines and gateways sharing one store and one Redis; stopped on exit."""

    def __init__(self, database_url: str, redis_url: str, **settings: str) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="quantdesk-cluster-")
        self.folder = Path(self._folder.name)
        self.env = {
            "QUANTDESK_BUS": "redis",
            "QUANTDESK_REDIS_URL": redis_url,
            "QUANTDESK_DATABASE_URL": database_url,
            "QUANTDESK_TOKEN_SECRET": secrets.token_hex(32),
            "QUANTDESK_FLOW_TRADES_PER_S": "0",
            "QUANTDESK_PRIVATE_RATE_PER_S": "100000",
            "QUANTDESK_PRIVATE_BURST": "100000",
            "QUANTDESK_PUBLIC_RATE_PER_S": "100000",
            "QUANTDESK_PUBLIC_BURST": "100000",
            "QUANTDESK_LOG_LEVEL": "warning",
        } | settings
        self.nodes: list[Node] = []

    def start(self, role: str, name: str) -> Node:
        """One more process."""
        node = Node(role, self.env, self.folder, name)
        self.nodes.append(node)
        return node

    def __enter__(self) -> Deployment:
        return self

    def __exit__(self, *_exc: object) -> None:
        for node in self.nodes:
            node.stop()
        self._folder.cleanup()
