#!/usr/bin/env python3
"""Writes a random-weight llama2.c checkpoint (run.c's version-0 .bin) and a tokenizer.bin beside
it, for measuring how a large checkpoint loads (peak RSS with /usr/bin/time -v):
  python3 scripts/make_llama2c_checkpoint.py /tmp/l2c          # dim 512, 8 layers, vocab 8192: 113 MiB
  /usr/bin/time -v build/app/kvscope-cli generate --model /tmp/l2c/model.bin --prompt hi --max-new-tokens 4
The layout is llama2c_model.h's: 7 int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads,
vocab_size, seq_len), then fp32 tensors; weights uniform in +-1/sqrt(dim), norms ones.
"""
import array, os, random, struct, sys

DIM, HIDDEN, LAYERS, HEADS, KV_HEADS, VOCAB, SEQ = 512, 1376, 8, 8, 8, 8192, 512


def floats(rng, n, scale):
    a = array.array("f", (rng.uniform(-scale, scale) for _ in range(min(n, 1 << 16))))
    reps, rest = divmod(n, len(a))
    return a.tobytes() * reps + a[:rest].tobytes()  # a repeated pattern: fast to write


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/llama2c-ckpt"
    os.makedirs(out, exist_ok=True)
    rng = random.Random(5)
    hd = DIM // HEADS
    s = DIM ** -0.5
    ones = lambda n: array.array("f", [1.0] * n).tobytes()
    with open(os.path.join(out, "model.bin"), "wb") as f:
        f.write(struct.pack("<7i", DIM, HIDDEN, LAYERS, HEADS, KV_HEADS, VOCAB, SEQ))
        f.write(floats(rng, VOCAB * DIM, 1.0))
        f.write(ones(LAYERS * DIM))
        for n in (DIM * DIM, KV_HEADS * hd * DIM, KV_HEADS * hd * DIM, DIM * DIM):  # wq wk wv wo
            f.write(floats(rng, LAYERS * n, s))
        f.write(ones(LAYERS * DIM))
        for n in (HIDDEN * DIM, DIM * HIDDEN, HIDDEN * DIM):  # w1 w2 w3
            f.write(floats(rng, LAYERS * n, s))
        f.write(ones(DIM))
        f.write(b"\0" * (2 * SEQ * hd // 2 * 4))  # freq_cis_real, freq_cis_imag
    pieces = ["<unk>", "\n<s>\n", "\n</s>\n"] + ["<0x%02X>" % b for b in range(256)]
    pieces += ["t%d" % i for i in range(VOCAB - len(pieces))]
    with open(os.path.join(out, "tokenizer.bin"), "wb") as f:
        f.write(struct.pack("<i", max(len(p) for p in pieces)))
        for p in pieces:
            f.write(struct.pack("<fi", 0.0, len(p)) + p.encode())
    print(os.path.join(out, "model.bin"), os.path.getsize(os.path.join(out, "model.bin")), "bytes")


if __name__ == "__main__":
    main()
