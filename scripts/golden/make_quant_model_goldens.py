#!/usr/bin/env python3
"""Golden logits of llama.cpp on small quantized llama models, for
tests/core/test_quantized_matvec.cpp.

The models are not committed: their bytes come from a splitmix64 stream that the C++ test
reproduces (tests/core/quant_test_model.h). For each weight type (Q8_0, Q4_K):
  model   llama, d_model 256, 2 layers, 4 heads of 64 (2 KV heads), d_ff 512, vocab 259 (the byte
          vocabulary of the tests), untied output; every matrix (token_embd, projections, output)
          is random blocks of the type with fixed fp16 scales; the norms are F32 ones.
  <type>_quant.f32   llama.cpp's logits on the quantized file (it rounds activations to 8 bits)
  <type>_expand.f32  llama.cpp's logits on the same model expanded to F32 by ggml's dequantize
both [12 positions][259], for the token sequence TOKENS (one batched decode, F32 K/V cache).
Run: python3 scripts/golden/make_quant_model_goldens.py   (needs setup.sh of llamacpp-ref once)
"""
import os, struct, sys, tempfile, math

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "..", "shared", "tools", "llamacpp-ref"))
import ggml_quant as gq  # noqa: E402
import llamacpp_ref as ref  # noqa: E402

OUT = os.path.join(ROOT, "tests", "data", "ggml")
D, L, H, HKV, FF, V, CTX = 256, 2, 4, 2, 512, 259, 64
HD = D // H
TOKENS = [1, 3 + 72, 3 + 101, 3 + 108, 3 + 108, 3 + 111, 3 + 32, 3 + 119, 3 + 111, 3 + 114, 3 + 108, 3 + 100]
TYPES = {"Q8_0": (8, 32, 34), "Q4_K": (12, 256, 144)}  # id, block, bytes
M64 = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.s = seed & M64

    def next(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & M64
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)

    def bytes(self, n):
        out = bytearray()
        while len(out) < n:
            out += struct.pack("<Q", self.next())
        return bytes(out[:n])


def f16(x):
    return struct.pack("<e", x)


def matrices():
    """(name, rows, cols) of every quantized matrix, in generation order."""
    out = [("token_embd.weight", V, D)]
    for i in range(L):
        p = f"blk.{i}."
        out += [(p + "attn_q.weight", D, D), (p + "attn_k.weight", HKV * HD, D),
                (p + "attn_v.weight", HKV * HD, D), (p + "attn_output.weight", D, D),
                (p + "ffn_gate.weight", FF, D), (p + "ffn_up.weight", FF, D),
                (p + "ffn_down.weight", D, FF)]
    return out + [("output.weight", V, D)]


def random_blocks(type_name, rng, rows, cols):
    """Random bytes with the fp16 scales set so that values have an RMS near 1/sqrt(cols)."""
    _, block, size = TYPES[type_name]
    n_blocks = rows * cols // block
    raw = bytearray(rng.bytes(n_blocks * size))
    if type_name == "Q8_0":
        d = f16(1.0 / (math.sqrt(cols) * 74.0))
        for b in range(n_blocks):
            raw[b * size:b * size + 2] = d
    else:  # Q4_K: value = d * sc * q - dmin * m with sc, m in 0..63 and q in 0..15
        d = 1.0 / (math.sqrt(cols) * 323.0)
        for b in range(n_blocks):
            raw[b * size:b * size + 4] = f16(d) + f16(7.5 * d)
    return bytes(raw)


def kv(key, t, v):
    s = lambda x: struct.pack("<Q", len(x.encode())) + x.encode()
    out = s(key) + struct.pack("<I", t)
    if t == 8: return out + s(v)
    if t == 4: return out + struct.pack("<I", v)
    if t == 6: return out + struct.pack("<f", v)
    if t == 7: return out + struct.pack("<?", v)
    et, items = v
    out += struct.pack("<IQ", et, len(items))
    if et == 8: return out + b"".join(s(i) for i in items)
    if et == 6: return out + b"".join(struct.pack("<f", i) for i in items)
    return out + b"".join(struct.pack("<i", i) for i in items)


