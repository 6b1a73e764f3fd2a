#!/usr/bin/python3
"""Writes tests/data/arch/: small random-weight GGUFs of every architecture KVScope runs, and
llama.cpp's greedy tokens and logits on them (golden files for tests/core/test_arch_golden.cpp).

    /usr/bin/python3 scripts/golden/make_arch_goldens.py [OUT_DIR] [--only NAME,NAME]
                     [--features | --tokenizer]   (only the feature checks / tokenizer goldens)

Needs numpy (Debian: apt-get install python3-numpy, for /usr/bin/python3) and
../shared/tools/llamacpp-ref (run its setup.sh once). KVScope's build and tests never run this:
they read what it wrote. tests/data/arch/README.md says what each model exercises.

For every model in MODELS it writes
  <name>.gguf          the model: real GGUF keys and tensor names of its architecture
  <name>.json          prompt ids, llama.cpp's 64 greedy ids, its smallest top-1 margin, shapes
  <name>.logits.f32    llama.cpp's logits at every fed position, [n_prompt + 63][n_vocab]
                       little-endian float32 (greedy one token at a time, F32 K/V cache)
and for every model but the F32 ones (llama.cpp rounds activations to F16/BF16/8 bits)
  <name>.expand.f32    llama.cpp's logits, same positions and ids, on the model's F32 expansion
                       (every tensor replaced by ggml's own dequantization of it)
A model with `contexts` (LongRoPE: the factor set depends on n_ctx) is one <name>.gguf with
the three other files per context under <name><suffix>, whose .json also names the gguf and
n_ctx.
Each model is reseeded until its greedy choices are clear: at every one of the 64 steps the top
logit leads the runner-up by MIN_MARGIN, on the file and on its expansion, and both greedy runs
give the same ids. FEATURE_CHECKS then rewrites one key or tensor of a model and
asserts that llama.cpp's output moves: the features are not dead weight.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "..", "shared", "tools", "llamacpp-ref"))
import ggml_quant as gq  # noqa: E402
import llamacpp_ref as ref  # noqa: E402
from tokenizer_golden import (ARR, BOOL, F32, I32, SPECIALS, STR, TRAINING_TEXT, U32,  # noqa: E402
                              bytes_to_unicode, gs, kv, learn_merges, llama_lib, tokenize,
                              vocab_of, write_vocab_golden)

N_PREDICT = 64
MIN_MARGIN = 0.05  # smallest allowed gap between the top two logits of a greedy step
N_CTX = 256
TYPE_IDS = dict(gq.TYPES)
LIB = llama_lib()
MIX_TIED, MIX_UNTIED = 1.5, 1.0  # block output scale relative to the residual (make_weights)
MEMORY = 2.5  # what the planted bigram memory adds, relative to the residual
PLANT = 3.0
TIED_LOGIT = 3.0  # RMS of a tied classifier's logits for an unaligned input
# gemma: smaller logits keep the drift that ggml's fp16 GELU table causes (README) small next to
# the bound's absolute 1e-3
TIED_LOGIT_GEMMA = 1.5
QGAIN, QGAIN_GEMMA2 = 1.5, 3.0  # query weight gain; gemma2's larger so that its softcap bites


# --- vocabularies ------------------------------------------------------------------------------
def bpe_vocab(pre, add_bos):
    """Byte-level BPE: the 256 byte symbols, 80 merges learned from TRAINING_TEXT, the specials."""
    b2u = bytes_to_unicode()
    merges = learn_merges(TRAINING_TEXT, 80)
    tokens = [b2u[b] for b in range(256)]
    for a, b in merges:
        if a + b not in tokens:
            tokens.append(a + b)
    types = [1] * len(tokens)
    for text, t in SPECIALS:
        tokens.append(text)
        types.append(t)
    kvs = [kv("tokenizer.ggml.model", STR, "gpt2"), kv("tokenizer.ggml.pre", STR, pre),
           kv("tokenizer.ggml.tokens", ARR, (STR, tokens)),
           kv("tokenizer.ggml.token_type", ARR, (I32, types)),
           kv("tokenizer.ggml.merges", ARR, (STR, [a + " " + b for a, b in merges])),
           kv("tokenizer.ggml.add_bos_token", BOOL, add_bos)]
    if pre == "qwen2":  # Qwen: no BOS is added; <|endoftext|> is BOS, EOS and padding
        kvs += [kv("tokenizer.ggml.bos_token_id", U32, tokens.index("<|endoftext|>")),
                kv("tokenizer.ggml.eos_token_id", U32, tokens.index("<|im_end|>"))]
    else:
        kvs += [kv("tokenizer.ggml.bos_token_id", U32, tokens.index("<|begin_of_text|>")),
                kv("tokenizer.ggml.eos_token_id", U32, tokens.index("<|eot_id|>"))]
    return kvs, len(tokens)


def spm_vocab(flavour):
    """SentencePiece (tokenizer.ggml.model = llama): <unk> <s> </s>, the flavour's specials, the
    256 byte pieces, the ASCII characters of TRAINING_TEXT and the ASCII pieces of 80 merges,
    scored by rank. Other characters reach the model as byte pieces."""
    if flavour == "gemma":
        specials = [("<pad>", 3), ("<start_of_turn>", 4), ("<end_of_turn>", 4)]
    else:
        specials = [("<|endoftext|>", 3), ("<|assistant|>", 3), ("<|end|>", 3), ("<|user|>", 3),
                    ("<|system|>", 3)]
    b2u = bytes_to_unicode()
    u2b = {v: k for k, v in b2u.items()}
    tokens, types, scores = ["<unk>", "<s>", "</s>"], [2, 3, 3], [0.0, 0.0, 0.0]
    for text, t in specials:
        tokens.append(text)
        types.append(t)
        scores.append(0.0)
    for b in range(256):
        tokens.append("<0x%02X>" % b)
        types.append(6)
        scores.append(0.0)
    seen = set(tokens)

    def add(piece, score):
        if piece and piece not in seen:
            seen.add(piece)
            tokens.append(piece)
            types.append(1)
            scores.append(score)

    add("\u2581", -1.0)
    for rank, (a, b) in enumerate(learn_merges(TRAINING_TEXT, 80)):
        raw = bytes(u2b[c] for c in a + b)
        try:
            piece = raw.decode().replace(" ", "\u2581")
        except UnicodeDecodeError:
            continue
        # only pieces whose characters are pieces too (as SentencePiece's trainer keeps them)
        if all(c.isascii() and c not in "\n\t" or c == "\u2581" for c in piece):
            add(piece, -2.0 - rank)
    for ch in sorted(set(TRAINING_TEXT.replace(" ", "\u2581").replace("\n", ""))):
        if ch.isascii():
            add(ch, -1000.0)
    kvs = [kv("tokenizer.ggml.model", STR, "llama"),
           kv("tokenizer.ggml.tokens", ARR, (STR, tokens)),
           kv("tokenizer.ggml.scores", ARR, (F32, scores)),
           kv("tokenizer.ggml.token_type", ARR, (I32, types)),
           kv("tokenizer.ggml.bos_token_id", U32, 1), kv("tokenizer.ggml.eos_token_id", U32, 2),
           kv("tokenizer.ggml.unknown_token_id", U32, 0),
           kv("tokenizer.ggml.add_bos_token", BOOL, True),
           kv("tokenizer.ggml.add_eos_token", BOOL, False)]
    if flavour == "gemma":
        kvs.append(kv("tokenizer.ggml.add_space_prefix", BOOL, False))
    return kvs, len(tokens)


# --- the models --------------------------------------------------------------------------------
# Shapes: d (d_model), L, H, HKV, hd (head_dim), ff, and per-architecture extras. Quantized
# models with k-quant types need every matrix's row length (its input size) a multiple of 256.
def M(name, seed, arch, types, **shape):
    """seed: the first seed tried (make() goes up from it); the one kept is in <name>.json."""
    return dict(name=name, seed=seed, arch=arch, types=types, **shape)


Q4_K_M_LIKE = {  # like llama-quantize's Q4_K_M: most matrices Q4_K, V and FFN-down rows kept finer
    "token_embd": "Q4_0", "output": "Q6_K", "attn_v": "Q6_K", "ffn_down": ["Q5_K", "Q6_K"],
    "*": "Q4_K"}
Q5_0_FALLBACK = {  # rows of 224 are no k-quant: llama-quantize falls back to 32-blocks (Qwen2.5-0.5B)
    "token_embd": "Q8_0", "attn_v": "Q8_0", "ffn_down": ["Q5_1", "Q8_0"], "attn_q": "Q4_1",
    "*": "Q5_0"}

MODELS = [
    # llama as KVScope ran it before this set (Llama 2 shape: no RoPE factors): checks the harness
    M("llama-plain-f32", 19000, "llama", "F32", d=64, L=2, H=4, HKV=2, hd=16, ff=128, tied=False),
    M("llama-plain-q8_0", 20000, "llama", "Q8_0", d=64, L=2, H=4, HKV=2, hd=16, ff=128, tied=False),
    # qwen2 (Qwen2.5 style): 14 query heads over 2 KV heads, Q/K/V biases, NEOX RoPE, tied output
    M("qwen2-f16", 1001, "qwen2", "F16", d=224, L=2, H=14, HKV=2, hd=16, ff=224, tied=True),
    M("qwen2-q8_0", 2001, "qwen2", "Q8_0", d=224, L=2, H=14, HKV=2, hd=16, ff=224, tied=True),
    M("qwen2-q5_0-mix", 3005, "qwen2", Q5_0_FALLBACK, d=224, L=2, H=14, HKV=2, hd=16, ff=224, tied=True),
    # qwen2 with YaRN (Qwen2.5's rope_scaling type yarn, factor 4): an original context of 32, so
    # that the ramp between extrapolated and interpolated pairs lies inside head_dim 32
    M("qwen2-yarn-f32", 22000, "qwen2", "F32", d=64, L=2, H=2, HKV=1, hd=32, ff=128, tied=True,
      yarn=True),
    # llama (Llama 3 style): MQA, untied output, rope_freqs.weight from the Llama 3 rule
    M("llama3-f32", 4003, "llama", "F32", d=64, L=2, H=4, HKV=1, hd=16, ff=128, tied=False, llama3=True),
    M("llama3-q8_0", 5000, "llama", "Q8_0", d=256, L=2, H=4, HKV=1, hd=64, ff=256, tied=False, llama3=True),
    M("llama3-q4_k_m", 6005, "llama", Q4_K_M_LIKE, d=256, L=2, H=4, HKV=1, hd=64, ff=256, tied=False,
      llama3=True),
    # qwen3: per-head Q/K RMSNorm, head_dim from key_length (H * hd != d_model)
    M("qwen3-bf16", 7001, "qwen3", "BF16", d=128, L=2, H=4, HKV=2, hd=64, ff=256, tied=True),
    M("qwen3-q8_0", 8000, "qwen3", "Q8_0", d=256, L=1, H=4, HKV=2, hd=128, ff=256, tied=True),
    M("qwen3-q4_k", 9000, "qwen3", "Q4_K", d=256, L=1, H=4, HKV=2, hd=128, ff=256, tied=True),
    # gemma2: sqrt(d) embedding scale, GeGLU, post-norms, soft-capping, local layer 0 / global 1
    M("gemma2-f16", 10004, "gemma2", "F16", d=128, L=2, H=2, HKV=1, hd=128, ff=256, tied=True, swa=12),
    M("gemma2-q8_0", 11001, "gemma2", "Q8_0", d=256, L=2, H=2, HKV=1, hd=128, ff=256, tied=True, swa=12),
    M("gemma2-q4_k", 12000, "gemma2", "Q4_K", d=256, L=2, H=2, HKV=1, hd=128, ff=256, tied=True, swa=12),
    # gemma3: Q/K norms, 5 local : 1 global (the default pattern), local RoPE base 10000
    M("gemma3-f16", 13010, "gemma3", "F16", d=64, L=6, H=4, HKV=1, hd=64, ff=256, tied=True, swa=10,
      mix=0.6),  # 11 blocks before the last FFN: each adds less
    # gemma3 with the pattern stated in the file (sliding_window_pattern = 2: local, global)
    M("gemma3-q8_0", 14001, "gemma3", "Q8_0", d=256, L=2, H=4, HKV=1, hd=64, ff=256, tied=True, swa=10,
      pattern=2),
    M("gemma3-q4_k", 15001, "gemma3", "Q4_K", d=256, L=2, H=4, HKV=1, hd=64, ff=256, tied=True, swa=10,
      pattern=2),
    # phi3 (Phi-4-mini style): fused QKV, fused gate|up, partial RoPE (3/4 of head_dim), untied
    M("phi3-f16", 16001, "phi3", "F16", d=128, L=2, H=2, HKV=1, hd=64, ff=256, tied=False, rot=48),
    M("phi3-q8_0", 17000, "phi3", "Q8_0", d=256, L=1, H=4, HKV=2, hd=64, ff=256, tied=False, rot=48),
    M("phi3-q4_k", 18000, "phi3", "Q4_K", d=256, L=1, H=4, HKV=2, hd=64, ff=256, tied=False, rot=48),
    # phi3 with LongRoPE (Phi-3-mini-128k / Phi-3.5-mini style): rope_factors_short/long, an
    # original context of 256 in a trained context of 8192, the converter's attention factor;
    # run by llama.cpp at n_ctx 256 (<= original: short factors) and 512 (long factors)
    M("phi3-longrope-f32", 21043, "phi3", "F32", d=64, L=2, H=2, HKV=1, hd=32, ff=128, tied=False,
      rot=24, longrope=True, contexts=[("-short", 256), ("-long", 512)]),
]

PROMPTS = {  # family -> prompt text (tokenized by llama.cpp with its special tokens parsed)
    "bpe": "<|im_start|>Once upon a time, the",
    "spm": "<start_of_turn>The quick brown fox",
    "phi": "<|user|>The quick brown fox<|end|>",
}


def family(arch):
    return "bpe" if arch in ("qwen2", "llama", "qwen3") else ("spm" if "gemma" in arch else "phi")


def llama3_rope_freqs(hd, base):
    """The Llama 3 rule (convert_hf_to_gguf.py), with original_max_position_embeddings = 64 so
    that it changes rotations inside the test's 80 positions: factor 8, low 1, high 4."""
    factor, low, high, old_ctx = 8.0, 1.0, 4.0, 64
    out = []
    for i in range(0, hd, 2):
        freq = 1.0 / base ** (i / hd)
        wavelen = 2 * np.pi / freq
        if wavelen < old_ctx / high:
            out.append(1.0)
        elif wavelen > old_ctx / low:
            out.append(factor)
        else:
            smooth = (old_ctx / wavelen - low) / (high - low)
            out.append(1.0 / ((1 - smooth) / factor + smooth))
    return np.array(out, dtype=np.float32)


