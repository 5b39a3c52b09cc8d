"""The installer recipes (Inno Setup script, disk image script, CI workflow) and the Python
steps running them, checked on Linux: neither ISCC nor hdiutil is run, stand-ins are."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from installers import macos, windows
from installers.errors import PackagingError

REPO = Path(__file__).resolve().parents[2]
ISS = REPO / "packaging" / "windows" / "quantdesk.iss"
MAKE_DMG = REPO / "packaging" / "macos" / "make_dmg.sh"
WORKFLOW = REPO / ".github" / "workflows" / "installers.yml"
BUILD_COMMAND = "python packaging/build_installers.py"
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="stand-in tools are bash scripts")


def iss_lines() -> list[str]:
    """The .iss's lines without comments and blank lines."""
    lines = [line.strip() for line in ISS.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line and not line.startswith(";")]


def evaluate(expression: str, defines: dict[str, str]) -> str:
    """An ISPP string expression of literals, defines and AddBackslash(SourcePath), joined by +."""
    parts = []
    for term in (term.strip() for term in expression.split("+")):
        if term.startswith('"') and term.endswith('"'):
            parts.append(term[1:-1])
        elif term == "AddBackslash(SourcePath)":
            parts.append(ISS.parent.as_posix().replace("/", "\\") + "\\")
        else:
            parts.append(defines[term])
    return "".join(parts)


def iss_defines() -> dict[str, str]:
    """The #define values the .iss gets without command-line /D options (AppVersion aside)."""
    defines: dict[str, str] = {}
    for line in iss_lines():
        if match := re.fullmatch(r"#define\s+(\w+)\s+(.+)", line):
            defines[match[1]] = evaluate(match[2], defines)
    return defines


def iss_path(value: str, defines: dict[str, str]) -> Path:
    """A path of the .iss with its {#Name} defines filled in, as a resolved local path."""
    filled = re.sub(r"\{#(\w+)\}", lambda match: defines[match[1]], value)
    return Path(filled.replace("\\", "/")).resolve()


def iss_referenced_paths() -> list[str]:
    """The build-machine paths the .iss reads: LicenseFile, SetupIconFile, each Source."""
    paths = []
    for line in iss_lines():
        if match := re.fullmatch(r"(LicenseFile|SetupIconFile)=(.+)", line):
            paths.append(match[2])
        if match := re.match(r'Source:\s*"([^"]+)"', line):
            paths.append(match[1])
    return paths


def test_iss_reads_the_license_the_icon_and_the_whole_one_folder_build() -> None:
    defines = iss_defines()
    assert iss_path("{#SourceDir}", defines) == REPO / "dist" / "quantdesk"
    assert iss_path("{#OutputDir}", defines) == REPO / "dist"
    resolved = [iss_path(value, defines) for value in iss_referenced_paths()]
    assert resolved == [
        REPO / "LICENSE",
        REPO / "resources" / "icons" / "quantdesk.ico",
        REPO / "dist" / "quantdesk" / "*",
    ]
    for path in resolved:
        if path.parent != REPO / "dist" / "quantdesk":
            assert path.is_file(), f"the .iss reads {path}, which is not in the repository"
    assert "Flags: ignoreversion recursesubdirs createallsubdirs" in ISS.read_text()


def test_iss_version_comes_only_from_appversion() -> None:
    text = "\n".join(iss_lines())
    assert not re.search(r"\d+\.\d+", text), "a version number is written in the .iss"
    assert "AppVersion" not in iss_defines()
    assert re.search(r"#ifndef AppVersion\s+#error", text)
    assert "AppVersion={#AppVersion}" in text
    assert "OutputBaseFilename=quantdesk-{#AppVersion}-windows-x64-setup" in text
    assert windows.setup_name("1.2.3") == "quantdesk-1.2.3-windows-x64-setup.exe"


