#!/usr/bin/env bash
# The whole test suite: lint, import contracts, and pytest under a private Xvfb display.
# Installs what it needs first; stops every server it starts.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
venv=$(bash scripts/bootstrap.sh | tail -n 1)
export PATH="$venv/bin:$PATH"

echo "== ruff"
ruff check .
ruff format --check .
echo "== import contracts"
lint-imports --no-cache
echo "== cargo test (programs/)"
bash scripts/rust_tests.sh

# A private X display for the Qt tests, stopped on exit.
display_file=$(mktemp)
Xvfb -displayfd 3 -screen 0 1920x1080x24 -nolisten tcp 3>"$display_file" >/dev/null 2>&1 &
xvfb_pid=$!
trap 'kill "$xvfb_pid" 2>/dev/null || true; rm -f "$display_file"' EXIT
for _ in $(seq 100); do [[ -s "$display_file" ]] && break; sleep 0.05; done
[[ -s "$display_file" ]] || { echo "Xvfb did not start" >&2; exit 1; }
export DISPLAY=":$(head -n 1 "$display_file")"
export QT_QPA_PLATFORM=xcb

echo "== installers (packaging/)"
# the tests in tests/packaging install and run this build; without it they would fail
python packaging/build_installers.py --dist "$repo/dist"
export QUANTDESK_PACKAGE_DIST="$repo/dist" QUANTDESK_REQUIRE_PACKAGE=1

echo "== pytest"
# Tests that run Solana programs in-process go in a second process (see tests/conftest.py).
# Exit status 5 is "no test selected": a path given on the command line may hold only one kind.
python -m pytest -q -p no:cacheprovider -m "not solana_runtime" "$@" || [[ $? -eq 5 ]]
echo "== pytest (Solana programs in-process)"
python -m pytest -q -p no:cacheprovider -m solana_runtime "$@" || [[ $? -eq 5 ]]