LONGROPE_ORIG, LONGROPE_TRAINED = 256, 8192


def longrope_attn_factor():
    """convert_hf_to_gguf.py's Phi-3 LongRoPE factor: sqrt(1 + ln(s) / ln(original)), s the
    trained context over the original one."""
    scale = LONGROPE_TRAINED / LONGROPE_ORIG
    return float(np.sqrt(1 + np.log(scale) / np.log(LONGROPE_ORIG)))


def longrope_factors(rot):
    """Per-pair divisors shaped like Phi-3-mini-128k's (1 for the fastest pairs, growing for the
    slow ones): short ones near 1, long ones up to 24."""
    t = np.arange(rot // 2, dtype=np.float64) / (rot // 2 - 1)
    return ((1.0 + 0.5 * t).astype(np.float32),              # short [rot/2]
            (1.0 + 23.0 * t ** 2).astype(np.float32))        # long  [rot/2]


def header_kvs(m, n_vocab, overrides):
    a, d = m["arch"], m["d"]
    kvs = {"general.architecture": (STR, a), "general.name": (STR, "kvscope-" + m["name"]),
           "general.alignment": (U32, 32),
           a + ".context_length": (U32, 4096), a + ".embedding_length": (U32, d),
           a + ".block_count": (U32, m["L"]), a + ".feed_forward_length": (U32, m["ff"]),
           a + ".attention.head_count": (U32, m["H"]),
           a + ".attention.head_count_kv": (U32, m["HKV"]),
           a + ".attention.layer_norm_rms_epsilon": (F32, 1e-6)}
    if m["H"] * m["hd"] != d or "gemma" in a:
        kvs[a + ".attention.key_length"] = (U32, m["hd"])
        kvs[a + ".attention.value_length"] = (U32, m["hd"])
    if a == "llama":
        kvs[a + ".rope.freq_base"] = (F32, 500000.0)
        kvs[a + ".rope.dimension_count"] = (U32, m["hd"])
        kvs[a + ".vocab_size"] = (U32, n_vocab)
    elif a in ("qwen2", "qwen3"):
        kvs[a + ".rope.freq_base"] = (F32, 1000000.0)
        if m.get("yarn"):
            kvs[a + ".rope.scaling.type"] = (STR, "yarn")
            kvs[a + ".rope.scaling.factor"] = (F32, 4.0)
            kvs[a + ".rope.scaling.original_context_length"] = (U32, 32)
    elif a == "gemma2":
        kvs[a + ".attention.sliding_window"] = (U32, m["swa"])
        kvs[a + ".attn_logit_softcapping"] = (F32, 10.0)
        kvs[a + ".final_logit_softcapping"] = (F32, 15.0)
        kvs[a + ".rope.freq_base"] = (F32, 10000.0)
    elif a == "gemma3":
        kvs[a + ".attention.sliding_window"] = (U32, m["swa"])
        kvs[a + ".rope.freq_base"] = (F32, 1000000.0)
        kvs[a + ".rope.freq_base_swa"] = (F32, 10000.0)
        if "pattern" in m:
            kvs[a + ".attention.sliding_window_pattern"] = (U32, m["pattern"])
    elif a == "phi3":
        kvs[a + ".rope.dimension_count"] = (U32, m["rot"])
        kvs[a + ".rope.freq_base"] = (F32, 10000.0)
        kvs[a + ".rope.scaling.original_context_length"] = (U32, 4096)
        kvs[a + ".attention.sliding_window"] = (U32, 2047)  # as Phi-3-mini's file states
        if m.get("longrope"):  # as Phi-3-mini-128k's: a window longer than its context
            kvs[a + ".context_length"] = (U32, LONGROPE_TRAINED)
            kvs[a + ".rope.scaling.original_context_length"] = (U32, LONGROPE_ORIG)
            kvs[a + ".rope.scaling.attn_factor"] = (F32, longrope_attn_factor())
            kvs[a + ".attention.sliding_window"] = (U32, 262144)
    kvs.update(overrides)
    return [kv(k, t, v) for k, (t, v) in kvs.items() if t is not None]


def make_weights(m, n_vocab, seed):
    """name -> float32 array in numpy order [rows][cols] = GGUF ne [cols, rows]."""
    rng = np.random.default_rng(seed)
    a, d, L, H, HKV, hd, ff = m["arch"], m["d"], m["L"], m["H"], m["HKV"], m["hd"], m["ff"]
    gemma = "gemma" in a
    g = lambda *shape: rng.standard_normal(shape).astype(np.float32)  # noqa: E731
    norm = lambda n, c=1.0, s=0.2: (c + s * g(n)).astype(np.float32)  # noqa: E731
    w = {}
    # Residual RMS r0 and logit scale ~4: tied outputs take their scale from the embeddings.
    if m["tied"]:
        e = (TIED_LOGIT_GEMMA if gemma else TIED_LOGIT) / np.sqrt(d)
        r0 = e * (np.sqrt(d) if gemma else 1.0)
    else:
        e, r0 = 1.0, 1.0
    w["token_embd.weight"] = e * g(n_vocab, d)                                 # [vocab][d]
    w["output_norm.weight"] = norm(d)
    if not m["tied"]:
        # Planted bigram: the classifier row of succ(t) leans towards the embedding of t.
        out = (4.0 / np.sqrt(d)) * g(n_vocab, d)                               # [vocab][d]
        succ = rng.permutation(n_vocab)
        emb = w["token_embd.weight"]
        out[succ] += PLANT * emb / np.linalg.norm(emb, axis=1, keepdims=True)
        w["output.weight"] = out
    if m.get("llama3"):  # Llama 3: the factors divide each pair's RoPE frequency
        w["rope_freqs.weight"] = llama3_rope_freqs(hd, 500000.0)                  # [hd/2]
    if m.get("longrope"):  # LongRoPE: one set of divisors per context range
        w["rope_factors_short.weight"], w["rope_factors_long.weight"] = longrope_factors(m["rot"])
    qg = QGAIN_GEMMA2 if a == "gemma2" else QGAIN  # query gain: peaked attention
    for i in range(L):
        p = f"blk.{i}."
        w[p + "attn_norm.weight"] = norm(d)
        wq = qg * g(H * hd, d) / np.sqrt(d)                                    # [H*hd][d]
        wk = g(HKV * hd, d) / np.sqrt(d)                                       # [HKV*hd][d]
        wv = g(HKV * hd, d) / np.sqrt(d)                                       # [HKV*hd][d]
        if a == "phi3":
            w[p + "attn_qkv.weight"] = np.concatenate([wq, wk, wv])            # [(H+2HKV)hd][d]
        else:
            w[p + "attn_q.weight"], w[p + "attn_k.weight"], w[p + "attn_v.weight"] = wq, wk, wv
        if a == "qwen2":
            w[p + "attn_q.bias"] = 0.5 * g(H * hd)
            w[p + "attn_k.bias"] = 1.0 * g(HKV * hd)
            w[p + "attn_v.bias"] = 0.3 * g(HKV * hd)
        if a in ("qwen3", "gemma3"):
            w[p + "attn_q_norm.weight"] = norm(hd, 1.5, 0.3)                  # [hd]
            w[p + "attn_k_norm.weight"] = norm(hd, 1.5, 0.3)                  # [hd]
        # What each block adds, relative to the residual (the embedding's RMS r0).
        mix = m.get("mix", MIX_TIED if m["tied"] else MIX_UNTIED)
        out_gain = 1.0 if gemma else r0 * mix
        w[p + "attn_output.weight"] = out_gain * g(d, H * hd) / np.sqrt(H * hd)  # [d][H*hd]
        w[p + "ffn_norm.weight"] = norm(d)
        gate = g(ff, d) / np.sqrt(d)                                           # [ff][d]
        up = g(ff, d) / np.sqrt(d)                                             # [ff][d]
        down = 2.0 * out_gain * g(d, ff) / np.sqrt(ff)                         # [d][ff]
        if m["tied"] and i == L - 1:
            gate, up, down = bigram_memory(w["token_embd.weight"], ff, rng, r0,
                                           1.0 / np.sqrt(1.0 + (2 * L - 1) * mix ** 2))
        if a == "phi3":
            w[p + "ffn_up.weight"] = np.concatenate([gate, up])                # [2ff][d] gate|up
        else:
            w[p + "ffn_gate.weight"], w[p + "ffn_up.weight"] = gate, up
        w[p + "ffn_down.weight"] = down
        if gemma:  # post-norms set the scale of what each block adds to the residual
            w[p + "post_attention_norm.weight"] = norm(d, mix * r0, 0.2 * mix * r0)
            w[p + "post_ffw_norm.weight"] = norm(d, mix * r0, 0.2 * mix * r0)
            if m["tied"] and i == L - 1:
                w[p + "post_ffw_norm.weight"] = norm(d, np.hypot(MEMORY, 1) * r0, 0.2 * r0)
    return w


def bigram_memory(emb, ff, rng, r0, cos):
    """A planted bigram for a tied classifier (else the residual makes every step repeat its
    input token): a key-value FFN whose hidden unit j fires on the embedding of token key_j and
    writes the embedding of succ(key_j), a random key, minus that of key_j. The tokens that are
    no key get short embeddings, so that they neither win a step nor stay once fed. Changes emb
    in place; returns gate [ff][d], up [ff][d], down [d][ff]."""
    n_vocab, d = emb.shape
    keys = rng.choice(n_vocab, size=min(ff, n_vocab), replace=False)
    others = np.setdiff1d(np.arange(n_vocab), keys)
    emb[others] *= 0.25
    unit = emb / np.linalg.norm(emb, axis=1, keepdims=True)                    # [vocab][d]
    gate = np.zeros((ff, d), np.float32)
    up = np.zeros((ff, d), np.float32)
    down = np.zeros((d, ff), np.float32)
    beta = 1.0  # gate.x = beta * |x| * cos: 16 cos for a matching input, about 1 for another
    gate[:len(keys)] = beta * unit[keys]
    up[:len(keys)] = beta * unit[keys]
    succ = rng.choice(keys, size=len(keys))
    fired = (beta * np.sqrt(d) * cos) ** 2  # a matching unit's activation, roughly
    write = MEMORY * unit[succ] - unit[keys]                                   # [ff][d]
    down[:, :len(keys)] = (r0 * np.sqrt(d) / fired) * write.T
    return gate, up, down


def tensor_type(m, name):
    t = m["types"]
    if name.endswith(".bias") or "norm" in name or name.startswith("rope_"):
        return "F32"
    if isinstance(t, str):
        return t
    kind = name.split(".")[-2] if name.startswith("blk.") else name.split(".")[0]
    choice = t.get(kind, t["*"])
    if isinstance(choice, list):
        return choice[int(name.split(".")[1]) % len(choice)]
    return choice


def encode(type_name, x):
    """Bytes of a [rows][cols] float32 array stored as type_name (ggml's own quantizers)."""
    if type_name == "F32":
        return x.astype("<f4").tobytes()
    if type_name == "F16":
        return x.astype("<f2").tobytes()
    if type_name == "BF16":
        u = x.astype(np.float32).view(np.uint32).astype(np.uint64)
        return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype("<u2").tobytes()  # round to even
    return gq.quantize(type_name, x.reshape(-1).tolist(), n_per_row=x.shape[-1])


def decode(type_name, raw, n):
    if type_name == "F32":
        return np.frombuffer(raw, "<f4").copy()
    if type_name == "F16":
        return np.frombuffer(raw, "<f2").astype(np.float32)
    if type_name == "BF16":
        return (np.frombuffer(raw, "<u2").astype(np.uint32) << 16).view(np.float32)
    return np.array(gq.dequantize(type_name, raw, n), dtype=np.float32)


def write_gguf(path, kvs, tensors):
    """tensors: (name, type name, numpy shape, bytes); GGUF dims are the numpy shape reversed."""
    infos, datas, off = b"", [], 0
    for name, tname, shape, data in tensors:
        data = data + b"\0" * (-len(data) % 32)
        infos += gs(name) + struct.pack("<I", len(shape))
        infos += b"".join(struct.pack("<Q", s) for s in reversed(shape))
        infos += struct.pack("<IQ", TYPE_IDS[tname], off)
        datas.append(data)
        off += len(data)
    head = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kvs)) + b"".join(kvs) + infos
    head += b"\0" * (-len(head) % 32)
    with open(path, "wb") as f:
        f.write(head + b"".join(datas))


