"""A real PostgreSQL server for the tests: started in a scratch directory on a free
loopback port, as the ``postgres`` OS user (the server refuses to run as root), and
stopped and removed afterwards.

Only TCP on 127.0.0.1 (plus a Unix socket inside the scratch directory), trust auth,
fsync off: a throw-away server, never a production setting.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from bench.live_server import free_port

STARTUP_DEADLINE_S = 30.0
PORT_ATTEMPTS = 3
DATABASE = "quantdesk_test"


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries are missing or the server would not start."""


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        raise PostgresUnavailable(
            "PostgreSQL server binaries are missing (no /usr/lib/postgresql/*/bin/pg_ctl): "
            "install the 'postgresql' Debian package (the test command does this)"
        )
    return Path(found[-1]).parent


def _as_postgres(args: list[str]) -> list[str]:
    """Run a command as the postgres OS user when we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


def _run(args: list[str], what: str, log: Path | None = None) -> None:
    """Run a server command; on failure raise with its output and the server log."""
    done = subprocess.run(_as_postgres(args), capture_output=True, text=True, check=False)
    if done.returncode == 0:
        return
    server_log = log.read_text(errors="replace")[-4000:] if log and log.exists() else ""
    raise PostgresUnavailable(
        f"{what} failed ({done.returncode}): {done.stdout}{done.stderr}\n{server_log}".strip()
    )


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a throw-away server; yields the SQLAlchemy URL of an empty database."""
    bin_dir = _bin_dir()
    root = Path(tempfile.mkdtemp(prefix="quantdesk-pg-"))
    data = root / "data"
    log = root / "server.log"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    try:
        _run(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-sync",
            ],
            "initdb",
        )
        port = _start(bin_dir, data, root, log)
        _wait_ready(port)
        with psycopg.connect(_dsn(port, "postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/{DATABASE}"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                _as_postgres(
                    [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]
                ),
                capture_output=True,
                check=False,  # best effort: the directory is removed either way
            )
        shutil.rmtree(root, ignore_errors=True)


def _start(bin_dir: Path, data: Path, root: Path, log: Path) -> int:
    """Start the server on a free port (another process may take the port first: retry)."""
    for attempt in range(PORT_ATTEMPTS):
        port = free_port()
        try:
            _run(
                [
                    str(bin_dir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(log),
                    "-o",
                    f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off{_preload(bin_dir)}",
                    "-w",
                    "-t",
                    str(int(STARTUP_DEADLINE_S)),
                    "start",
                ],
                "pg_ctl start",
                log,
            )
            return port
        except PostgresUnavailable:
            if attempt == PORT_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _preload(bin_dir: Path) -> str:
    """Load TimescaleDB at start where it is installed (the store then makes hypertables)."""
    installed = (bin_dir.parent / "lib" / "timescaledb.so").exists()
    return " -c shared_preload_libraries=timescaledb" if installed else ""


def _dsn(port: int, dbname: str) -> str:
    return f"host=127.0.0.1 port={port} user=postgres dbname={dbname}"


def _wait_ready(port: int) -> None:
    """Connect until the server answers (pg_ctl -w already waited; this is the deadline
    guard for a server still finishing recovery)."""
    deadline = time.monotonic() + STARTUP_DEADLINE_S
    while True:
        try:
            with psycopg.connect(_dsn(port, "postgres"), connect_timeout=2):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
