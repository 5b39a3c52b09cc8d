#!/usr/bin/env bash
# The macOS disk image: QuantDesk.app beside an /Applications link to drag it onto.
# Usage: make_dmg.sh <path to QuantDesk.app> <output .dmg> <version>
set -euo pipefail

usage() {
    echo "usage: $(basename "$0") <path to QuantDesk.app> <output .dmg> <version>" >&2
    exit 2
}
fail() {
    echo "$(basename "$0"): $*" >&2
    exit 1
}

[[ $# -eq 3 ]] || usage
app=${1%/}
out=$2
version=$3
[[ -n $version ]] || usage
[[ $out == *.dmg ]] || fail "the output must end in .dmg: $out"
[[ -d $app && $app == *.app ]] || fail "not an .app bundle: $app"
command -v hdiutil >/dev/null || fail "hdiutil not found: disk images are made on macOS"

stage=$(mktemp -d "${TMPDIR:-/tmp}/quantdesk-dmg.XXXXXX")
trap 'rm -rf "$stage"' EXIT
cp -pR "$app" "$stage/"
ln -s /Applications "$stage/Applications"
mkdir -p "$(dirname "$out")"
hdiutil create -volname "QuantDesk $version" -srcfolder "$stage" -ov -format UDZO "$out"