def build(m, seed, path, expand_path=None, overrides=None, edit=None):
    """Writes the model (and its F32 expansion); returns n_vocab."""
    tok_kvs, n_vocab = (bpe_vocab("qwen2" if m["arch"] != "llama" else "llama-bpe",
                                  m["arch"] == "llama") if family(m["arch"]) == "bpe"
                        else spm_vocab("gemma" if "gemma" in m["arch"] else "phi3"))
    kvs = header_kvs(m, n_vocab, overrides or {}) + tok_kvs
    weights = make_weights(m, n_vocab, seed)
    if edit:
        edit(weights)
    file_type = {"F32": 0, "F16": 1, "BF16": 32, "Q8_0": 7, "Q4_K": 14}.get(
        m["types"] if isinstance(m["types"], str) else None,
        15 if m["types"] is Q4_K_M_LIKE else 8)
    kvs.append(kv("general.file_type", U32, file_type))
    tensors, expanded = [], []
    for name, x in weights.items():
        t = tensor_type(m, name)
        raw = encode(t, x)
        tensors.append((name, t, x.shape, raw))
        expanded.append((name, "F32", x.shape, decode(t, raw, x.size).astype("<f4").tobytes()))
    write_gguf(path, kvs, tensors)
    if expand_path:
        write_gguf(expand_path, kvs[:-1] + [kv("general.file_type", U32, 0)], expanded)
    return n_vocab


