#!/usr/bin/env bash
# Prepares everything the two Quick start commands need on a fresh machine:
# Debian packages, then a virtual env under the user's cache directory holding the pinned
# Python dependencies (rebuilt when pyproject.toml changes), with this checkout installed
# in editable mode. Prints the virtual env's path on its last line.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/quantdesk"
python="${QUANTDESK_PYTHON:-python3}"

bash "$repo/scripts/system_deps.sh" >&2

deps_hash=$("$python" - "$repo/pyproject.toml" <<'PY'
import hashlib, sys, tomllib
data = tomllib.load(open(sys.argv[1], "rb"))
project = data["project"]
key = repr((sys.version_info[:2], project["dependencies"], project["optional-dependencies"]))
print(hashlib.sha256(key.encode()).hexdigest()[:16])
PY
)
venv="$cache/venv-$deps_hash"
mkdir -p "$cache"

if [[ ! -f "$venv/.deps-installed" ]]; then
  echo "bootstrap: creating $venv" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip setuptools wheel >&2
  "$venv/bin/pip" install -q -e "$repo[dev,package]" >&2
  touch "$venv/.deps-installed"
fi

# The editable install points at one checkout and records one version; re-install it when
# this checkout is another or pyproject.toml's version changed.
if ! "$venv/bin/python" - "$repo" <<'PY' 2>/dev/null
import pathlib, sys, tomllib
from importlib import metadata
import backend
repo = pathlib.Path(sys.argv[1]).resolve()
version = tomllib.loads((repo / "pyproject.toml").read_text())["project"]["version"]
same_tree = pathlib.Path(backend.__file__).resolve().parents[1] == repo
sys.exit(0 if same_tree and metadata.version("quantdesk") == version else 1)
PY
then
  "$venv/bin/pip" install -q --no-deps --no-build-isolation -e "$repo" >&2
fi

echo "$venv"
