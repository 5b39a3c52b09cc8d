"""A real PostgreSQL server for the tests: started in a scratch directory on a free
loopback port, as the ``postgres`` OS user (the server refuses to run as root), and
stopped and removed afterwards.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

STARTUP_DEADLINE_S = 30.0


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries are not installed."""


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        raise PostgresUnavailable(
            "PostgreSQL server binaries are missing: install the 'postgresql' Debian package "
            "(the test command does this)"
        )
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(args: list[str]) -> list[str]:
    """Run a command as the postgres OS user when we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a throw-away server; yields the SQLAlchemy URL of an empty database."""
    bin_dir = _bin_dir()
    root = Path(tempfile.mkdtemp(prefix="quantdesk-pg-"))
    data = root / "data"
    port = _free_port()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    try:
        subprocess.run(
            _as_postgres(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--no-sync",
                ]
            ),
            check=True,
            capture_output=True,
        )
        subprocess.run(
            _as_postgres(
                [
                    str(bin_dir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(root / "log"),
                    "-o",
                    f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off",
                    "-w",
                    "-t",
                    str(int(STARTUP_DEADLINE_S)),
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )
        _wait_ready(port)
        with psycopg.connect(
            f"host=127.0.0.1 port={port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute("CREATE DATABASE quantdesk_test")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/quantdesk_test"
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


def _wait_ready(port: int) -> None:
    deadline = time.monotonic() + STARTUP_DEADLINE_S
    while True:
        try:
            with psycopg.connect(
                f"host=127.0.0.1 port={port} user=postgres dbname=postgres", connect_timeout=2
            ):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
