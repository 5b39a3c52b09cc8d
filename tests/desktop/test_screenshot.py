"""`quantdesk --screenshot`: the workstation starts its embedded backend, shows the
default workspace with live data, saves a PNG of its window and exits 0; with an
unreachable backend it says so and exits 1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from quantdesk_desktop.qt import QtGui


def _launch(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = os.environ | {
        "QUANTDESK_CONFIG_DIR": str(tmp_path / "config"),
        "QUANTDESK_DATA_DIR": str(tmp_path / "data"),
    }
    return subprocess.run(
        [sys.executable, "-m", "quantdesk_desktop", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )


def test_a_screenshot_shows_the_workspace_with_live_data(qapp, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    done = _launch(tmp_path, "--screenshot", str(shot))
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"saved {shot}" in done.stdout
    image = QtGui.QImage(str(shot))
    assert image.width() >= 1200 and image.height() >= 700
    # a painted workstation, not a blank window: many distinct colours across it
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, image.height(), 23)
    }
    assert len(colours) > 20
    assert (tmp_path / "data" / "embedded" / "embedded.db").exists()


def test_no_backend_means_no_screenshot_and_a_reason(tmp_path: Path) -> None:
    done = _launch(tmp_path, "--backend-url", "http://127.0.0.1:9", "--screenshot",
                   str(tmp_path / "x.png"))  # fmt: skip
    assert done.returncode == 1
    assert "cannot start the session" in done.stderr
    assert not (tmp_path / "x.png").exists()


def test_a_screenshot_path_that_cannot_be_written_is_refused_clearly(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = _launch(tmp_path, "--screenshot", str(blocker / "shot.png"))
    assert done.returncode == 1
    assert f"cannot save the screenshot in {blocker}: " in done.stderr
    assert "Traceback" not in done.stderr
