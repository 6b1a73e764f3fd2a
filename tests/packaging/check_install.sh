#!/usr/bin/env bash
# The packaging test: installs the build into a temporary prefix and checks what landed there
# (binaries that run, the launcher, the AppStream metainfo, the icon, the lessons, the licences),
# then builds the .tar.gz and .deb with CPack and checks their contents and the .deb's
# dependencies (from dpkg-shlibdeps).
#   check_install.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null
for f in bin/kvscope bin/kvscope-cli \
         share/applications/org.kvscope.KVScope.desktop \
         share/metainfo/org.kvscope.KVScope.metainfo.xml \
         share/icons/hicolor/scalable/apps/org.kvscope.KVScope.svg \
         share/doc/kvscope/LICENSE share/doc/kvscope/third-party-licenses.md; do
  [[ -f "$prefix/$f" ]] || fail "cmake --install did not place $f"
done
ls "$prefix"/share/kvscope/lessons/*.json >/dev/null 2>&1 || fail "no lessons installed"

version=$(grep -m1 -o 'project(KVScope VERSION [0-9.]*' "$(dirname "$0")/../../CMakeLists.txt" | awk '{print $3}')
[[ "$("$prefix/bin/kvscope-cli" --version)" == *"$version"* ]] || fail "kvscope-cli --version"
[[ "$(QT_QPA_PLATFORM=offscreen "$prefix/bin/kvscope" --version)" == *"$version"* ]] \
  || fail "kvscope --version"
usage=$(QT_QPA_PLATFORM=offscreen "$prefix/bin/kvscope" --help)
grep -q -- "--screenshot" <<<"$usage" || fail "kvscope --help does not describe --screenshot"

desktop-file-validate "$prefix/share/applications/org.kvscope.KVScope.desktop"
appstreamcli validate --no-net --pedantic "$prefix/share/metainfo/org.kvscope.KVScope.metainfo.xml" >/dev/null \
  || fail "appstreamcli rejects the metainfo"

(cd "$work" && cpack --config "$build/CPackConfig.cmake" -B "$work/packages" >/dev/null)
tgz=$(ls "$work"/packages/*.tar.gz)
deb=$(ls "$work"/packages/*.deb)
# Listings into variables first: `grep -q` closing the pipe early would fail it under pipefail.
tgz_files=$(tar -tzf "$tgz")
deb_files=$(dpkg-deb -c "$deb")
grep -q "bin/kvscope$" <<<"$tgz_files" || fail "the .tar.gz lacks bin/kvscope"
grep -q "/usr/bin/kvscope-cli$" <<<"$deb_files" || fail "the .deb lacks usr/bin/kvscope-cli"
grep -q "/usr/share/applications/org.kvscope.KVScope.desktop$" <<<"$deb_files" \
  || fail "the .deb lacks the launcher"
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libqt6widgets6 libqt6charts6 libgomp1 libpcre2-8-0; do
  [[ "$depends" == *"$lib"* ]] || fail "the .deb's Depends lacks $lib: $depends"
done
echo "packaging OK: $(basename "$deb") Depends: $depends"
