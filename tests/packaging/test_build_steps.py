"""The Linux build steps that need no build: the project's version, pruning libraries,
stripping, the third-party notices and the Debian package's metadata."""

from __future__ import annotations

import email.message
import shutil
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

from installers import deb, dpkg, freeze, libraries, notices, project
from installers.errors import PackagingError

REPO = Path(__file__).resolve().parents[2]


def test_the_version_is_pyprojects(tmp_path: Path) -> None:
    stated = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert project.project_version(REPO) == stated
    assert metadata.version("quantdesk") == stated  # what the app reports at run time
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    with pytest.raises(PackagingError, match="cannot read the version"):
        project.project_version(tmp_path)


def test_pruning_drops_the_libraries_only_dropped_plugins_needed() -> None:
    binaries = [
        ("PySide6/QtGui.abi3.so", "/site/PySide6/QtGui.abi3.so", "EXTENSION"),
        ("PySide6/Qt/lib/libQt6Gui.so.6", "/site/libQt6Gui.so.6", "BINARY"),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "/site/libqxcb.so", "BINARY"),
        ("PySide6/Qt/lib/libQt6WaylandClient.so.6", "/site/libQt6WaylandClient.so.6", "BINARY"),
        ("libX11.so.6", "/lib/libX11.so.6", "BINARY"),
        ("libcairo.so.2", "/lib/libcairo.so.2", "BINARY"),
        ("libpython3.11.so.1.0", "/py/libpython3.11.so.1.0", "BINARY"),
        ("numpy.libs/libopenblas.so", "/site/numpy.libs/libopenblas.so", "BINARY"),
        ("numpy/_core/_multiarray_umath.so", "/site/_multiarray_umath.so", "EXTENSION"),
    ]
    imports = {
        "/site/PySide6/QtGui.abi3.so": ["/site/libQt6Gui.so.6", "/lib/libX11.so.6"],
        "/site/libqxcb.so": ["/site/libQt6Gui.so.6", "/lib/libX11.so.6"],
        "/site/_multiarray_umath.so": ["/site/numpy.libs/libopenblas.so"],
    }
    kept, dropped = libraries.prune(binaries, lambda source: imports.get(source, []))
    assert dropped == ["PySide6/Qt/lib/libQt6WaylandClient.so.6", "libcairo.so.2"]
    kept_names = [name for name, _source, _kind in kept]
    assert "libpython3.11.so.1.0" in kept_names  # the bootloader loads it
    assert "numpy.libs/libopenblas.so" in kept_names
    assert "PySide6/Qt/plugins/platforms/libqxcb.so" in kept_names


def test_the_desktops_own_libraries_are_left_to_the_system() -> None:
    system = "/lib/x86_64-linux-gnu/"
    assert libraries.is_desktop_system_library(
        "libdbus-1.so.3", system + "libdbus-1.so.3", "BINARY"
    )
    assert libraries.is_desktop_system_library(
        "libxcb-xkb.so.1", system + "libxcb-xkb.so.1", "BINARY"
    )
    assert not libraries.is_desktop_system_library("libssl.so.3", system + "libssl.so.3", "BINARY")
    # a wheel's own copy, under its own name, stays with the wheel
    wheel_copy = (
        libraries.PYTHON_PREFIXES[0] + "/site-packages/pyside6_qtads.libs/libxkbcommon.so.0"
    )
    assert not libraries.is_desktop_system_library("libxkbcommon.so.0", wheel_copy, "BINARY")


def test_only_elf_files_outside_repaired_wheel_libraries_are_stripped(tmp_path: Path) -> None:
    elf = tmp_path / "_internal" / "solders" / "solders.abi3.so"
    repaired = tmp_path / "_internal" / "numpy.libs" / "libopenblas.so"
    text = tmp_path / "_internal" / "resources" / "markets.json"
    for path, content in ((elf, b"\x7fELF\x02"), (repaired, b"\x7fELF\x02"), (text, b"{}")):
        path.parent.mkdir(parents=True)
        path.write_bytes(content)
    assert freeze.strippable(elf)
    assert not freeze.strippable(repaired)
    assert not freeze.strippable(text)