# --- llama.cpp ---------------------------------------------------------------------------------
def margins(logits):
    """Top-1 minus top-2 logit of every row."""
    s = np.sort(np.asarray(logits, dtype=np.float32), axis=1)
    return s[:, -1] - s[:, -2]


def run_greedy(path, prompt_text, n_ctx=N_CTX):
    model = ref.Model(path, n_ctx=n_ctx, n_threads=1, kv_f32=True)
    # llama_tokenize with add_special and parse_special: the special token is one id
    prompt = tokenize(LIB, vocab_of(model), prompt_text.encode())
    toks, logits = model.greedy(prompt, N_PREDICT, want_logits=True)
    model.close()
    return prompt, toks, np.asarray(logits, dtype=np.float32)


def run_forced(path, seq, n_ctx=N_CTX):
    """Logits of every position of seq, fed one token at a time (as greedy does)."""
    model = ref.Model(path, n_ctx=n_ctx, n_threads=1, kv_f32=True)
    rows = []
    for i, t in enumerate(seq):
        rows.append(model.eval_all([t], pos0=i, reset=(i == 0))[0])
    model.close()
    return np.asarray(rows, dtype=np.float32)


def contexts(m):
    """(golden name suffix, n_ctx) of each llama.cpp run of m: one at N_CTX, or LongRoPE's two,
    one context at the original one (short factors) and one above it (long factors)."""
    return m.get("contexts", [("", N_CTX)])


