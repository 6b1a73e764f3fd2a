#!/bin/sh
# Seed corpora for the libFuzzer targets in fuzz/ (see fuzz/CMakeLists.txt), from the files in the
# repository and a small trace written by kvscope-cli:
#   scripts/fuzz_corpus.sh OUT_DIR [KVSCOPE_CLI]
# makes OUT_DIR/{hf_config,trace,scenario,lesson,workload_csv}/ (existing files are kept).
set -eu
out=${1:?usage: scripts/fuzz_corpus.sh OUT_DIR [KVSCOPE_CLI]}
cli=${2:-build/app/kvscope-cli}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out/hf_config" "$out/trace" "$out/scenario" "$out/lesson" "$out/workload_csv"
cp "$root"/tests/data/hf/*.json "$out/hf_config/"
cp "$root"/resources/model_presets.json "$root"/resources/gpus.json "$out/hf_config/"
cp "$root"/docs/examples/*.kvscope.json "$out/scenario/"
# The JSON examples of docs/scenario-schema.md, one file each.
awk -v dir="$out/scenario" '/^```json/ { n++; on = 1; next } /^```/ { on = 0; next }
    on { print > (dir "/schema-example-" n ".json") }' "$root/docs/scenario-schema.md"
cp "$root"/resources/lessons/*.json "$out/lesson/"
# Traces: the demo model, greedy and sampled, a few steps (small, so the fuzzer can mutate them).
if [ -x "$cli" ]; then
    "$cli" generate --model builtin:demo --prompt "ab" --max-new-tokens 2 \
        --trace "$out/trace/demo-greedy.json" >/dev/null 2>&1
    "$cli" generate --model builtin:demo --prompt "The" --max-new-tokens 3 --temperature 0.8 \
        --top-k 5 --seed 7 --mode recompute --trace "$out/trace/demo-sampled.json" >/dev/null 2>&1
else
    echo "fuzz_corpus.sh: $cli not found; no trace seeds" >&2
fi
# Workloads: the forms the serve-sim tests use.
printf 'prompt_len,output_len,arrival\n100,50,0\n200,20,3\n' >"$out/workload_csv/header.csv"
printf '10,5\n# a comment\n\n12,7,4\r\n30,1\n' >"$out/workload_csv/mixed.csv"
printf '1,1\n2000,48\n' >"$out/workload_csv/edges.csv"
