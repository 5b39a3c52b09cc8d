#!/usr/bin/env bash
# The Rust half of the test suite: the Anchor program's math, ledger and instruction tests,
# the shared vectors, and the check that the committed IDL is what the source generates.
# Builds into the user's cache directory, so a second run only rebuilds what changed.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

if ! command -v cargo >/dev/null 2>&1; then
  [[ -x "$HOME/.cargo/bin/cargo" ]] && export PATH="$HOME/.cargo/bin:$PATH"
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "rust_tests: cargo is not installed; install Rust (stable, 1.75 or newer) with rustup" >&2
  exit 1
fi

export CARGO_TARGET_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/quantdesk/cargo-target"
export CARGO_TERM_COLOR=never
manifest="$repo/programs/Cargo.toml"
cargo fmt --manifest-path "$manifest" --all --check
cargo clippy --manifest-path "$manifest" --workspace --tests --locked --quiet -- -D warnings
cargo test --manifest-path "$manifest" --workspace --locked --no-fail-fast --quiet
