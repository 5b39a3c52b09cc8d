"""The throw-away Redis server of the tests (tests/redis_server.py) behaves as promised."""

from __future__ import annotations

import os
import uuid

import redis

from tests.redis_server import RedisServer, redis_server


def test_server_answers_on_loopback_with_a_throw_away_config() -> None:
    with redis_server() as url:
        assert url.startswith("redis://127.0.0.1:") and url.endswith("/0")
        with redis.Redis.from_url(url, decode_responses=True) as client:
            assert client.ping()
            assert client.config_get("bind")["bind"] == "127.0.0.1"
            assert client.config_get("protected-mode")["protected-mode"] == "yes"
            assert client.config_get("save")["save"] == ""
            assert client.config_get("appendonly")["appendonly"] == "no"
            assert client.config_get("unixsocket")["unixsocket"] == ""


def test_fixture_server_serves_a_stream_to_a_consumer_group(redis_url: str) -> None:
    stream = f"test:commands:{uuid.uuid4().hex}"
    with redis.Redis.from_url(redis_url, decode_responses=True) as client:
        client.xgroup_create(stream, "engines", id="0", mkstream=True)
        entry = client.xadd(stream, {"op": "place", "market": "SOL-PERP"})
        delivered = client.xreadgroup("engines", "engine-1", {stream: ">"}, count=10, block=1000)
        assert delivered == [[stream, [(entry, {"op": "place", "market": "SOL-PERP"})]]]
        assert client.xack(stream, "engines", entry) == 1
        assert client.xpending(stream, "engines")["pending"] == 0
        client.delete(stream)


def test_append_only_stream_survives_a_hard_kill_and_restart() -> None:
    with RedisServer(appendonly=True) as server:
        port, root = server.port, server.root
        with redis.Redis.from_url(server.url, decode_responses=True) as client:
            ids = [client.xadd("commands", {"n": str(n)}) for n in range(5)]
        first_pid = server.process.pid
        server.restart()
        assert server.process.pid != first_pid
        assert (server.port, server.root) == (port, root)
        with redis.Redis.from_url(server.url, decode_responses=True) as client:
            assert [entry_id for entry_id, _ in client.xrange("commands")] == ids
            assert client.xrange("commands")[-1][1] == {"n": "4"}


def test_stop_leaves_no_process_and_no_directory() -> None:
    with RedisServer() as server:
        pid, root = server.process.pid, server.root
        assert root.is_dir()
        os.kill(pid, 0)  # alive
    assert server.process.returncode is not None  # exited and reaped
    assert not _pid_alive(pid)
    assert not root.exists()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
