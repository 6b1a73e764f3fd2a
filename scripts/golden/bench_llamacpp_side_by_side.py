#!/usr/bin/env python3
"""Decode and prefill speed of llama.cpp and KVScope on the same files, side by side: writes the
bench's 15M-class shape (d_model 512, 4 layers, 8 heads of 64, d_ff 1536, vocab 4096) as F32,
Q8_0 and Q4_K GGUFs of random blocks (the generator of make_quant_model_goldens.py), then, for 1
and 2 threads, alternates llama.cpp (through ../shared/tools/llamacpp-ref) and `kvscope-cli
generate` on each file, REPEATS times each, so both see the same machine load.

Per run and engine: a 64-token prompt, then 1 and then 1 + STEPS greedy tokens; the difference
of the two is STEPS decode steps (process start and model load cancel out). Reported per
engine: decode ms/token from wall time (median and min over runs) and from CPU time (the
process's user + system seconds; robust to a busy machine at 1 thread, not meaningful for 2),
and prefill tokens/s (the 64-token prompt, wall; median).
  python3 scripts/golden/bench_llamacpp_side_by_side.py [OUT_DIR] [KVSCOPE_CLI] [REPEATS] [THREADS]
                                                        [ACTIVATIONS]
THREADS: a comma-separated list (default 1,2). ACTIVATIONS: KVScope's --activations (q8, the
default, as llama.cpp; or float).
"""
import json, os, resource, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import make_quant_model_goldens as mq  # noqa: E402

mq.D, mq.L, mq.H, mq.HKV, mq.FF, mq.V, mq.CTX = 512, 4, 8, 8, 1536, 4096, 512
mq.HD = mq.D // mq.H
STEPS = 128
PROMPT_TEXT = "Once upon a time there was a little cat who liked to read books."[:63]
PROMPT_IDS = [1] + [3 + b for b in PROMPT_TEXT.encode()]  # BOS + byte tokens, as KVScope's


def cpu_seconds(who):
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def llama_run(model, n_new):
    w0, c0 = time.perf_counter(), cpu_seconds(resource.RUSAGE_SELF)
    model.greedy(PROMPT_IDS, n_new)
    return time.perf_counter() - w0, cpu_seconds(resource.RUSAGE_SELF) - c0


def kvscope_run(cli, path, threads, n_new, activations):
    w0, c0 = time.perf_counter(), cpu_seconds(resource.RUSAGE_CHILDREN)
    out = subprocess.run([cli, "generate", "--model", path, "--prompt", PROMPT_TEXT,
                          "--max-new-tokens", str(n_new), "--threads", str(threads), "--json",
                          "--activations", activations],
                         check=True, capture_output=True, text=True).stdout
    wall, cpu = time.perf_counter() - w0, cpu_seconds(resource.RUSAGE_CHILDREN) - c0
    prefill_ms = json.loads(out)["steps"][0]["wall_ms"]
    return wall, cpu, prefill_ms


def summary(name, decode_wall, decode_cpu, prefill):
    ms = lambda xs: [1000 * x / STEPS for x in xs]
    w, c = ms(decode_wall), ms(decode_cpu)
    return (f"  {name:9s} decode wall ms/token median {statistics.median(w):7.3f} min {min(w):7.3f} "
            f"max {max(w):7.3f} | CPU ms/token median {statistics.median(c):7.3f} min {min(c):7.3f}"
            f" | prefill {statistics.median(prefill):7.0f} tok/s")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/kvscope-bench"
    cli = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "build", "app", "kvscope-cli")
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    thread_counts = [int(t) for t in (sys.argv[4] if len(sys.argv) > 4 else "1,2").split(",")]
    activations = sys.argv[5] if len(sys.argv) > 5 else "q8"
    os.makedirs(out, exist_ok=True)
    print(f"load average before: {os.getloadavg()}")
    for type_name in ["F32", "Q8_0", "Q4_K"]:
        path = os.path.join(out, f"15m-{type_name.lower()}.gguf")
        if not os.path.exists(path):
            if type_name == "F32":  # the Q8_0 model's blocks expanded by ggml's dequantize
                mq.write_gguf(path, mq.model_tensors("Q8_0", expand=True))
            else:
                mq.write_gguf(path, mq.model_tensors(type_name, expand=False))
        for threads in thread_counts:
            model = mq.ref.Model(path, n_ctx=mq.CTX, n_threads=threads, kv_f32=True)
            model.greedy([1], 8)  # warm up
            lw, lc, lp, kw, kc, kp = [], [], [], [], [], []
            for _ in range(repeats):
                w1, c1 = llama_run(model, 1)
                wn, cn = llama_run(model, 1 + STEPS)
                lw.append(wn - w1), lc.append(cn - c1), lp.append(len(PROMPT_IDS) / w1)
                w1, c1, pre = kvscope_run(cli, path, threads, 1, activations)
                wn, cn, _ = kvscope_run(cli, path, threads, 1 + STEPS, activations)
                kw.append(wn - w1), kc.append(cn - c1), kp.append(len(PROMPT_IDS) / (pre / 1000))
            del model
            print(f"{path}, {threads} thread(s), {repeats} runs of {STEPS} decode steps:")
            print(summary("llama.cpp", lw, lc, lp))
            print(summary("KVScope", kw, kc, kp) + f" (--activations {activations})")
            sys.stdout.flush()
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
