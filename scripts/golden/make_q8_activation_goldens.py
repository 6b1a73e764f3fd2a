#!/usr/bin/env python3
"""Writes tests/data/ggml/act_input.f32 and act_q8_0.raw, act_q8_1.raw, act_q8_k.raw: rows of
activations and ggml's CPU backend's 8-bit quantization of them, the blocks its integer dot
products multiply (llama.cpp v0.5.0 / b1-0ad4a86). tests/core/test_q8_activations.cpp checks that
KVScope's quantizeRowQ8_0 / Q8_1 / Q8K give the same bytes.

The quantizers are the ones the CPU backend calls on x86-64 (ggml-cpu/arch/x86/quants.c of the
AVX2 build, libggml-cpu-haswell.so): quantize_row_q8_0 and quantize_row_q8_1 (scale 127 / max|x|,
round half to even; not the *_ref functions, which round half away from zero) and
quantize_row_q8_K (= quantize_row_q8_K_ref).

Input: 16 rows of 256 floats (64 blocks of 32, 16 of 256):
  rows 0-7   Gaussian, sigma 1, with a few outliers (what a hidden state looks like)
  row  8     all zeros
  row  9     halfway cases: max 127 so the scale is 1, values k + 0.5 (ties, both signs)
  row 10     the largest magnitude negative; +max and -max both present (Q8_K keeps the first)
  row 11     subnormal and tiny values, one block of a single nonzero
  row 12     huge values (1e30), mixed with ordinary ones
  row 13     halfway cases at other scales (max 63.5 and 254)
  rows 14-15 Gaussian, sigma 1e-3 and 1e3
Run: python3 scripts/golden/make_q8_activation_goldens.py   (needs setup.sh of llamacpp-ref once)
"""
import ctypes as C
import os, random, struct, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "..", "shared", "tools", "llamacpp-ref"))
import ggml_quant as gq  # noqa: E402

OUT = os.path.join(ROOT, "tests", "data", "ggml")
N = 256
cpu = C.CDLL(os.path.join(gq.BINS, "libggml-cpu-haswell.so"))
for name in ("quantize_row_q8_0", "quantize_row_q8_1", "quantize_row_q8_K"):
    getattr(cpu, name).argtypes = [C.POINTER(C.c_float), C.c_void_p, C.c_int64]
    getattr(cpu, name).restype = None
BYTES = {"q8_0": 34, "q8_1": 36, "q8_K": 292}
BLOCK = {"q8_0": 32, "q8_1": 32, "q8_K": 256}


def rows():
    rnd = random.Random(17)
    out = []
    for _ in range(8):
        r = [rnd.gauss(0.0, 1.0) for _ in range(N)]
        for _ in range(4):
            r[rnd.randrange(N)] *= 20.0
        out.append(r)
    out.append([0.0] * N)
    r = []
    for b in range(N // 32):
        blk = [(k % 120) + 0.5 if k % 2 else -((k % 120) + 0.5) for k in range(b, b + 31)]
        r += [127.0 if b % 2 else -127.0] + blk
    out.append(r)
    r = [rnd.gauss(0.0, 1.0) for _ in range(N)]
    r[5], r[200] = -9.0, 9.0  # a negative max first, then the same magnitude positive
    r[40] = -8.0
    out.append(r)
    r = [rnd.choice([1e-40, -1e-42, 3e-39, 0.0, 1e-30]) for _ in range(N)]
    r[64:96] = [0.0] * 32
    r[70] = 2.5e-3
    out.append(r)
    r = [rnd.gauss(0.0, 1.0) for _ in range(N)]
    r[3], r[100], r[250] = 1e30, -3e29, 7e29
    out.append(r)
    r = []
    for b in range(N // 32):
        top = 63.5 if b % 2 else 254.0
        step = top / 127.0  # value (k + 0.5) * step sits halfway between two levels
        r += [top] + [((k % 100) + 0.5) * step * (1 if k % 3 else -1) for k in range(31)]
    out.append(r)
    out.append([rnd.gauss(0.0, 1e-3) for _ in range(N)])
    out.append([rnd.gauss(0.0, 1e3) for _ in range(N)])
    # float32-exact values, as the C++ test reads them
    return [[struct.unpack("<f", struct.pack("<f", v))[0] for v in row] for row in out]


def quantize(name, row):
    src = (C.c_float * N)(*row)
    dst = C.create_string_buffer(N // BLOCK[name] * BYTES[name])
    getattr(cpu, "quantize_row_" + name)(src, dst, N)
    return dst.raw


def main():
    data = rows()
    with open(os.path.join(OUT, "act_input.f32"), "wb") as f:
        for row in data:
            f.write(struct.pack("<%df" % N, *row))
    for name in BYTES:
        raw = b"".join(quantize(name, row) for row in data)
        with open(os.path.join(OUT, "act_%s.raw" % name.lower()), "wb") as f:
            f.write(raw)
        print(name, len(raw), "bytes")
    # How far the reference (_ref) quantizer is from the CPU one on these rows: ties differ.
    diff = sum(quantize("q8_0", r) != gq.quantize_ref("Q8_0", r) for r in data)
    print("rows where quantize_row_q8_0 differs from quantize_row_q8_0_ref:", diff)


if __name__ == "__main__":
    main()
