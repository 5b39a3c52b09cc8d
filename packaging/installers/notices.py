"""THIRD_PARTY_NOTICES.txt: every piece of third-party software the frozen app carries,
with its license.

Written from what PyInstaller actually collected: the Python distributions whose modules
and extensions are in the build (their metadata and the license files they ship), the
Python runtime itself, and, on Linux, the system libraries copied in from Debian packages
(each package's copyright file). Licenses named without a text of their own are appended
in full from the system's common licenses where it has them."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path, PurePosixPath

from installers import dpkg
from installers.libraries import PYTHON_PREFIXES

RULE = "=" * 78
LICENSE_FILE = re.compile(r"(licen[cs]e|copying|notice|authors)", re.IGNORECASE)
COMMON_LICENSES = Path("/usr/share/common-licenses")
SPDX_TO_COMMON = {
    "LGPL-3.0": "LGPL-3",
    "LGPL-2.1": "LGPL-2.1",
    "GPL-2.0": "GPL-2",
    "GPL-3.0": "GPL-3",
    "Apache-2.0": "Apache-2.0",
    "MPL-2.0": "MPL-2.0",
}
QT_NOTE = (
    "Qt, PySide6, shiboken6 and Qt Advanced Docking System are used under the GNU Lesser\n"
    "General Public License version 3. Their libraries are separate files in the\n"
    "installation (_internal/PySide6, _internal/shiboken6, _internal/PySide6QtAds) and may\n"
    "be replaced with other builds of the same versions; the sources are available from\n"
    "https://download.qt.io and https://github.com/githubuser0xFFFF/Qt-Advanced-Docking-System."
)


def top_level_names(modules: Iterable[str], binaries: Iterable[str]) -> set[str]:
    """The top-level import names in the build: of the pure modules (dotted names) and of
    the binaries (paths in the build, ``numpy/_core/x.so`` or ``numpy.libs/y.so``)."""
    names = {module.split(".")[0] for module in modules}
    for binary in binaries:
        first = PurePosixPath(binary).parts[0]
        names.add(first.removesuffix(".libs").split(".")[0])
    return names


def bundled_distributions(names: Iterable[str], own: str = "quantdesk") -> list[str]:
    """The installed distributions providing those top-level names, except our own."""
    providers = metadata.packages_distributions()
    found = {dist for name in names for dist in providers.get(name, [])}
    return sorted((dist for dist in found if _canonical(dist) != own), key=_canonical)


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def license_name(meta: metadata.PackageMetadata) -> str:
    """A distribution's license as its metadata states it (expression, field or
    classifiers)."""
    expression = meta.get("License-Expression")
    if expression:
        return expression
    field = (meta.get("License") or "").strip()
    if field and "\n" not in field and len(field) < 120:
        return field
    classifiers = [
        value.split("::")[-1].strip()
        for value in meta.get_all("Classifier") or []
        if value.startswith("License ::")
    ]
    if classifiers:
        return "; ".join(classifiers)
    return "see the license text below" if field else "not stated in its metadata"


def license_files(distribution: metadata.Distribution) -> list[tuple[str, str]]:
    """The license, notice and authors files a distribution ships: (name, text)."""
    texts = []
    for file in distribution.files or []:
        parts = PurePosixPath(str(file)).parts
        if not parts or not parts[0].endswith(".dist-info"):
            continue
        if "licenses" in parts or "license_files" in parts or LICENSE_FILE.search(parts[-1]):
            if parts[-1] in {"RECORD", "METADATA", "WHEEL"}:
                continue
            try:
                text = Path(str(file.locate())).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            texts.append((str(file), text))
    return texts


def python_section() -> str:
    """The Python runtime and its license."""
    version = ".".join(map(str, sys.version_info[:3]))
    text = f"Python {version}\nLicense: PSF-2.0\n"
    for candidate in (
        Path(sys.base_prefix) / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}",
        Path(sys.base_prefix),
    ):
        license_path = candidate / "LICENSE.txt"
        if license_path.is_file():
            return text + "\n" + license_path.read_text(encoding="utf-8", errors="replace")
    return text


def distribution_section(name: str) -> tuple[str, str]:
    """One distribution's notice; and its license name."""
    distribution = metadata.distribution(name)
    meta = distribution.metadata
    stated = license_name(meta)
    lines = [f"{meta['Name']} {meta['Version']}", f"License: {stated}"]
    homepage = meta.get("Home-page") or next(
        (url.split(",", 1)[1].strip() for url in meta.get_all("Project-URL") or []), None
    )
    if homepage:
        lines.append(f"Home: {homepage}")
    for path, text in license_files(distribution):
        lines += ["", f"--- {path}", text.rstrip()]
    return "\n".join(lines), stated


def debian_packages(libraries: Iterable[str]) -> dict[str, list[str]]:
    """The Debian package of each system library (by source path): package -> library
    names. Empty where dpkg is not there or knows none of them."""
    packages: dict[str, list[str]] = {}
    for path, package in dpkg.owners(libraries).items():
        packages.setdefault(package, []).append(PurePosixPath(path).name)
    return packages


def system_section(libraries: Iterable[str]) -> str:
    """The system libraries copied into the build, each Debian package's copyright."""
    blocks = []
    for package, names in sorted(debian_packages(libraries).items()):
        block = [f"Debian package {package}: {', '.join(sorted(set(names)))}"]
        copyright_path = Path("/usr/share/doc") / package / "copyright"
        if copyright_path.is_file():
            block += ["", copyright_path.read_text(encoding="utf-8", errors="replace").rstrip()]
        blocks.append("\n".join(block))
    return f"\n\n{RULE}\n".join(blocks)


def common_license_texts(stated: Iterable[str]) -> str:
    """Full texts of the common licenses named in ``stated`` that the system has."""
    texts = []
    for spdx, common in SPDX_TO_COMMON.items():
        path = COMMON_LICENSES / common
        if any(spdx in name for name in stated) and path.is_file():
            texts.append(f"{spdx}\n\n{path.read_text(encoding='utf-8', errors='replace')}")
    return f"\n\n{RULE}\n".join(texts)


def notices_text(product: str, modules: Iterable[str], binaries: Iterable[tuple[str, str]]) -> str:
    """The whole notices file. ``binaries`` are (name in the build, source path) pairs;
    those from outside the Python installation are the system's libraries."""
    binaries = list(binaries)
    system = [source for _name, source in binaries if not source.startswith(PYTHON_PREFIXES)]
    names = top_level_names(modules, [name for name, _source in binaries])
    sections = [
        f"{product} includes the third-party software listed below, each under its own\n"
        "license. The notices and license texts follow.",
        QT_NOTE,
        python_section(),
    ]
    stated = []
    for distribution in bundled_distributions(names):
        section, license_stated = distribution_section(distribution)
        sections.append(section)
        stated.append(license_stated)
    if system:
        sections.append("System libraries\n\n" + system_section(system))
    appendix = common_license_texts(stated)
    if appendix:
        sections.append("Full texts of licenses named above\n\n" + appendix)
    return f"\n\n{RULE}\n".join(sections) + "\n"
