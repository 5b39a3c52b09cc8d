"""Installing the .deb into a scratch root with dpkg, and running what it installed:
as this user, or as ``nobody`` (for whom the install is read-only and the home missing)."""

from __future__ import annotations

import os
import pwd
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from installers.deb import INSTALL_DIR, PACKAGE

NOBODY = pwd.getpwnam("nobody")
APP_TIMEOUT_S = 180


@dataclass(frozen=True, slots=True)
class Installation:
    """A scratch root that dpkg installed the package into."""

    root: Path

    @property
    def command(self) -> Path:
        """The ``quantdesk`` command as the package puts it on the PATH."""
        return self.root / "usr" / "bin" / "quantdesk"

    @property
    def install_dir(self) -> Path:
        """/opt/quantdesk under the root."""
        return self.root / INSTALL_DIR

    def dpkg(self, *args: str) -> subprocess.CompletedProcess:
        """Run dpkg on this root (the package has no dependencies installed in it)."""
        return subprocess.run(
            ["dpkg", f"--root={self.root}", "--force-depends", "--force-unsafe-io", *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )


def scratch_root() -> Path:
    """A new folder in the system's temporary directory that every user can reach (as
    an installation's folders are), unlike pytest's private ones."""
    root = Path(tempfile.mkdtemp(prefix="quantdesk-root-"))
    root.chmod(0o755)
    return root


def install_deb(package: Path, root: Path) -> Installation:
    """A fresh dpkg database under ``root``, then the package."""
    database = root / "var" / "lib" / "dpkg"
    for folder in ("info", "updates", "triggers"):
        (database / folder).mkdir(parents=True)
    for name in ("status", "available"):
        (database / name).touch()
    (root / "var" / "log").mkdir(parents=True)
    installation = Installation(root)
    done = installation.dpkg("-i", str(package))
    if done.returncode != 0:
        raise RuntimeError(f"dpkg -i failed:\n{done.stdout}\n{done.stderr}")
    return installation


def owned_by_nobody(folder: Path) -> Path:
    """``folder`` created and given to ``nobody``."""
    folder.mkdir(parents=True, exist_ok=True)
    os.chown(folder, NOBODY.pw_uid, NOBODY.pw_gid)
    folder.chmod(0o755)
    return folder


def run_app(
    command: Path, *args: str, env: dict[str, str], as_nobody: bool = False
) -> subprocess.CompletedProcess:
    """Run the installed app with exactly ``env`` (plus the display); as ``nobody`` with
    no supplementary groups when asked."""
    environment = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"} | env
    for name in ("DISPLAY", "QT_QPA_PLATFORM", "XAUTHORITY"):
        if name in os.environ and name not in environment:
            environment[name] = os.environ[name]
    prefix = []
    if as_nobody:
        prefix = [
            "setpriv", f"--reuid={NOBODY.pw_uid}", f"--regid={NOBODY.pw_gid}", "--clear-groups",
        ]  # fmt: skip
    return subprocess.run(
        [*prefix, str(command), *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=APP_TIMEOUT_S,
        check=False,
    )


def installed_files(root: Path) -> set[str]:
    """Every file and link under ``root`` but dpkg's own records and log."""
    own = (root / "var" / "lib" / "dpkg", root / "var" / "log")
    return {
        str(path.relative_to(root))
        for path in root.rglob("*")
        if not path.is_dir() and not any(path.is_relative_to(folder) for folder in own)
    }


__all__ = [
    "PACKAGE", "Installation", "install_deb", "installed_files", "owned_by_nobody", "scratch_root",
]  # fmt: skip