def test_notices_name_each_bundled_distribution_with_its_license_text() -> None:
    import PySide6

    openblas = next((Path(PySide6.__file__).parents[1] / "numpy.libs").glob("libscipy_openblas*"))
    text = notices.notices_text(
        "QuantDesk 9.9",
        ["httpx._client", "numpy", "PySide6.QtCore", "backend.domain", "json"],
        [("numpy.libs/" + openblas.name, str(openblas)), ("solders/solders.abi3.so", "/x")],
    )
    assert text.startswith("QuantDesk 9.9 includes the third-party software")
    for name in ("httpx", "numpy", "PySide6_Essentials", "solders"):
        assert f"\n{name} {metadata.version(name)}\n" in text
    assert "\nquantdesk " not in text.lower()  # our own package is not third-party
    assert "Copyright (c) 2005-20" in text  # numpy's license text itself
    assert "PYTHON SOFTWARE FOUNDATION LICENSE" in text  # the runtime's
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in text  # Qt's, in full from the system


def test_a_license_is_named_from_the_expression_the_field_or_the_classifiers() -> None:
    def meta(**fields: str | list[str]) -> email.message.Message:
        message = email.message.Message()
        for key, values in fields.items():
            for value in values if isinstance(values, list) else [values]:
                message[key.replace("_", "-")] = value
        return message

    assert notices.license_name(meta(License_Expression="MIT OR Apache-2.0")) == (
        "MIT OR Apache-2.0"
    )
    assert notices.license_name(meta(License="BSD-3-Clause")) == "BSD-3-Clause"
    assert (
        notices.license_name(
            meta(Classifier=["License :: OSI Approved :: MIT License", "Typing :: Typed"])
        )
        == "MIT License"
    )
    assert notices.license_name(meta(License="Long text\nof a license")) == (
        "see the license text below"
    )
    assert notices.license_name(meta()) == "not stated in its metadata"


def test_dpkg_finds_a_library_under_either_side_of_the_usr_merge() -> None:
    libc = next(Path("/lib").glob("*/libc.so.6"))
    merged = "/usr" + str(libc)
    found = dpkg.owners([str(libc), merged, "/nowhere/libnothing.so.1"])
    assert found[str(libc)] == found[merged] == "libc6"
    assert "/nowhere/libnothing.so.1" not in found


def test_the_package_depends_on_the_system_libraries_the_build_loads(tmp_path: Path) -> None:
    import PySide6

    internal = tmp_path / "quantdesk" / "_internal"
    internal.mkdir(parents=True)
    qt_lib = Path(PySide6.__file__).parent / "Qt" / "lib"
    for name in ("libQt6Core.so.6", "libicui18n.so.73", "libicuuc.so.73", "libicudata.so.73"):
        shutil.copy2(qt_lib / name, internal)
    depends = deb.packages_of(deb.system_libraries(tmp_path / "quantdesk"))
    assert any(depend.startswith("libc6 (>= ") for depend in depends)
    assert "libglib2.0-0" in depends  # Qt's event loop runs on the desktop's GLib
    assert not any("icu" in depend for depend in depends)  # the build carries its own


def test_a_library_found_nowhere_fails_the_build(tmp_path: Path) -> None:
    import PySide6

    internal = tmp_path / "quantdesk" / "_internal"
    internal.mkdir(parents=True)
    shutil.copy2(Path(PySide6.__file__).parent / "Qt" / "lib" / "libQt6Core.so.6", internal)
    with pytest.raises(PackagingError, match=r"libicui18n\.so\.73 \(for _internal/libQt6Core"):
        deb.system_libraries(tmp_path / "quantdesk")
    with pytest.raises(PackagingError, match=r"no Debian package provides /nowhere/lib\.so"):
        deb.packages_of({"/nowhere/lib.so"})


def test_control_and_copyright_are_debian_formatted() -> None:
    control = deb.control_text("1.2.3", "amd64", 4096, ["libc6 (>= 2.36)", "libxcb1"])
    fields = dict(line.split(": ", 1) for line in control.splitlines() if not line.startswith(" "))
    assert fields["Package"] == "quantdesk"
    assert fields["Version"] == "1.2.3"
    assert fields["Installed-Size"] == "4096"
    assert fields["Depends"] == "libc6 (>= 2.36), libxcb1"
    assert control.endswith("\n") and all(
        line.startswith(" ") for line in control.split("Description: ")[1].splitlines()[1:]
    )
    copyright_file = deb.copyright_text("Line one\n\nLine three")
    assert copyright_file.startswith("Format: https://www.debian.org/doc/packaging-manuals/")
    assert copyright_file.endswith("License: proprietary\n Line one\n .\n Line three\n")
    assert deb.deb_name("1.2.3", "amd64") == "quantdesk_1.2.3_amd64.deb"