def write_gguf(path, tensors):
    """tensors: (name, ggml type id, dims ne[0] first, bytes)."""
    pieces = ["<unk>", "<s>", "</s>"] + ["<0x%02X>" % b for b in range(256)]
    types = [2, 3, 3] + [6] * 256
    pieces += ["tok%d" % i for i in range(V - len(pieces))]  # larger shapes (bench): plain pieces
    types += [1] * (V - len(types))
    kvs = [kv("general.architecture", 8, "llama"), kv("general.name", 8, "quant-test"),
           kv("llama.block_count", 4, L), kv("llama.context_length", 4, CTX),
           kv("llama.embedding_length", 4, D), kv("llama.feed_forward_length", 4, FF),
           kv("llama.attention.head_count", 4, H), kv("llama.attention.head_count_kv", 4, HKV),
           kv("llama.rope.dimension_count", 4, HD), kv("llama.rope.freq_base", 6, 10000.0),
           kv("llama.attention.layer_norm_rms_epsilon", 6, 1e-5),
           kv("tokenizer.ggml.model", 8, "llama"), kv("tokenizer.ggml.tokens", 9, (8, pieces)),
           kv("tokenizer.ggml.scores", 9, (6, [0.0] * len(pieces))),
           kv("tokenizer.ggml.token_type", 9, (5, types)), kv("tokenizer.ggml.bos_token_id", 4, 1),
           kv("tokenizer.ggml.eos_token_id", 4, 2), kv("tokenizer.ggml.unknown_token_id", 4, 0),
           kv("tokenizer.ggml.add_space_prefix", 7, False)]
    infos, datas, off = b"", [], 0
    for name, t, dims, data in tensors:
        data = data + b"\0" * (-len(data) % 32)
        s = struct.pack("<Q", len(name)) + name.encode()
        infos += s + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
        infos += struct.pack("<IQ", t, off)
        datas.append(data)
        off += len(data)
    head = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kvs)) + b"".join(kvs) + infos
    head += b"\0" * (-len(head) % 32)
    with open(path, "wb") as f:
        f.write(head + b"".join(datas))


def model_tensors(type_name, expand):
    tid = TYPES[type_name][0]
    rng = SplitMix64(0x4B56 + tid)
    by_name = {}
    for name, rows, cols in matrices():
        raw = random_blocks(type_name, rng, rows, cols)
        if expand:
            vals = gq.dequantize(type_name, raw, rows * cols)
            by_name[name] = (name, 0, [cols, rows], struct.pack("<%df" % len(vals), *vals))
        else:
            by_name[name] = (name, tid, [cols, rows], raw)
    ones = struct.pack("<%df" % D, *([1.0] * D))
    order = ["token_embd.weight"]
    out = []
    for i in range(L):
        p = f"blk.{i}."
        out += [(p + "attn_norm.weight", 0, [D], ones), (p + "ffn_norm.weight", 0, [D], ones)]
    out += [("output_norm.weight", 0, [D], ones)]
    return [by_name[n] for n in order] + out + [by_name[n] for n, _, _ in matrices()[1:]]


def main():
    os.makedirs(OUT, exist_ok=True)
    tmp = tempfile.mkdtemp()
    for type_name in TYPES:
        rows = {}
        for expand in (False, True):
            path = os.path.join(tmp, f"{type_name}_{expand}.gguf")
            write_gguf(path, model_tensors(type_name, expand))
            m = ref.Model(path, n_ctx=CTX, n_threads=1, kv_f32=True)
            rows[expand] = m.eval_all(TOKENS)
            del m
        for expand, suffix in ((False, "quant"), (True, "expand")):
            flat = [v for r in rows[expand] for v in r]
            assert len(flat) == len(TOKENS) * V
            with open(os.path.join(OUT, f"model_{type_name.lower()}_{suffix}.f32"), "wb") as f:
                f.write(struct.pack("<%df" % len(flat), *flat))
        d = max(abs(a - b) for r1, r2 in zip(rows[False], rows[True]) for a, b in zip(r1, r2))
        top = [max(range(V), key=r.__getitem__) for r in rows[True]]
        print(f"{type_name}: max |llama.cpp quantized - llama.cpp F32 expansion| = {d:.5f}; "
              f"argmax {top}")


if __name__ == "__main__":
    main()