def test_iss_setup_directives() -> None:
    setup = dict(line.split("=", 1) for line in iss_lines() if re.match(r"[A-Za-z0-9]+=", line))
    assert re.fullmatch(r"\{\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", setup["AppId"])
    assert setup["AppName"] == "QuantDesk"
    assert setup["DefaultDirName"] == r"{autopf}\QuantDesk"
    assert setup["PrivilegesRequiredOverridesAllowed"] == "dialog"
    assert setup["ArchitecturesAllowed"] == "x64compatible"
    assert setup["ArchitecturesInstallIn64BitMode"] == "x64compatible"
    assert setup["UninstallDisplayIcon"] == r"{app}\quantdesk.exe"
    assert (setup["Compression"], setup["SolidCompression"]) == ("lzma2", "yes")
    assert setup["WizardStyle"] == "modern"


def test_iscc_candidates_in_order() -> None:
    # Windows spells these names in any case
    environ = {
        "Path": f"/opt/a{os.pathsep}/opt/b",
        "PROGRAMFILES(X86)": "/pf86",
        "ProgramFiles": "/pf",
    }
    assert windows.iscc_candidates(environ) == [
        Path("/opt/a/ISCC.exe"),
        Path("/opt/b/ISCC.exe"),
        Path("/pf86/Inno Setup 6/ISCC.exe"),
        Path("/pf/Inno Setup 6/ISCC.exe"),
    ]
    assert windows.iscc_candidates({**environ, "ISCC": "/tools/iscc"}) == [Path("/tools/iscc")]
    defaults = windows.iscc_candidates({})
    assert [str(path.parent.parent) for path in defaults] == [
        r"C:\Program Files (x86)",
        r"C:\Program Files",
    ]


def test_iscc_command() -> None:
    assert windows.iscc_command(
        Path("/inno/ISCC.exe"), ISS, Path("/r/dist/quantdesk"), Path("/r/dist"), "0.1.0"
    ) == [
        "/inno/ISCC.exe",
        "/DAppVersion=0.1.0",
        "/DSourceDir=/r/dist/quantdesk",
        "/DOutputDir=/r/dist",
        str(ISS),
    ]


