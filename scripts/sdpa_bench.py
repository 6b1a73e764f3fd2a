#!/usr/bin/env python3
"""PyTorch's scaled_dot_product_attention on the decode shapes of `kvscope-cli bench --kernels`.

One query token per sequence, 32 query heads over 8 KV heads (GQA), head_dim 128, fp16 K/V of
`context` tokens, batch 1..64: the same bytes the fp16 paged kernel reads (PyTorch's K/V are
contiguous, not paged). Times with CUDA events, median of repeated calls after a warm-up.
Prints one JSON object. Used by scripts/gpu-check.sh; needs a CUDA device and torch.
"""
import json
import sys


def main():
    try:
        import torch
        import torch.nn.functional as F
    except ImportError as e:
        print(json.dumps({"error": f"no torch: {e}"}))
        return 0
    if not torch.cuda.is_available():
        print(json.dumps({"error": "torch sees no CUDA device"}))
        return 0
    quick = "--quick" in sys.argv
    batches = [1, 16] if quick else [1, 4, 16, 64]
    contexts = [1024, 4096] if quick else [1024, 2048, 4096, 8192, 16384, 32768]
    n_heads, n_kv, head_dim = 32, 8, 128
    dev = torch.device("cuda")
    gen = torch.Generator(device=dev).manual_seed(7)
    points = []
    for batch in batches:
        for context in contexts:
            q = torch.randn(batch, n_heads, 1, head_dim, device=dev, dtype=torch.float16,
                            generator=gen)
            k = torch.randn(batch, n_kv, context, head_dim, device=dev, dtype=torch.float16,
                            generator=gen)
            v = torch.randn_like(k)

            def run():
                return F.scaled_dot_product_attention(q, k, v, enable_gqa=True)

            for _ in range(3):
                run()
            torch.cuda.synchronize()
            times = []
            reps = 20
            for _ in range(5):
                start = torch.cuda.Event(enable_timing=True)
                stop = torch.cuda.Event(enable_timing=True)
                start.record()
                for _ in range(reps):
                    run()
                stop.record()
                stop.synchronize()
                times.append(start.elapsed_time(stop) / reps)
            times.sort()
            ms = times[len(times) // 2]
            kv_bytes = batch * context * n_kv * head_dim * 2 * 2
            points.append({"batch": batch, "context": context, "ms": ms, "kv_bytes": kv_bytes,
                           "gbps": kv_bytes / (ms / 1e3) / 1e9})
            del q, k, v
    print(json.dumps({"torch": torch.__version__, "device": torch.cuda.get_device_name(0),
                      "sdpa_fp16": points}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
