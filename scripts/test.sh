#!/usr/bin/env bash
# Builds KVScope (default preset: GUI, tests, CUDA when nvcc is found) and runs every test.
# Extra arguments go to ctest, e.g.  scripts/test.sh -R "ui:"
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-deps.sh
cmake --preset default
cmake --build --preset default --parallel "${KVSCOPE_JOBS:-$(nproc)}"
ctest --preset default "$@"
