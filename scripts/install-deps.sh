#!/usr/bin/env bash
# Installs the Debian packages KVScope builds and tests with, and nothing when they are all there
# (safe to run every time). As root it installs what is missing; otherwise it prints the exact
# apt-get command to run and exits 1.
#
#   KVSCOPE_SKIP_DEPS=1   skip the check (a non-Debian system with the tools installed by hand)
set -euo pipefail

# dpkg-dev, file: CPack's .deb (dpkg-shlibdeps); desktop-file-utils, appstream: the packaging test.
# libpcre2-dev: the byte-level BPE pre-tokenizers (Unicode regular expressions).
# Qt6Charts needs Qt6OpenGL's CMake files (libqt6opengl6-dev), which qt6-base-dev only recommends.
packages=(
  cmake ninja-build g++ pkg-config
  libeigen3-dev catch2
  libpcre2-dev
  qt6-base-dev qt6-charts-dev qt6-svg-dev qt6-qpa-plugins libqt6opengl6-dev libgl1-mesa-dev
  fonts-dejavu-core
  xvfb xauth
  dpkg-dev file desktop-file-utils appstream
)

if [[ "${KVSCOPE_SKIP_DEPS:-0}" == 1 ]]; then
  echo "install-deps: skipped (KVSCOPE_SKIP_DEPS=1)"
  exit 0
fi
if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "install-deps: this is not a Debian-based system; install the equivalents of:" >&2
  echo "  ${packages[*]}" >&2
  echo "then run again with KVSCOPE_SKIP_DEPS=1" >&2
  exit 1
fi

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  [[ "$status" == installed ]] || missing+=("$package")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

install_command="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run as root:" >&2
  echo "  sudo sh -c '$install_command'" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