def attempt(m, seed, tmp):
    """Builds the model with `seed` and runs it at each of its contexts: one result per context."""
    path = os.path.join(tmp, m["name"] + ".gguf")
    # llama.cpp rounds the activations to the weights' type (Q8_0 / Q8_K blocks, and F16 or BF16
    # too): every model but an F32 one also gets its F32 expansion.
    has_expand = m["types"] != "F32"
    expand = os.path.join(tmp, m["name"] + ".expand.gguf") if has_expand else None
    build(m, seed, path, expand)
    return [run_context(m, path, expand, n_ctx) for _, n_ctx in contexts(m)]


def run_context(m, path, expand, n_ctx):
    prompt, toks, logits = run_greedy(path, PROMPTS[family(m["arch"])], n_ctx)
    # Rows fed after the prompt's last token choose tokens 1..63; the prompt's last row token 0.
    choice_rows = logits[len(prompt) - 1:]
    worst = float(margins(choice_rows).min())
    result = dict(path=path, prompt=prompt, tokens=toks, logits=logits, margin=worst,
                  distinct=len(set(toks)), n_ctx=n_ctx)
    float_path, float_logits = path, logits
    if expand:
        etoks = run_greedy(expand, PROMPTS[family(m["arch"])], n_ctx)[1]
        elogits = run_forced(expand, prompt + toks[:-1], n_ctx)
        result.update(expand_path=expand, expand_logits=elogits, expand_tokens=etoks,
                      expand_margin=float(margins(elogits[len(prompt) - 1:]).min()),
                      quant_vs_expand=float(np.abs(logits - elogits).max()))
        float_path, float_logits = expand, elogits
    # llama.cpp against itself: the same ids in one batched decode, float activations. Its GELU
    # reads a table of fp16 (ggml-cpu vec.h), so another summation order can land an input in
    # the next fp16 bucket: the gemma models move by up to 1e-2 this way.
    result["batched_vs_stepwise"] = batched_vs_stepwise(float_path, prompt + toks, float_logits,
                                                        n_ctx)
    if expand:  # on the file too: BF16 weights move llama.cpp's batched logits by up to 0.09
        result["batched_vs_stepwise_file"] = batched_vs_stepwise(path, prompt + toks, logits,
                                                                 n_ctx)
    return result


