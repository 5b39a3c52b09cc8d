#!/usr/bin/env bash
# Installs the Debian packages the workstation and the test suite need, only those missing.
# Qt's xcb platform libraries, Xvfb and xdotool for real windows and key events,
# PostgreSQL and Redis for the services' tests, dbus-daemon for a private bus in the
# desktop notification tests; binutils (strip) and desktop-file-utils to build and check
# the installers.
set -euo pipefail

packages=(
  xvfb xauth xdotool x11-utils
  libegl1 libgl1 libopengl0 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
  libxcb-shape0 libxcb-randr0 libxcb-xfixes0 libxcb-xkb1 libxcb-xinerama0 libglib2.0-0
  fonts-dejavu-core
  postgresql redis-server nginx-light
  binutils desktop-file-utils
)
# the daemon has its own package from Debian 12 (dbus 1.14); before, it is in `dbus`
if apt-cache show dbus-daemon >/dev/null 2>&1; then
  packages+=(dbus-daemon)
else
  packages+=(dbus)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]})); then
  echo "system_deps: installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
