#!/usr/bin/env bash
# Installs what `make run` and `make test` need on a fresh Debian 12 / Ubuntu 22.04+ machine:
# the system libraries Qt needs and PostgreSQL (the tests start a throwaway server of their own) when we
# are root or have sudo, then .venv with the pinned packages.
# Without root or sudo it prints the exact apt command and stops, rather than half-installing.
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(
  python3 python3-venv ca-certificates
  libgl1 libegl1 libglib2.0-0 libdbus-1-3 libfontconfig1 libxkbcommon0 libx11-6 fonts-dejavu-core
  xvfb xauth libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
  libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0
  poppler-utils binutils
  postgresql
)

missing_system_packages() {
  command -v dpkg-query >/dev/null 2>&1 || return 0
  local pkg
  for pkg in "${SYSTEM_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      printf '%s\n' "$pkg"
    fi
  done
}

install_system_packages() {
  local missing
  mapfile -t missing < <(missing_system_packages)
  [ "${#missing[@]}" -eq 0 ] && return 0
  local cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    echo "bootstrap: installing system packages: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive bash -c "$cmd" >/tmp/kaha-apt.log 2>&1 \
      || { echo "bootstrap: apt-get failed, see /tmp/kaha-apt.log" >&2; exit 1; }
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    echo "bootstrap: installing system packages with sudo: ${missing[*]}"
    sudo DEBIAN_FRONTEND=noninteractive bash -c "$cmd" >/tmp/kaha-apt.log 2>&1 \
      || { echo "bootstrap: apt-get failed, see /tmp/kaha-apt.log" >&2; exit 1; }
  else
    echo "Kaha needs these system packages first. Run this once, then run make again:" >&2
    echo "  sudo $cmd" >&2
    exit 1
  fi
}

pick_python() {
  local candidate
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 \
       && "$candidate" -c 'import sys, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "bootstrap: Python 3.11 or newer with venv is needed (apt-get install python3 python3-venv)" >&2
  exit 1
}

install_venv() {
  local stamp=.venv/.installed
  if [ -f "$stamp" ] && [ "$stamp" -nt pyproject.toml ] && .venv/bin/python -c 'import pos_app' 2>/dev/null; then
    return 0
  fi
  local python
  python=$(pick_python)
  [ -x .venv/bin/python ] || "$python" -m venv .venv
  echo "bootstrap: installing Python packages into .venv"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
  touch "$stamp"
}

install_system_packages
install_venv