def fake_tool(path: Path, script: str) -> Path:
    """An executable shell script standing in for a tool."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/usr/bin/env bash\n{script}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def one_folder_build(tmp_path: Path) -> Path:
    """A dist folder holding a stand-in Windows one-folder build."""
    dist = tmp_path / "dist"
    fake_tool(dist / "quantdesk" / "quantdesk.exe", "exit 0")
    return dist


def test_build_setup_without_the_one_folder_build(tmp_path: Path) -> None:
    with pytest.raises(PackagingError, match=r"quantdesk\.exe is missing; build .* PyInstaller"):
        windows.build_setup(REPO, tmp_path / "dist", "0.1.0", environ={})


def test_build_setup_without_iscc(one_folder_build: Path, tmp_path: Path) -> None:
    environ = {"PATH": str(tmp_path), "ProgramFiles(x86)": str(tmp_path), "ProgramFiles": "/x"}
    with pytest.raises(PackagingError, match=r"ISCC\.exe\) not found.*choco install innosetup"):
        windows.build_setup(REPO, one_folder_build, "0.1.0", environ=environ)
    with pytest.raises(PackagingError, match=r"ISCC=.*nowhere.* does not exist"):
        windows.build_setup(
            REPO, one_folder_build, "0.1.0", environ={"ISCC": str(tmp_path / "nowhere")}
        )


@posix_only
def test_build_setup_reports_the_tail_of_a_failing_iscc(
    one_folder_build: Path, tmp_path: Path
) -> None:
    iscc = fake_tool(
        tmp_path / "inno" / "ISCC.exe",
        'for i in $(seq 100); do echo "line $i"; done; echo "Error: no LICENSE" >&2; exit 2',
    )
    with pytest.raises(PackagingError) as raised:
        windows.build_setup(REPO, one_folder_build, "0.1.0", environ={"ISCC": str(iscc)})
    message = str(raised.value)
    assert "ISCC exited with status 2" in message
    assert "Error: no LICENSE" in message
    assert "line 100" in message
    assert "line 1\n" not in message


@posix_only
def test_build_setup_runs_iscc_and_returns_the_setup(
    one_folder_build: Path, tmp_path: Path
) -> None:
    log = tmp_path / "iscc-args"
    iscc = fake_tool(
        tmp_path / "inno" / "ISCC.exe",
        f'printf "%s\\n" "$@" > {log}\n'
        'out=""; ver=""\n'
        'for a in "$@"; do case $a in /DOutputDir=*) out=${a#*=};; /DAppVersion=*) ver=${a#*=};; '
        "esac; done\n"
        'touch "$out/quantdesk-$ver-windows-x64-setup.exe"',
    )
    setup = windows.build_setup(REPO, one_folder_build, "2.0.1", environ={"ISCC": str(iscc)})
    assert setup == one_folder_build / "quantdesk-2.0.1-windows-x64-setup.exe"
    assert setup.is_file()
    assert (
        log.read_text().splitlines()
        == windows.iscc_command(
            iscc, ISS, one_folder_build / "quantdesk", one_folder_build, "2.0.1"
        )[1:]
    )


@posix_only
def test_build_setup_when_iscc_makes_no_setup(one_folder_build: Path, tmp_path: Path) -> None:
    iscc = fake_tool(tmp_path / "ISCC.exe", "echo compiled")
    with pytest.raises(PackagingError, match=r"windows-x64-setup\.exe is not there:\ncompiled"):
        windows.build_setup(REPO, one_folder_build, "0.1.0", environ={"ISCC": str(iscc)})


def test_dmg_name_and_command() -> None:
    assert macos.dmg_name("0.1.0", "arm64") == "quantdesk-0.1.0-macos-arm64.dmg"
    assert macos.dmg_name("0.1.0", "x86_64") == "quantdesk-0.1.0-macos-x86_64.dmg"
    assert macos.dmg_name("0.1.0", "AMD64") == "quantdesk-0.1.0-macos-x86_64.dmg"
    assert macos.dmg_command(MAKE_DMG, Path("/d/QuantDesk.app"), Path("/d/q.dmg"), "0.1.0") == [
        "bash",
        str(MAKE_DMG),
        "/d/QuantDesk.app",
        "/d/q.dmg",
        "0.1.0",
    ]


def run_bash(*args: str) -> subprocess.CompletedProcess[str]:
    """Run bash with ``args``, its output captured."""
    return subprocess.run(["bash", *args], capture_output=True, text=True, check=False)


@posix_only
def test_make_dmg_script_parses() -> None:
    result = run_bash("-n", str(MAKE_DMG))
    assert result.returncode == 0, result.stderr


@posix_only
@pytest.mark.parametrize("args", [[], ["QuantDesk.app"], ["a.app", "b.dmg", "1.0", "extra"]])
def test_make_dmg_refuses_wrong_usage(args: list[str]) -> None:
    result = run_bash(str(MAKE_DMG), *args)
    assert result.returncode != 0
    assert "usage: make_dmg.sh <path to QuantDesk.app> <output .dmg> <version>" in result.stderr


@posix_only
def test_make_dmg_refuses_a_missing_app(tmp_path: Path) -> None:
    result = run_bash(str(MAKE_DMG), str(tmp_path / "QuantDesk.app"), str(tmp_path / "q.dmg"), "1")
    assert result.returncode != 0
    assert "not an .app bundle" in result.stderr


@pytest.fixture
def app_bundle(tmp_path: Path) -> Path:
    """A dist folder holding a stand-in QuantDesk.app."""
    dist = tmp_path / "dist"
    fake_tool(dist / "QuantDesk.app" / "Contents" / "MacOS" / "quantdesk", "exit 0")
    return dist


def path_with(folder: Path) -> dict[str, str]:
    """This environment with ``folder`` first on PATH."""
    return {**os.environ, "PATH": f"{folder}{os.pathsep}{os.environ.get('PATH', os.defpath)}"}


def test_build_dmg_without_the_app(tmp_path: Path) -> None:
    with pytest.raises(PackagingError, match=r"QuantDesk\.app is missing; build .* PyInstaller"):
        macos.build_dmg(REPO, tmp_path, "0.1.0", environ=path_with(tmp_path))


def test_build_dmg_without_hdiutil(app_bundle: Path, tmp_path: Path) -> None:
    with pytest.raises(PackagingError, match="hdiutil not found"):
        macos.build_dmg(REPO, app_bundle, "0.1.0", environ={"PATH": str(tmp_path / "empty")})


@posix_only
def test_build_dmg_reports_a_failing_hdiutil(app_bundle: Path, tmp_path: Path) -> None:
    fake_tool(tmp_path / "bin" / "hdiutil", 'echo "hdiutil: create failed - Resource busy"; exit 1')
    with pytest.raises(PackagingError, match=r"status 1:\n.*create failed - Resource busy"):
        macos.build_dmg(REPO, app_bundle, "0.1.0", environ=path_with(tmp_path / "bin"))


@posix_only
def test_build_dmg_stages_the_app_with_an_applications_link(
    app_bundle: Path, tmp_path: Path
) -> None:
    listing = tmp_path / "staged"
    fake_tool(
        tmp_path / "bin" / "hdiutil",
        f'printf "%s\\n" "$@" > {listing}.args\n'
        "while [[ $1 != -srcfolder ]]; do shift; done\n"
        f'(cd "$2" && find . | sort && readlink Applications) > {listing}\n'
        'touch "${@: -1}"',
    )
    dmg = macos.build_dmg(
        REPO, app_bundle, "0.3.0", machine="arm64", environ=path_with(tmp_path / "bin")
    )
    assert dmg == app_bundle / "quantdesk-0.3.0-macos-arm64.dmg"
    assert dmg.is_file()
    assert listing.read_text().splitlines() == [
        ".",
        "./Applications",
        "./QuantDesk.app",
        "./QuantDesk.app/Contents",
        "./QuantDesk.app/Contents/MacOS",
        "./QuantDesk.app/Contents/MacOS/quantdesk",
        "/Applications",
    ]
    args = Path(f"{listing}.args").read_text().splitlines()
    assert args[:3] == ["create", "-volname", "QuantDesk 0.3.0"]
    assert args[-4:] == ["-ov", "-format", "UDZO", str(dmg)]


def workflow() -> dict:
    """The installers workflow as loaded by PyYAML."""
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def test_workflow_triggers() -> None:
    loaded = workflow()
    triggers = loaded.get("on", loaded.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers["push"]["tags"] == ["v*"]
    assert "workflow_dispatch" in triggers


def test_workflow_builds_on_the_three_oses_with_the_one_command() -> None:
    (job,) = workflow()["jobs"].values()
    assert job["runs-on"] == "${{ matrix.os }}"
    assert job["strategy"]["matrix"]["os"] == ["ubuntu-22.04", "windows-2022", "macos-14"]
    steps = job["steps"]
    runs = [step.get("run", "") for step in steps]
    builds = [step for step in steps if step.get("run", "").strip() == BUILD_COMMAND]
    assert len(builds) == 1 and "if" not in builds[0], "the build must run on every OS"
    uses = [step["uses"] for step in steps if "uses" in step]
    assert uses == ["actions/checkout@v4", "actions/setup-python@v5", "actions/upload-artifact@v4"]
    assert steps[1]["with"]["python-version"] == "3.11"
    assert any('pip install ".[package]"' in run for run in runs)
    smoke = next(step for step in steps if "tests/packaging" in step.get("run", ""))
    assert smoke["if"] == "runner.os == 'Linux'"
    assert "xvfb-run -a python -m pytest -q tests/packaging" in smoke["run"]
    assert runs.index(smoke["run"]) > runs.index(BUILD_COMMAND)
    uploaded = steps[-1]["with"]["path"].split()
    assert uploaded == ["dist/*.tar.gz", "dist/*.deb", "dist/*-setup.exe", "dist/*.dmg"]
