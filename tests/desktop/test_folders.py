"""Folders the workstation cannot write: it keeps its files for the session in a private
temporary folder and says so, or refuses to start with a clear message."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from quantdesk_desktop import folders, paths


@pytest.fixture
def locations(monkeypatch, tmp_path: Path) -> Path:
    """Settings and data overrides under ``tmp_path`` (restored after the test)."""
    monkeypatch.setenv("QUANTDESK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("QUANTDESK_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def test_writable_folders_are_kept(locations: Path) -> None:
    assert folders.ensure_writable() == []
    assert paths.config_dir() == locations / "config"
    assert (locations / "data").is_dir()
    assert list((locations / "data").iterdir()) == []  # the write check leaves nothing


def test_an_unwritable_folder_is_replaced_for_the_session(monkeypatch, locations: Path) -> None:
    blocker = locations / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("QUANTDESK_DATA_DIR", str(blocker / "quantdesk"))
    replaced = folders.ensure_writable()
    assert [folder.wanted for folder in replaced] == [blocker / "quantdesk"]
    used = replaced[0].used
    assert paths.data_dir() == used == Path(os.environ["QUANTDESK_DATA_DIR"])
    assert used.is_dir() and folders.write_problem(used) is None
    notice = replaced[0].notice()
    assert notice.startswith("Market data, history and the embedded backend's database kept")
    assert f"cannot write {blocker / 'quantdesk'} (Not a directory)" in notice
    assert paths.config_dir() == locations / "config"  # the writable one stays


def test_no_writable_folder_at_all_refuses_with_what_to_set(monkeypatch, locations: Path) -> None:
    blocker = locations / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("QUANTDESK_CONFIG_DIR", str(blocker / "config"))
    monkeypatch.setattr(tempfile, "tempdir", str(blocker / "tmp"))
    with pytest.raises(folders.NoWritableFolder, match="set QUANTDESK_CONFIG_DIR to a writable"):
        folders.ensure_writable()


def test_the_command_exits_2_with_the_reason(monkeypatch, locations: Path, capsys) -> None:
    from quantdesk_desktop.__main__ import main

    blocker = locations / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("QUANTDESK_DATA_DIR", str(blocker / "data"))
    monkeypatch.setattr(tempfile, "tempdir", str(blocker / "tmp"))
    assert main(["--backend-url", "http://127.0.0.1:9"]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"quantdesk: cannot start: cannot write {blocker / 'data'}")
    assert "set QUANTDESK_DATA_DIR to a writable folder" in error
