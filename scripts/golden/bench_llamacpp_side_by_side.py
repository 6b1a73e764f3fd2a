#!/usr/bin/env python3
"""llama.cpp's decode speed on the bench's 15M-class shape, for comparison with
`kvscope-cli bench --models FILE`: writes the shape (d_model 512, 4 layers, 8 heads of 64, d_ff
1536, vocab 4096) as Q8_0 and Q4_K GGUFs of random blocks (the generator of
make_quant_model_goldens.py), then times llama.cpp's greedy one-token-at-a-time decode with 1 and
2 threads (median ms/token over repeats). Prints the file paths so KVScope can run the same files:
  python3 scripts/golden/bench_llamacpp_side_by_side.py /tmp/kvscope-bench
  build/app/kvscope-cli bench --quick --models /tmp/kvscope-bench/15m-q4_k.gguf --threads 2
"""
import os, statistics, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_quant_model_goldens as mq  # noqa: E402

mq.D, mq.L, mq.H, mq.HKV, mq.FF, mq.V, mq.CTX = 512, 4, 8, 8, 1536, 4096, 512
mq.HD = mq.D // mq.H


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/kvscope-bench"
    os.makedirs(out, exist_ok=True)
    for type_name in mq.TYPES:
        path = os.path.join(out, f"15m-{type_name.lower()}.gguf")
        mq.write_gguf(path, mq.model_tensors(type_name, expand=False))
        for threads in (1, 2):
            m = mq.ref.Model(path, n_ctx=mq.CTX, n_threads=threads, kv_f32=True)
            m.greedy([1], 8)  # warm up
            runs = []
            for _ in range(5):
                t0 = time.perf_counter()
                m.greedy([1] + list(range(3, 66)), 64)  # prefill 64, then 64 decode steps
                runs.append(time.perf_counter() - t0)
            del m
            print(f"{path}: llama.cpp {threads} thread(s): {1000 * statistics.median(runs) / 64:.3f} "
                  f"ms/token (median of 5 runs of prefill 64 + 64 greedy steps, incl. prefill)")


if __name__ == "__main__":
    main()