def batched_vs_stepwise(path, ids, stepwise, n_ctx=N_CTX):
    """max |llama.cpp's logits in one batched decode of ids[:-1] - its stepwise ones|."""
    model = ref.Model(path, n_ctx=n_ctx, n_threads=1, kv_f32=True)
    batched = np.asarray(model.eval_all(ids[:-1]), dtype=np.float32)
    model.close()
    return float(np.abs(batched - stepwise).max())


def longest_run(ids):
    best = run = 1
    for a, b in zip(ids, ids[1:]):
        run = run + 1 if a == b else 1
        best = max(best, run)
    return best


def good(r):
    ok = r["margin"] >= MIN_MARGIN and r["distinct"] >= 12 and longest_run(r["tokens"]) <= 8
    if "expand_logits" in r:
        ok = ok and r["expand_tokens"] == r["tokens"] and r["expand_margin"] >= MIN_MARGIN
    return ok


def save(m, seed, rs, out_dir, n_vocab):
    os.replace(rs[0]["path"], os.path.join(out_dir, m["name"] + ".gguf"))
    for (suffix, n_ctx), r in zip(contexts(m), rs):
        save_context(m, m["name"] + suffix, n_ctx, seed, r, out_dir, n_vocab)


def save_context(m, name, n_ctx, seed, r, out_dir, n_vocab):
    with open(os.path.join(out_dir, name + ".logits.f32"), "wb") as f:
        f.write(r["logits"].astype("<f4").tobytes())
    meta = dict(name=name, architecture=m["arch"],
                weight_types=m["types"] if isinstance(m["types"], str) else "mixed",
                seed=seed, n_vocab=n_vocab, prompt_text=PROMPTS[family(m["arch"])],
                prompt=r["prompt"], tokens=r["tokens"], n_rows=len(r["logits"]),
                min_top1_margin=round(r["margin"], 4), distinct_tokens=r["distinct"])
    if "contexts" in m:  # several goldens of one model file, each run at its own context
        meta["gguf"] = m["name"] + ".gguf"
        meta["n_ctx"] = n_ctx
    if "expand_logits" in r:
        with open(os.path.join(out_dir, name + ".expand.f32"), "wb") as f:
            f.write(r["expand_logits"].astype("<f4").tobytes())
        meta["expand_min_top1_margin"] = round(r["expand_margin"], 4)
        meta["llamacpp_max_abs_file_vs_expand"] = round(r["quant_vs_expand"], 5)
    meta["llamacpp_max_abs_batched_vs_stepwise"] = float("%.3g" % r["batched_vs_stepwise"])
    if "batched_vs_stepwise_file" in r:
        meta["llamacpp_max_abs_batched_vs_stepwise_file"] = float(
            "%.3g" % r["batched_vs_stepwise_file"])
    with open(os.path.join(out_dir, name + ".json"), "w") as f:
        f.write("{\n" + ",\n".join(" %s: %s" % (json.dumps(k), json.dumps(v))
                                    for k, v in meta.items()) + "\n}\n")


