"""The Linux installers as a desk installs them: the .deb installed by dpkg into a scratch
root, started under the test display with ``--screenshot`` (live data from its embedded
backend, exit 0), as a user with no writable home, from a read-only install folder; then
removed without a trace. The .tar.gz unpacked and run the same way."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from installers import archive
from installers.icons import PNG_SIZES
from installers.project import REPO, project_version
from quantdesk_desktop.qt import QtGui
from tests.packaging.installed import (
    Installation,
    install_deb,
    installed_files,
    owned_by_nobody,
    run_app,
    scratch_root,
)

VERSION = project_version()


@pytest.fixture
def nobodys_folder() -> Iterator[Path]:
    """A scratch folder that ``nobody`` can reach (pytest's own are private)."""
    folder = scratch_root()
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def png_size(path: Path) -> tuple[int, int]:
    """A PNG's width and height from its header."""
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", data[16:24])


def assert_live_workstation(done: subprocess.CompletedProcess, shot: Path) -> None:
    """The run exited 0 after painting live data, and its screenshot is the workstation."""
    assert done.returncode == 0, f"exit {done.returncode}:\n{done.stderr[-3000:]}"
    assert "live data painted at " in done.stdout
    assert f"saved {shot}" in done.stdout
    image = QtGui.QImage(str(shot))
    assert image.width() >= 1200 and image.height() >= 700
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, image.height(), 23)
    }
    assert len(colours) > 20  # panels with text and prices, not a blank window


def test_the_package_installs_the_app_a_command_an_entry_and_icons(
    installed: Installation,
) -> None:
    root = installed.root
    assert (installed.install_dir / "quantdesk").is_file()
    assert installed.command.is_symlink()
    assert installed.command.resolve() == (installed.install_dir / "quantdesk").resolve()
    entry = root / "usr" / "share" / "applications" / "quantdesk.desktop"
    if shutil.which("desktop-file-validate"):
        validated = subprocess.run(
            ["desktop-file-validate", str(entry)], capture_output=True, text=True, check=False
        )
        assert validated.returncode == 0 and not validated.stdout.strip(), validated.stdout
    assert "Exec=quantdesk\n" in entry.read_text() and "Icon=quantdesk\n" in entry.read_text()
    for size in PNG_SIZES:
        icon = root / "usr/share/icons/hicolor" / f"{size}x{size}" / "apps" / "quantdesk.png"
        assert png_size(icon) == (size, size)
    assert (root / "usr/share/icons/hicolor/scalable/apps/quantdesk.svg").is_file()
    assert "License: proprietary" in (root / "usr/share/doc/quantdesk/copyright").read_text()
    notices = (installed.install_dir / "_internal" / "THIRD_PARTY_NOTICES.txt").read_text()
    assert f"QuantDesk {VERSION} includes" in notices
    assert "\nPySide6_Essentials " in notices and "\nsolders " in notices
    assert "Debian package " in notices  # the system libraries it carries


