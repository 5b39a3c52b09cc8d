"""A real Redis server for the tests: started in a scratch directory on a free loopback
port, owned by the test process (not daemonised), and stopped and removed afterwards.

Only TCP on 127.0.0.1, protected mode, no RDB snapshots; append-only persistence only when
a test asks for it (to prove that data survives a hard kill). Never a production setting.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from bench.live_server import free_port

STARTUP_DEADLINE_S = 30.0
STOP_DEADLINE_S = 20.0
PORT_ATTEMPTS = 3


class RedisUnavailable(RuntimeError):
    """The redis-server binary is missing or the server would not start."""


class RedisServer:
    """One throw-away ``redis-server`` child; a context manager that starts and removes it.

    ``kill`` and ``restart`` let a test crash the server and bring it back on the same
    port and directory (with ``appendonly=True`` its data survives that).
    """

    def __init__(self, appendonly: bool = False) -> None:
        self.appendonly = appendonly
        self.root: Path | None = None
        self.port: int | None = None
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The server's URL, database 0."""
        if self.port is None:
            raise RedisUnavailable("the server has not been started")
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def log_path(self) -> Path:
        """Where the server writes its log (inside the scratch directory)."""
        if self.root is None:
            raise RedisUnavailable("the server has not been started")
        return self.root / "redis.log"

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Create the scratch directory and start on a free port (retried if taken)."""
        binary = shutil.which("redis-server")
        if binary is None:
            raise RedisUnavailable(
                "redis-server is missing: install the 'redis-server' Debian package "
                "(scripts/system_deps.sh does this)"
            )
        self.root = Path(tempfile.mkdtemp(prefix="quantdesk-redis-"))
        try:
            for attempt in range(PORT_ATTEMPTS):
                self.port = free_port()
                try:
                    self._launch(binary)
                    return
                except RedisUnavailable:
                    # another process may have taken the port between probe and bind
                    if attempt == PORT_ATTEMPTS - 1:
                        raise
        except BaseException:
            self.stop()
            raise

    def kill(self) -> None:
        """SIGKILL the server and reap it: no shutdown code runs, nothing is flushed."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=STOP_DEADLINE_S)

    def restart(self) -> None:
        """Kill the server hard, then start it again on the same port and directory."""
        self.kill()
        binary = shutil.which("redis-server")
        if binary is None:
            raise RedisUnavailable("redis-server is missing")
        self._launch(binary)

    def stop(self) -> None:
        """SIGTERM (a clean shutdown: no snapshot is configured), wait, and remove the
        scratch directory; SIGKILL if the server does not exit in time."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_DEADLINE_S)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)

    def _launch(self, binary: str) -> None:
        """Start the process on ``self.port`` and wait until it answers PING."""
        assert self.root is not None and self.port is not None
        args = [
            binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--protected-mode",
            "yes",
            "--unixsocket",
            "",
            "--daemonize",
            "no",
            "--save",
            "",
            "--dir",
            str(self.root),
            "--logfile",
            "",  # to stdout, which goes to the log file
        ]
        if self.appendonly:
            args += ["--appendonly", "yes", "--appendfsync", "always"]
        else:
            args += ["--appendonly", "no"]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )
        self._wait_ready()

    def _wait_ready(self) -> None:
        """PING until the server answers (it may still be loading its append-only file)."""
        assert self.process is not None
        deadline = time.monotonic() + STARTUP_DEADLINE_S
        client = redis.Redis.from_url(self.url, socket_timeout=1.0, socket_connect_timeout=1.0)
        try:
            while True:
                if self.process.poll() is not None:
                    raise RedisUnavailable(
                        f"redis-server exited ({self.process.returncode}) at start:\n"
                        + self.log_path.read_text(errors="replace")[-4000:]
                    )
                try:
                    if client.ping():
                        return
                except (redis.ConnectionError, redis.TimeoutError):
                    pass  # not listening yet, or still loading (BusyLoadingError)
                if time.monotonic() > deadline:
                    self.kill()
                    raise RedisUnavailable(
                        f"redis-server did not answer PING within {STARTUP_DEADLINE_S} s:\n"
                        + self.log_path.read_text(errors="replace")[-4000:]
                    )
                time.sleep(0.02)
        finally:
            client.close()


@contextmanager
def redis_server(appendonly: bool = False) -> Iterator[str]:
    """Start a throw-away server; yields its URL (``redis://127.0.0.1:<port>/0``)."""
    with RedisServer(appendonly=appendonly) as server:
        yield server.url
