#!/usr/bin/env bash
# Fills .gpu-deps/ (ignored by git) with what scripts/gpu-check.sh needs on a bare GPU machine
# that has nvcc, CMake, ninja and PyTorch but not this project's other dependencies: the Eigen
# and Catch2 headers with their CMake packages, PCRE2 (header, static library, pkg-config file),
# a pkg-config in case the machine has none, and the real model the GPU tests run
# (stories260K.gguf: ../shared/models does not travel with the tree). About 12 MiB.
#
#   scripts/gpu-deps.sh            # here, once, before the device tool's run with
#                                  # carry: [".gpu-deps"]
# Reads the Debian/Ubuntu locations of libeigen3-dev, catch2, libpcre2-dev and pkgconf.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
deps="$root/.gpu-deps"
models="${KVSCOPE_TEST_MODELS_DIR:-$root/../shared/models}"
multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)

need() {
    [[ -e "$1" ]] || { echo "gpu-deps: missing $1 ($2)" >&2; exit 2; }
}
need /usr/include/eigen3/Eigen/Core "apt-get install libeigen3-dev"
need /usr/share/eigen3/cmake/Eigen3Config.cmake "apt-get install libeigen3-dev"
need /usr/include/catch2/catch.hpp "apt-get install catch2"
need /usr/lib/cmake/Catch2/Catch2Config.cmake "apt-get install catch2"
need /usr/lib/libCatch2WithMain.a "apt-get install catch2"
need /usr/include/pcre2.h "apt-get install libpcre2-dev"
need "/usr/lib/$multiarch/libpcre2-8.a" "apt-get install libpcre2-dev"
need "$models/stories260K.gguf" "the shared models folder"

rm -rf "$deps"
mkdir -p "$deps"/{include,share,lib/cmake,lib/pkgconfig,bin,models}
cp -r /usr/include/eigen3 "$deps/include/"
cp -r /usr/share/eigen3 "$deps/share/"
cp -r /usr/include/catch2 "$deps/include/"
cp -r /usr/lib/cmake/Catch2 "$deps/lib/cmake/"
cp /usr/lib/libCatch2WithMain.a "$deps/lib/"  # its CMake package names it
cp /usr/include/pcre2.h "$deps/include/"
cp "/usr/lib/$multiarch/libpcre2-8.a" "$deps/lib/"
# A pkg-config file that finds the copy wherever the tree lands.
cat >"$deps/lib/pkgconfig/libpcre2-8.pc" <<'PC'
prefix=${pcfiledir}/../..
libdir=${prefix}/lib
includedir=${prefix}/include

Name: libpcre2-8
Description: PCRE2 8-bit library (static copy for scripts/gpu-check.sh)
Version: 10.42
Libs: -L${libdir} -lpcre2-8
Cflags: -I${includedir}
PC
# pkgconf and its library, used only when the GPU machine has no pkg-config of its own.
if command -v pkgconf >/dev/null; then
    cp "$(readlink -f "$(command -v pkgconf)")" "$deps/bin/pkgconf.bin"
    lib=$(ldd "$(readlink -f "$(command -v pkgconf)")" | awk '/libpkgconf/ {print $3}')
    [[ -n "$lib" ]] && cp "$lib" "$deps/lib/"
    cat >"$deps/bin/pkg-config" <<'SH'
#!/usr/bin/env bash
here=$(cd "$(dirname "$0")" && pwd)
LD_LIBRARY_PATH="$here/../lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "$here/pkgconf.bin" "$@"
SH
    chmod +x "$deps/bin/pkg-config"
fi
cp "$models/stories260K.gguf" "$deps/models/"
echo "gpu-deps: $(du -sh "$deps" | cut -f1) in $deps"
