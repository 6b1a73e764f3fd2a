#!/usr/bin/python3
"""Writes tests/data/arch/llamacpp_cpu_builds.json: how far llama.cpp's own CPU builds land from
the arch goldens on the quantized models (read by tests/core/test_arch_golden.cpp).

    /usr/bin/python3 scripts/golden/llamacpp_cpu_builds.py [ARCH_DIR]

The goldens (make_arch_goldens.py) come from the llama.cpp build the ggml loader picks on the
machine that made them (sapphirerapids here: AVX-512, VNNI, AMX). The prebuilt package ships one
libggml-cpu-<variant>.so per instruction set; ../shared/tools/llamacpp-ref loads only one when
ORACLE_CPU_VARIANT names it. Each variant this CPU can run is fed the golden's ids one token at a
time (F32 K/V, as the golden was made), and its logits are compared with the golden's rows on
the file and on the F32 expansion. With 8-bit activations one rounding decision that goes the
other way (an activation within an ulp of a rounding boundary, and the builds sum in different
orders) moves these random models' logits by 0.1 to 0.4 from that position on: llama.cpp's own
builds do not reproduce the golden at 1e-3 either.

Output: {"variants": [names that ran], "skipped": {name: why},
         "models": {model: {variant: {"max_abs_vs_file", "max_abs_vs_expand",
                                      "first_row_over_1e-3"}}}}
Needs numpy and ../shared/tools/llamacpp-ref (its setup.sh run once). Each variant runs in its
own process (the variant is chosen when the library starts); one that the CPU cannot execute
dies and is listed under "skipped".
"""
import glob
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
REF = os.path.join(REPO, "..", "shared", "tools", "llamacpp-ref")
QUANTIZED = ["llama-plain-q8_0", "qwen2-q8_0", "qwen2-q5_0-mix", "llama3-q8_0", "llama3-q4_k_m",
             "qwen3-q8_0", "qwen3-q4_k", "gemma2-q8_0", "gemma2-q4_k", "gemma3-q8_0",
             "gemma3-q4_k", "phi3-q8_0", "phi3-q4_k"]
N_CTX = 256


def rows_of(arch_dir, name, n_rows, n_vocab, suffix):
    return np.fromfile(os.path.join(arch_dir, name + suffix), dtype="<f4").reshape(n_rows, n_vocab)


def worker(arch_dir):
    """One variant (ORACLE_CPU_VARIANT, set by the parent): prints one JSON object."""
    sys.path.insert(0, REF)
    import llamacpp_ref as ref
    out = {}
    for name in QUANTIZED:
        meta = json.load(open(os.path.join(arch_dir, name + ".json")))
        ids = meta["prompt"] + meta["tokens"][:-1]
        model = ref.Model(os.path.join(arch_dir, name + ".gguf"), n_ctx=N_CTX, n_threads=1,
                          kv_f32=True)
        rows = np.asarray([model.eval_all([t], pos0=i, reset=(i == 0))[0]
                           for i, t in enumerate(ids)], dtype=np.float32)
        model.close()
        gold = rows_of(arch_dir, name, len(ids), meta["n_vocab"], ".logits.f32")
        expand = rows_of(arch_dir, name, len(ids), meta["n_vocab"], ".expand.f32")
        per_row = np.abs(rows - gold).max(axis=1)
        over = np.nonzero(per_row > 1e-3)[0]
        out[name] = {"max_abs_vs_file": float(per_row.max()),
                     "max_abs_vs_expand": float(np.abs(rows - expand).max()),
                     "first_row_over_1e-3": int(over[0]) if len(over) else -1}
    print(json.dumps(out))


def variants():
    home = os.environ.get("KVSCOPE_LLAMACPP_REF_HOME",
                          os.path.expanduser("~/.cache/kvscope-llamacpp-ref"))
    libs = glob.glob(os.path.join(home, "node_modules", "@node-llama-cpp", "linux-x64", "bins",
                                  "*", "libggml-cpu-*.so"))
    return sorted(os.path.basename(p)[len("libggml-cpu-"):-len(".so")] for p in libs)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        return worker(sys.argv[2])
    arch_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "tests", "data", "arch")
    result = {"variants": [], "skipped": {}, "models": {name: {} for name in QUANTIZED}}
    for variant in variants():
        env = dict(os.environ, ORACLE_CPU_VARIANT=variant)
        run = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", arch_dir],
                             env=env, capture_output=True, text=True)
        if run.returncode != 0:
            result["skipped"][variant] = "exit status %d" % run.returncode
            continue
        result["variants"].append(variant)
        for name, numbers in json.loads(run.stdout.strip().splitlines()[-1]).items():
            result["models"][name][variant] = numbers
        print(variant, "done", flush=True)
    with open(os.path.join(arch_dir, "llamacpp_cpu_builds.json"), "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
