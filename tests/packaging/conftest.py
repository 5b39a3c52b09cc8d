"""The installer build under test: ``dist/`` (or ``QUANTDESK_PACKAGE_DIST``), built by
`make package`. The test command builds it first and sets ``QUANTDESK_REQUIRE_PACKAGE``,
so that a missing build fails there instead of being skipped."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from installers import deb
from installers.project import REPO, project_version
from tests.packaging.installed import Installation, install_deb, scratch_root


@pytest.fixture(scope="session")
def package_dist() -> Path:
    """The folder holding the .deb and the .tar.gz of this version."""
    dist = Path(os.environ.get("QUANTDESK_PACKAGE_DIST") or REPO / "dist")
    package = dist / deb.deb_name(project_version(), deb.deb_architecture())
    if not package.is_file():
        message = f"no installer build at {package}: run `make package` first"
        if os.environ.get("QUANTDESK_REQUIRE_PACKAGE"):
            pytest.fail(message)
        pytest.skip(message)
    return dist


@pytest.fixture(scope="session")
def deb_package(package_dist: Path) -> Path:
    """The .deb (installing it into scratch roots and running it as ``nobody`` needs
    root, as the test command runs)."""
    if os.geteuid() != 0:
        pytest.skip("installing the .deb into a scratch root and running as nobody need root")
    return package_dist / deb.deb_name(project_version(), deb.deb_architecture())


@pytest.fixture(scope="session")
def installed(deb_package: Path) -> Iterator[Installation]:
    """The .deb installed by dpkg into a scratch root (shared by the tests that only run
    what it installed)."""
    installation = install_deb(deb_package, scratch_root())
    yield installation
    shutil.rmtree(installation.root, ignore_errors=True)
