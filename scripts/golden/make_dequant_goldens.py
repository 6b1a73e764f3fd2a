#!/usr/bin/env python3
"""Writes tests/data/ggml/<type>.raw and <type>.f32: blocks of every weight type KVScope decodes
and ggml's own dequantization of them (llama.cpp v0.5.0 / b1-0ad4a86, through
../shared/tools/llamacpp-ref/ggml_quant.py). tests/core/test_dequantize_golden.cpp checks that
KVScope's dequantize() gives the same float bits.

Each type gets two halves:
  random      ggml_quantize_chunk of Gaussian rows with a few large outliers (what a real file holds)
  adversarial random bytes for the quants, with the fp16 scales/mins overwritten by extremes:
              +-65504, the smallest normal and subnormal, the largest subnormal, +-0, and
              ordinary values; F16/BF16 get their special patterns (zeros, subnormals, max,
              infinities) among random finite ones.
Run: python3 scripts/golden/make_dequant_goldens.py   (needs setup.sh of llamacpp-ref once)
"""
import os, random, struct, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "..", "shared", "tools", "llamacpp-ref"))
import ggml_quant as gq  # noqa: E402

OUT = os.path.join(ROOT, "tests", "data", "ggml")

# type: (block size, bytes per block, byte offsets of fp16 scale fields)
TYPES = {
    "Q4_0": (32, 18, [0]), "Q4_1": (32, 20, [0, 2]), "Q5_0": (32, 22, [0]),
    "Q5_1": (32, 24, [0, 2]), "Q8_0": (32, 34, [0]), "IQ4_NL": (32, 18, [0]),
    "Q2_K": (256, 84, [80, 82]), "Q3_K": (256, 110, [108]), "Q4_K": (256, 144, [0, 2]),
    "Q5_K": (256, 176, [0, 2]), "Q6_K": (256, 210, [208]), "IQ4_XS": (256, 136, [0]),
}
EXTREME_HALVES = [0x7BFF, 0xFBFF, 0x0400, 0x0001, 0x03FF, 0x0000, 0x8000, 0x8001, 0x3C00, 0x2E66]


def f16_bits(x):
    return struct.unpack("<H", struct.pack("<e", x))[0]


def gaussian_with_outliers(rnd, n):
    x = [rnd.gauss(0.0, 0.02) for _ in range(n)]
    for _ in range(max(1, n // 64)):
        x[rnd.randrange(n)] = rnd.choice([-1, 1]) * rnd.uniform(0.2, 1.5)
    return x


def quant_blocks(name, rnd):
    block, size, scale_offsets = TYPES[name]
    n_random = 4 if block == 256 else 32
    n_adv = 8 if block == 256 else 32
    x = gaussian_with_outliers(rnd, n_random * block)
    raw = bytearray(gq.quantize(name, x, n_per_row=block * (n_random // 2 if block == 32 else 1)))
    assert len(raw) == n_random * size
    for b in range(n_adv):
        blk = bytearray(rnd.getrandbits(8) for _ in range(size))
        for k, off in enumerate(scale_offsets):
            if b < len(EXTREME_HALVES):
                h = EXTREME_HALVES[(b + 3 * k) % len(EXTREME_HALVES)]
            else:
                h = f16_bits(rnd.gauss(0, 0.05))
            blk[off:off + 2] = struct.pack("<H", h)
        raw += blk
    n = (n_random + n_adv) * block
    return bytes(raw), n


def float_type_values(name, rnd):
    special16 = [0x0000, 0x8000, 0x0001, 0x8001, 0x03FF, 0x0400, 0x7BFF, 0xFBFF, 0x7C00, 0xFC00, 0x3C00, 0x3555]
    special_bf = [0x0000, 0x8000, 0x0001, 0x807F, 0x0080, 0x7F7F, 0xFF7F, 0x7F80, 0xFF80, 0x3F80, 0x3EAB]
    if name == "F16":
        bits = special16 + [f16_bits(rnd.gauss(0, 1)) for _ in range(512 - len(special16))]
    elif name == "BF16":
        bits = special_bf + [struct.unpack("<I", struct.pack("<f", rnd.gauss(0, 1)))[0] >> 16
                             for _ in range(512 - len(special_bf))]
    else:  # F32
        fl = [0.0, -0.0, 1e-45, -1e-45, 3.4028235e38, float("inf"), float("-inf")]
        fl += [rnd.gauss(0, 1) for _ in range(256 - len(fl))]
        return struct.pack("<%df" % len(fl), *fl), len(fl)
    return struct.pack("<%dH" % len(bits), *bits), len(bits)


def main():
    os.makedirs(OUT, exist_ok=True)
    rnd = random.Random(17)
    for name in ["F32", "F16", "BF16"] + list(TYPES):
        if name in TYPES:
            raw, n = quant_blocks(name, rnd)
        else:
            raw, n = float_type_values(name, rnd)
        if name == "F32":  # ggml has no to_float for F32: its values are the bytes themselves
            values = list(struct.unpack("<%df" % n, raw))
        else:
            values = gq.dequantize(name, raw, n)
        with open(os.path.join(OUT, name.lower() + ".raw"), "wb") as f:
            f.write(raw)
        with open(os.path.join(OUT, name.lower() + ".f32"), "wb") as f:
            f.write(struct.pack("<%df" % n, *values))
        print(f"{name:7s} {len(raw):6d} bytes -> {n:5d} values")


if __name__ == "__main__":
    main()
