"""Stopping the workstation: SIGTERM closes it as its window would, saving the workspace
and stopping the embedded backend it started (nothing is left running)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _backend_port(log: Path, deadline: float) -> int:
    """The embedded backend's port, from its log once it serves."""
    while time.monotonic() < deadline:
        if log.exists():
            for line in log.read_text(errors="replace").splitlines():
                if "Uvicorn running on http://127.0.0.1:" in line:
                    return int(line.rsplit(":", 1)[1].split()[0])
        time.sleep(0.05)
    raise AssertionError("the embedded backend never started")


def test_sigterm_saves_the_workspace_and_stops_the_embedded_backend(tmp_path: Path) -> None:
    config, data = tmp_path / "config", tmp_path / "data"
    env = os.environ | {"QUANTDESK_CONFIG_DIR": str(config), "QUANTDESK_DATA_DIR": str(data)}
    process = subprocess.Popen(
        [sys.executable, "-m", "quantdesk_desktop", "--log-level", "info"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        port = _backend_port(data / "embedded" / "embedded-backend.log", deadline)
        while time.monotonic() < deadline:  # the session signs in after the backend serves
            log = (data / "embedded" / "embedded-backend.log").read_text(errors="replace")
            if "/api/auth/verify" in log:
                break
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output[-3000:]
    assert (config / "workspaces" / "Default.json").exists()
    assert (config / "settings.json").exists()
    try:
        httpx.get(f"http://127.0.0.1:{port}/health", timeout=1.0)
    except httpx.TransportError:
        pass  # the backend is gone, as it should be
    else:
        raise AssertionError("the embedded backend still answers after the workstation quit")


def test_the_embedded_backend_dies_with_a_killed_workstation(tmp_path: Path) -> None:
    """SIGKILL gives the workstation no chance to stop its backend: the backend goes
    anyway (it is told when its parent dies)."""
    script = (
        "import sys, time; from pathlib import Path\n"
        "from quantdesk_desktop.client.embedded import EmbeddedBackend\n"
        "backend = EmbeddedBackend(Path(sys.argv[1]))\n"
        "backend.spawn()\n"
        "print(backend.process.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path / "embedded")],
        stdout=subprocess.PIPE,
        text=True,
    )
    with parent.stdout:
        child = int(parent.stdout.readline())
    parent.kill()
    parent.wait(timeout=10)
    deadline = time.monotonic() + 20
    while Path(f"/proc/{child}").exists() and _state(child) != "Z":
        assert time.monotonic() < deadline, "the backend outlived its workstation"
        time.sleep(0.05)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except (OSError, IndexError):
        return "X"