def make(m, out_dir, tmp, max_seeds=int(os.environ.get('MAX_SEEDS', '40'))):
    for seed in range(m["seed"], m["seed"] + max_seeds):
        rs = attempt(m, seed, tmp)
        for r in rs:
            print(f"  {m['name']} seed {seed} n_ctx {r['n_ctx']}: margin {r['margin']:.3f} "
                  f"distinct {r['distinct']}"
                  + (f" expand margin {r['expand_margin']:.3f} same ids "
                     f"{r['expand_tokens'] == r['tokens']} |file-expand| "
                     f"{r['quant_vs_expand']:.4f}" if "expand_logits" in r else "")
                  + f" |batched-stepwise| {r['batched_vs_stepwise']:.2g}", flush=True)
        if all(good(r) for r in rs):
            n_vocab = rs[0]["logits"].shape[1]
            save(m, seed, rs, out_dir, n_vocab)
            return seed, rs[0]
    raise SystemExit(f"{m['name']}: no seed of {max_seeds} gives clear greedy choices")


def qk_norms_one(w):
    for k in w:
        if "attn_q_norm" in k or "attn_k_norm" in k:
            w[k][:] = 1.0


def zero_qkv_bias(w):
    for k in w:
        if k.endswith(".bias"):
            w[k][:] = 0.0


