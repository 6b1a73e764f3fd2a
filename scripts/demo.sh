#!/usr/bin/env bash
# Builds KVScope (default preset) and opens it on the built-in demo model. Without a display,
# kvscope says so and runs the same generation headlessly. Extra arguments go to kvscope, e.g.
#   scripts/demo.sh --model builtin:demo-mqa --prompt "hello hello"
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-deps.sh
cmake --preset default
cmake --build --preset default --parallel "${KVSCOPE_JOBS:-$(nproc)}"
exec build/app/kvscope --model builtin:demo "$@"
