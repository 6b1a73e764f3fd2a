#!/usr/bin/env bash
# Regenerates the README's screenshots from the built app (no display needed):
#   scripts/screenshots.sh [BUILD_DIR]      (default: build, the default preset's)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
app="${1:-build}/app/kvscope"
[[ -x "$app" ]] || { echo "screenshots: $app not found; build first (scripts/test.sh)" >&2; exit 1; }

mkdir -p docs/screenshots
# The induction head (layer 1, head 0) of the demo model on a prompt that repeats itself.
QT_QPA_PLATFORM=offscreen "$app" --screenshot docs/screenshots/main-window.png \
  --model builtin:demo --prompt "KVScope KVScope KVSc" --steps 16 --layer 1 --head 0
# Every head of the real stories260K model (GQA: 8 query heads over 4 KV heads).
QT_QPA_PLATFORM=offscreen "$app" --screenshot docs/screenshots/all-heads.png \
  --model ../shared/models/stories260K.gguf --prompt "Once upon a time, there was a little" \
  --steps 24 --all-heads
# The Quantization tab: int8 keys and int4 values beside fp32, run before the shot.
QT_QPA_PLATFORM=offscreen "$app" --screenshot docs/screenshots/quantization.png \
  --model builtin:demo --prompt "KVScope KVScope KVSc" --view quant
# A bounded cache: a window of 32 on the demo model's needle, the evicted tokens struck through.
QT_QPA_PLATFORM=offscreen "$app" --screenshot docs/screenshots/eviction-strip.png \
  docs/examples/needle-window.kvscope.json
# The Eviction tab: StreamingLLM (budget 16, 4 sinks) against the full cache on stories260K.
QT_QPA_PLATFORM=offscreen "$app" --screenshot docs/screenshots/eviction.png \
  --model ../shared/models/stories260K.gguf \
  --prompt "Once upon a time, there was a little girl named Lily." --view evict
# The Memory tab: Llama-3.1-8B at 32k context, batch 8, on an H100 (a scenario file's view settings).
QT_QPA_PLATFORM=offscreen "$app" --screenshot docs/screenshots/memory.png \
  docs/examples/memory-llama-3.1-8b.kvscope.json
# The Paging tab: a ShareGPT-like workload, contiguous reservation against paged blocks.
QT_QPA_PLATFORM=offscreen "$app" --screenshot docs/screenshots/paging.png --view paging
# A lesson on the projector: lesson 3 (MHA, GQA, MQA), its second step.
QT_QPA_PLATFORM=offscreen "$app" --screenshot docs/screenshots/lesson.png --lesson 3 \
  --lesson-step 2
