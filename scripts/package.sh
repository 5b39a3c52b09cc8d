#!/usr/bin/env bash
# Builds the installers for this OS into dist/ (see packaging/build_installers.py),
# installing what it needs first.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
venv=$(bash "$repo/scripts/bootstrap.sh" | tail -n 1)
exec "$venv/bin/python" "$repo/packaging/build_installers.py" "$@"
