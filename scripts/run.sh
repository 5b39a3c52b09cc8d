#!/usr/bin/env bash
# Starts the workstation on its embedded default, installing what it needs first.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
venv=$(bash "$repo/scripts/bootstrap.sh" | tail -n 1)
exec "$venv/bin/quantdesk" "$@"
