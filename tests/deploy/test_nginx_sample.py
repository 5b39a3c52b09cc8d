"""The sample nginx configuration in front of two real `quantdesk-backend` processes on
loopback: health, load spreading, WebSocket upgrade, and failover when one dies."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from bench.live_server import LiveServer, free_port
from tests.deploy.nginx_process import NginxProcess

HEALTHCHECK = Path(__file__).resolve().parents[2] / "packaging" / "server" / "healthcheck.py"
REQUESTS = 20


@pytest.fixture(scope="module")
def gateways() -> Iterator[list[LiveServer]]:
    """Two backends, each over its own SQLite file (a test may kill the first)."""
    servers = [LiveServer(), LiveServer()]  # both start at once
    try:
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def nginx(gateways: list[LiveServer], tmp_path: Path) -> Iterator[NginxProcess]:
    """The sample configuration, rendered for the two gateways, checked and running."""
    proxy = NginxProcess(tmp_path, [f"127.0.0.1:{server.port}" for server in gateways])
    checked = proxy.check()
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr
    try:
        proxy.start()
        yield proxy
    finally:
        proxy.stop()


def test_sample_spreads_requests_over_both_gateways_and_fails_over(
    gateways: list[LiveServer], nginx: NginxProcess
) -> None:
    first, second = (f"127.0.0.1:{server.port}" for server in gateways)
    for n in range(REQUESTS):
        answer = httpx.get(f"{nginx.url}/health?spread={n}")
        assert answer.status_code == 200 and answer.json() == {"status": "ok"}
    assert httpx.get(f"{nginx.url}/api/markets").status_code == 200
    assert httpx.get(f"{nginx.url}/metrics").status_code == 404  # scraped per process

    served = Counter(up[-1] for _, _, up in nginx.logged("/health?spread=", REQUESTS))
    assert set(served) == {first, second}
    assert min(served.values()) >= REQUESTS // 4, served

    gateways[0].process.kill()
    gateways[0].process.wait(timeout=10)
    for n in range(REQUESTS):
        assert httpx.get(f"{nginx.url}/health?failover={n}").status_code == 200
    assert httpx.get(f"{nginx.url}/api/markets?failover").status_code == 200
    after = nginx.logged("/health?failover=", REQUESTS)
    assert len(after) == REQUESTS
    assert all(status == 200 and up[-1] == second for _, status, up in after)
    assert any(first in up for _, _, up in after)  # tried, refused, retried elsewhere


def test_sample_upgrades_ws_and_answers_ping(nginx: NginxProcess) -> None:
    with connect(f"ws://127.0.0.1:{nginx.port}/ws", open_timeout=5) as socket:
        socket.send(json.dumps({"op": "ping", "request_id": "through-nginx"}))
        deadline = time.monotonic() + 5
        while True:
            reply = json.loads(socket.recv(timeout=max(0.0, deadline - time.monotonic())))
            if reply.get("request_id") == "through-nginx":
                break
    assert reply == {"type": "pong", "request_id": "through-nginx"}


def test_container_healthcheck_passes_on_a_live_server_and_fails_on_none(
    gateways: list[LiveServer],
) -> None:
    def probe(port: int) -> subprocess.CompletedProcess[str]:
        env = {"QUANTDESK_HOST": "0.0.0.0", "QUANTDESK_PORT": str(port)}
        command = [sys.executable, str(HEALTHCHECK)]
        return subprocess.run(command, env=env, capture_output=True, text=True, check=False)

    alive = gateways[1]  # the nginx test kills only the first
    assert probe(alive.port).returncode == 0
    dead = probe(free_port())
    assert dead.returncode == 1 and "unhealthy" in dead.stderr