# (model, what changes, key overrides, weight edit, must the output move?)
FEATURE_CHECKS = [
    ("gemma2-f16", "sliding_window 12 -> 4096", {"gemma2.attention.sliding_window": (U32, 4096)},
     None, True),
    ("gemma2-f16", "attn_logit_softcapping 10 -> 1e6",
     {"gemma2.attn_logit_softcapping": (F32, 1e6)}, None, True),
    ("gemma2-f16", "final_logit_softcapping 15 -> 1e6",
     {"gemma2.final_logit_softcapping": (F32, 1e6)}, None, True),
    ("gemma2-f16", "query_pre_attn_scalar = 64 added (head_dim 128): llama.cpp ignores the key",
     {"gemma2.attention.query_pre_attn_scalar": (U32, 64)}, None, False),
    ("gemma3-f16", "sliding_window 10 -> 4096", {"gemma3.attention.sliding_window": (U32, 4096)},
     None, True),
    ("gemma3-f16", "rope.freq_base_swa 10000 -> 1e6", {"gemma3.rope.freq_base_swa": (F32, 1e6)},
     None, True),
    ("gemma3-q8_0", "sliding_window_pattern 2 removed (default 6: both layers local)",
     {"gemma3.attention.sliding_window_pattern": (None, None)}, None, True),
    ("llama3-f32", "rope_freqs.weight removed", {}, lambda w: w.pop("rope_freqs.weight"), True),
    ("qwen2-f16", "Q/K/V biases zeroed", {}, zero_qkv_bias, True),
    ("qwen3-bf16", "Q/K norm weights set to 1", {}, qk_norms_one, True),
    ("phi3-f16", "rope.dimension_count 48 -> 64", {"phi3.rope.dimension_count": (U32, 64)}, None,
     True),
    ("phi3-f16", "sliding_window 2047 -> 4: llama.cpp ignores Phi-3's window",
     {"phi3.attention.sliding_window": (U32, 4)}, None, False),
    ("qwen2-yarn-f32", "rope.scaling.type yarn -> linear (factor 4 kept)",
     {"qwen2.rope.scaling.type": (STR, "linear")}, None, True),
    # llama.cpp declares the YaRN beta keys but reads neither from a file (src/llama-model.cpp):
    # KVScope follows the file (tests/core/test_gguf_architecture.cpp checks its ramp by hand)
    ("qwen2-yarn-f32", "rope.scaling.yarn_beta_fast 1 and yarn_beta_slow 0.25 added: llama.cpp "
     "ignores both keys", {"qwen2.rope.scaling.yarn_beta_fast": (F32, 1.0),
                           "qwen2.rope.scaling.yarn_beta_slow": (F32, 0.25)}, None, False),
    # LongRoPE: which factor set llama.cpp uses at each context, and that the attention factor bites
    ("phi3-longrope-f32-short", "n_ctx 256: rope_factors_long set to 1 (unused: short set)", {},
     lambda w: w["rope_factors_long.weight"].fill(1.0), False),
    ("phi3-longrope-f32-short", "n_ctx 256: rope_factors_short set to 1", {},
     lambda w: w["rope_factors_short.weight"].fill(1.0), True),
    ("phi3-longrope-f32-long", "n_ctx 512: rope_factors_short set to 1 (unused: long set)", {},
     lambda w: w["rope_factors_short.weight"].fill(1.0), False),
    ("phi3-longrope-f32-long", "n_ctx 512: rope_factors_long set to 1", {},
     lambda w: w["rope_factors_long.weight"].fill(1.0), True),
    ("phi3-longrope-f32-long", "rope.scaling.attn_factor -> 1",
     {"phi3.rope.scaling.attn_factor": (F32, 1.0)}, None, True),
]


def feature_checks(out_dir, tmp):
    """Each FEATURE_CHECKS edit of a committed model, run by llama.cpp: does the output move?"""
    lines = []
    for name, what, overrides, edit, must_move in FEATURE_CHECKS:
        with open(os.path.join(out_dir, name + ".json")) as f:
            meta = json.load(f)
        model_name = meta["gguf"][:-len(".gguf")] if "gguf" in meta else name
        n_ctx = meta.get("n_ctx", N_CTX)
        m = next(x for x in MODELS if x["name"] == model_name)
        path = os.path.join(tmp, "edited.gguf")
        build(m, meta["seed"], path, overrides=overrides, edit=edit)
        prompt, toks, logits = run_greedy(path, PROMPTS[family(m["arch"])], n_ctx)
        golden = np.fromfile(os.path.join(out_dir, name + ".logits.f32"), "<f4")
        golden = golden.reshape(-1, meta["n_vocab"])
        forced = run_forced(path, meta["prompt"] + meta["tokens"][:-1], n_ctx)
        moved = float(np.abs(forced - golden).max())
        first = next((i for i, (a, b) in enumerate(zip(toks, meta["tokens"])) if a != b), None)
        line = (f"{name}: {what}: max |logit change| {moved:.4g} (same ids fed); greedy ids "
                + ("identical" if first is None else f"differ from step {first}"))
        print(line, flush=True)
        lines.append(line)
        if must_move and moved < 1e-3:
            raise SystemExit(f"{name}: {what} does not change llama.cpp's output")
        if not must_move and moved > 1e-5:
            raise SystemExit(f"{name}: {what} changes llama.cpp's output")
    with open(os.path.join(out_dir, "feature_checks.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


def tokenizer_goldens(out_dir, tmp):
    """The vocabularies of the qwen2/qwen3 and gemma models with llama.cpp's ids for the corpus
    of tokenizer_golden.py, beside that script's (tests/data/tokenizer/, same test reads them)."""
    tok_dir = os.path.join(out_dir, "..", "tokenizer")
    os.makedirs(tok_dir, exist_ok=True)
    write_vocab_golden(tok_dir, tmp, LIB, "bpe-arch-qwen2", "vocabulary of tests/data/arch/qwen*",
                       *bpe_vocab("qwen2", False))
    write_vocab_golden(tok_dir, tmp, LIB, "spm-arch-gemma", "vocabulary of tests/data/arch/gemma*",
                       *spm_vocab("gemma"))


def main():
    args = sys.argv[1:]
    features = "--features" in args  # only the feature checks, on the models in OUT_DIR
    tokenizer = "--tokenizer" in args  # only the tokenizer goldens
    args = [x for x in args if x not in ("--features", "--tokenizer")]
    only = None
    if "--only" in args:
        i = args.index("--only")
        only = set(args[i + 1].split(","))
        del args[i:i + 2]
    out_dir = args[0] if args else os.path.join(REPO, "tests", "data", "arch")
    os.makedirs(out_dir, exist_ok=True)
    everything = not (features or tokenizer or only)
    with tempfile.TemporaryDirectory() as tmp:
        for m in MODELS:
            if everything or (only and m["name"] in only):
                seed, r = make(m, out_dir, tmp)
                print(f"{m['name']}: seed {seed}, prompt {len(r['prompt'])} ids, margin "
                      f"{r['margin']:.3f}, ids {r['tokens'][:12]}...", flush=True)
        if everything or tokenizer:
            tokenizer_goldens(out_dir, tmp)
        if everything or features:
            feature_checks(out_dir, tmp)


if __name__ == "__main__":
    main()