def test_dpkg_records_the_version_and_the_size(installed: Installation) -> None:
    status = installed.dpkg("-s", "quantdesk")
    assert status.returncode == 0, status.stderr
    fields = dict(line.split(": ", 1) for line in status.stdout.splitlines() if ": " in line[:30])
    assert fields["Version"] == VERSION
    assert fields["Status"] == "install ok installed"
    depends = fields["Depends"].split(", ")
    assert depends[0].startswith("libc6 (>= ")
    # the desktop's own libraries come from the system, the rest is in the package
    assert {"libdbus-1-3", "libfontconfig1", "libglib2.0-0", "libxcb1"} <= set(depends)
    assert not any(name.startswith(("libpython", "libicu", "libqt")) for name in depends)
    measured_kib = sum(
        -(-path.stat().st_size // 1024)
        for path in installed.install_dir.rglob("*")
        if path.is_file() and not path.is_symlink()
    )
    assert abs(int(fields["Installed-Size"]) - measured_kib) < measured_kib * 0.01


def test_the_installed_command_reports_the_version(installed: Installation) -> None:
    done = run_app(installed.command, "--version", env={"HOME": "/nonexistent"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"quantdesk {VERSION}"


def test_the_installed_app_starts_with_live_data(installed: Installation, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    env = {
        "HOME": str(tmp_path / "home"),
        "QUANTDESK_CONFIG_DIR": str(tmp_path / "config"),
        "QUANTDESK_DATA_DIR": str(tmp_path / "data"),
        "QT_DEBUG_PLUGINS": "1",  # Qt names every plugin it loads
    }
    done = run_app(installed.command, "--screenshot", str(shot), env=env)
    assert_live_workstation(done, shot)
    assert (tmp_path / "data" / "embedded" / "embedded.db").is_file()
    # Qt's plugins come from inside the installation, and nowhere else
    loaded = re.findall(r'"([^"]+)" loaded library', done.stderr)
    plugins = installed.install_dir.resolve() / "_internal" / "PySide6" / "Qt" / "plugins"
    assert str(plugins / "platforms" / "libqxcb.so") in loaded
    assert any("/imageformats/" in path for path in loaded)
    assert all(Path(path).is_relative_to(plugins) for path in loaded), loaded
    # the dark style sheet shipped inside: a dark window, not Qt's light default
    corner = QtGui.QImage(str(shot)).pixelColor(5, 300)
    assert corner.lightness() < 60, corner.name()


def test_with_no_writable_home_it_starts_on_session_folders(
    installed: Installation, nobodys_folder: Path
) -> None:
    out = owned_by_nobody(nobodys_folder / "out")
    temporary = owned_by_nobody(nobodys_folder / "tmp")
    shot = out / "shot.png"
    env = {"HOME": "/nonexistent", "TMPDIR": str(temporary)}
    done = run_app(installed.command, "--screenshot", str(shot), env=env, as_nobody=True)
    assert_live_workstation(done, shot)
    assert "Settings and workspaces kept for this session only: cannot write " in done.stderr
    assert "/nonexistent/.config/quantdesk (Permission denied)" in done.stderr
    assert "/nonexistent/.local/share/quantdesk (Permission denied)" in done.stderr
    assert list(temporary.iterdir()) == []  # the session folders are gone at exit


def test_a_read_only_install_folder_runs_and_stays_untouched(
    installed: Installation, nobodys_folder: Path
) -> None:
    home = owned_by_nobody(nobodys_folder / "home")
    shot = home / "shot.png"
    before = installed_files(installed.root)
    done = run_app(
        installed.command, "--screenshot", str(shot), env={"HOME": str(home)}, as_nobody=True
    )
    assert_live_workstation(done, shot)
    assert "kept for this session only" not in done.stderr
    assert (home / ".local" / "share" / "quantdesk" / "embedded" / "embedded.db").is_file()
    assert installed_files(installed.root) == before


def test_removing_the_package_leaves_nothing(deb_package: Path) -> None:
    root = scratch_root()
    try:
        installation = install_deb(deb_package, root)
        assert len(installed_files(root)) > 100
        purged = installation.dpkg("--purge", "quantdesk")
        assert purged.returncode == 0, purged.stderr
        assert installed_files(root) == set()
        assert not (root / "opt").exists() or list((root / "opt").iterdir()) == []
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_the_tarball_unpacks_into_a_runnable_folder(package_dist: Path, tmp_path: Path) -> None:
    with tarfile.open(package_dist / archive.tarball_name(VERSION)) as tarball:
        names = tarball.getnames()
        assert all(name.startswith(f"quantdesk-{VERSION}") for name in names)
        tarball.extractall(tmp_path, filter="tar")
    top = tmp_path / f"quantdesk-{VERSION}"
    assert (top / "LICENSE").read_text() == (REPO / "LICENSE").read_text()
    assert (top / "THIRD_PARTY_NOTICES.txt").is_file()
    done = run_app(top / "quantdesk", "--version", env={"HOME": str(tmp_path)})
    assert done.stdout.strip() == f"quantdesk {VERSION}"


@pytest.mark.parametrize("size", [16, 256])
def test_the_window_icon_is_the_shipped_one(qapp, size: int) -> None:
    from quantdesk_desktop.ui.app_icon import application_icon

    icon = application_icon()
    assert size in {available.width() for available in icon.availableSizes()}
