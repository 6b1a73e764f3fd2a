#!/usr/bin/env python3
"""Writes tests/data/tokenizer/: small tokenizer GGUFs and llama.cpp's token ids for a corpus.

    python3 scripts/golden/tokenizer_golden.py [OUT_DIR]      (default tests/data/tokenizer)

Needs ../shared/tools/llamacpp-ref (run its setup.sh once). KVScope's build and tests never run
this: they read what it wrote.

What it writes, for each vocabulary (byte-level BPE with each pre-tokenizer KVScope runs, and two
SentencePiece vocabularies shaped like Gemma's and Phi-3's):
  <name>.gguf    the vocabulary alone (tokenizer.ggml.* keys and the llama architecture's shape
                 keys, no tensors): the fixture the C++ tests load.
  <name>.golden  one line per corpus text: the text as hex, a tab, llama.cpp's ids for it
                 (llama_tokenize with add_special and parse_special), a tab, the hex of
                 llama.cpp's pieces of those ids concatenated (llama_token_to_piece, special =
                 false): what a generation loop prints; "=" when that is the text itself.
llama.cpp gets the same keys plus tiny random weights (it refuses a file without them); that file
is written to a temporary folder only. The corpus: CORPUS (72 hand-written texts) and 100
seeded random mixtures (random_texts).

The BPE merges are learned here from TRAINING_TEXT (a plain byte-pair count, 420 merges) so that
the vocabulary is small but merges real words, numbers, spaces and CJK/Cyrillic bytes.
"""
import ctypes as C
import os
import random
import re
import struct
import sys
import tempfile
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "..", "shared", "tools", "llamacpp-ref"))
import llamacpp_ref as ref  # noqa: E402

TRAINING_TEXT = """Once upon a time, there was a little girl named Lily. She liked to play in the park
with her friends. They're happy, and we'll see what they've done. I'm sure it's fine, isn't it?
The quick brown fox jumps over the lazy dog. THE QUICK BROWN FOX! Numbers: 0 1 12 123 1234 12345
2024-01-01 3.14159 1,000,000 42 7 99 100 256 512 1024 2048 4096 65536.
def main():
    for i in range(10):
        print("hello world", i)   # comment
    return 0
if (x == y && y != z) { return a->b[i] + c; }
Привет, мир! Как дела? Хорошо. Москва Россия
你好，世界！我们今天去公园玩。中国人民
こんにちは世界。カタカナ ひらがな
مرحبا بالعالم. السلام عليكم
Ünïcödé café naïve résumé Straße façade
🙂🚀👍🏽 emoji ✨ ★ € £ ¥ © ®
"""

CORPUS = [
    b"Hello world",
    b"Hello, world! How are you today?",
    b"Once upon a time, there was a little girl named Lily.",
    b" leading space",
    b"  two leading spaces",
    b"trailing space ",
    b"trailing spaces   ",
    b"tabs\tand\t\ttabs",
    b"new\nline",
    b"double\n\nnewline and \r\n CRLF",
    b"\n\n\n",
    b"   \n   \n\t\t\n",
    b"mixed   runs \t\n \t of   whitespace\n\n  end",
    b"line one\n    indented line\n\tindented with tab",
    b"They're happy, and we'll see what they've done. I'm sure it's fine, isn't it? He'd go.",
    b"THEY'RE HAPPY. WE'LL SEE. IT'S. I'M. HE'D. YOU'VE. ISN'T",
    b"'s 't 're 've 'm 'll 'd 'x '",
    b"0 1 12 123 1234 12345 123456 1234567 12345678 123456789 1234567890",
    b"3.14159 2024-01-01 1,000,000 -42 +7 1e10 0x1F 007",
    b"abc123def 456ghi 7j8k9",
    b"\xd9\xa1\xd9\xa2\xd9\xa3 \xe0\xa5\xa7\xe0\xa5\xa8 \xe2\x85\xab \xc2\xbd \xe2\x91\xa0",
    "Привет, мир! Как дела? Хорошо.".encode(),
    "你好，世界！我们今天去公园玩。".encode(),
    "こんにちは世界。カタカナ ひらがな".encode(),
    "مرحبا بالعالم. السلام عليكم".encode(),
    "Ünïcödé café naïve résumé Straße façade".encode(),
    "🙂🚀👍🏽 emoji ✨ ★ € £ ¥ © ®".encode(),
    "Mixed: English, Русский, 中文, العربية and 🙂 in one line.".encode(),
    "e\u0301 combining a\u0308 marks \u200b zero-width".encode(),
    "nbsp\u00a0here and\u3000ideographic space and\u2003em space".encode(),
    b"def main():\n    for i in range(10):\n        print(\"hello world\", i)   # comment\n    return 0\n",
    b"if (x == y && y != z) { return a->b[i] + c; } // done",
    b"#include <stdio.h>\nint main(void) { printf(\"%d\\n\", 42); }",
    b"<html><body><p class=\"x\">Hi &amp; bye</p></body></html>",
    b"!!!??? ... --- ___ *** ### $$$ %%% ^^^ ~~~ |||",
    b"a$b+c<d=e>f^g~h|i`j",
    b"<|begin_of_text|>Hello<|end_of_text|>",
    b"<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>",
    b"<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi<|im_end|>",
    b"text <|im_start|> spaced <|im_end|> special",
    b"<|im_start|><|im_end|><|endoftext|>",
    b"broken <|im_start| not special <im_start|>",
    b"a <tool_call>{\"x\": 1}</tool_call> b",
    b"<start_of_turn>user\nHi there<end_of_turn>\n<start_of_turn>model\n",
    b"<|user|>\nHello <|end|>\n<|assistant|>  \n Sure",
    b"<s>inside</s> and <unk>",
    b"invalid \xff\xfe bytes",
    b"lone continuation \x80 byte",
    b"truncated \xe4\xbd end \xc3",
    b"lead then ascii \xc3A and \xe2\x82X",
    b"\xf0\x9f\x99 cut emoji",
    b"x",
    b" ",
    b"\t",
    b"a b c d e f g",
    b"The quick brown fox jumps over the lazy dog. THE QUICK BROWN FOX!",
    b"supercalifragilisticexpialidocious antidisestablishmentarianism",
    b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    b"          ",
    b"end with newline\n",
    b"\n starts with newline",
    b"  \n  x",
    b"x  \n  ",
    b"Lily's dog's ball, the kids' toys; O'Brien's \"quote\" 'single'",
    "Ελληνικά γράμματα και 한국어 텍스트 และภาษาไทย हिन्दी भाषा".encode(),
    "next\u0085line, line\u2028separator, para\u2029graph, \r alone\rand\x0bvt\x0cff".encode(),
    "👨‍👩‍👧‍👦 family 🇺🇸 flag 1️⃣ keycap".encode(),
    "ｆｕｌｌｗｉｄｔｈ　ＡＢＣ　１２３！ and 「quotes」 “curly” ‘single’ — dash … ellipsis".encode(),
    "Once upon a time, in 1999, 42 kids (aged 7-12) wrote 3,141 lines of C++:\n\n"
    "    for (int i = 0; i < n; ++i) { sum += a[i] * 2.5e-3; }\n\n"
    "They'd say: \"it's 10:30pm\" — Привет! 你好 🙂\t\tTabs\n  \n".encode(),
    b"ABC123abc 1a2b3c 12.34.56 $100 50% #1 @user",
    b"<|begin_of_text|><|begin_of_text|> double BOS",
    b"<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
]


def random_texts(n, seed=17):
    """Seeded random mixtures of the pieces pre-tokenizers treat differently: letters of several
    scripts and cases, digits of several scripts, apostrophes and contractions, punctuation and
    symbols, every kind of whitespace run, emoji, special-token texts and invalid bytes."""
    rnd = random.Random(seed)
    atoms = [b"a", b"Z", b"hello", b"The", b"'s", b"'LL", b"'", b"0", b"7", b"12345", b"3.5",
             " ".encode(), b"  ", b"\t", b"\n", b"\r\n", b"\n\n", b"   \n",
             "\u00a0".encode(), "\u0085".encode(), "\u3000".encode(),
             "é".encode(), "ß".encode(), "Привет".encode(), "中文".encode(), "ひら".encode(),
             "مرحبا".encode(), "Ελλάδα".encode(), "한국".encode(), "٣".encode(), "Ⅻ".encode(),
             "🙂".encode(), "👍🏽".encode(), b"!", b"?!", b"...", b"(", b")", b"{", b"}", b"$",
             b"+", b"<", b">", b"=", b"_", b"-", b"/", b"\\", b"`", b"|", b"~", b"^", b"#",
             "—".encode(), "“".encode(), "€".encode(), "！".encode(), b"<|im_start|>",
             b"<|eot_id|>", b"<start_of_turn>", b"<|user|>", b"<s>", b"\xff", b"\x80",
             b"\xe4\xbd", b"\xc3"]
    texts = []
    for _ in range(n):
        texts.append(b"".join(rnd.choice(atoms) for _ in range(rnd.randint(1, 24))))
    return texts


SPECIALS = [  # (text, gguf token type): 3 control, 4 user-defined
    ("<|begin_of_text|>", 3), ("<|end_of_text|>", 3), ("<|start_header_id|>", 3),
    ("<|end_header_id|>", 3), ("<|eot_id|>", 3), ("<|im_start|>", 3), ("<|im_end|>", 3),
    ("<|endoftext|>", 3), ("<tool_call>", 4), ("</tool_call>", 4),
]

BPE_VOCABS = [  # (file name, tokenizer.ggml.pre or None, add_bos_token, add_eos_token)
    ("bpe-llama-bpe", "llama-bpe", True, None),
    ("bpe-qwen2", "qwen2", False, None),
    ("bpe-smollm", "smollm", None, None),
    ("bpe-gpt-2", "gpt-2", True, True),
    ("bpe-deepseek-llm", "deepseek-llm", True, None),
    ("bpe-default", "default", None, None),
]


def bytes_to_unicode():
    bs = list(range(33, 127)) + list(range(161, 173)) + list(range(174, 256))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def learn_merges(text, n_merges):
    b2u = bytes_to_unicode()
    words = Counter(re.findall(r" ?\w+| ?[^\w\s]+|\s+", text))
    seqs = {w: [b2u[b] for b in w.encode()] for w in words}
    merges = []
    for _ in range(n_merges):
        pairs = Counter()
        for w, count in words.items():
            s = seqs[w]
            for a, b in zip(s, s[1:]):
                pairs[(a, b)] += count
        if not pairs:
            break
        (a, b), _ = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))
        merges.append((a, b))
        for w in words:
            s, out, i = seqs[w], [], 0
            while i < len(s):
                if i + 1 < len(s) and s[i] == a and s[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(s[i])
                    i += 1
            seqs[w] = out
    return merges


# --- GGUF writing (v3) -------------------------------------------------------------------------
STR, ARR, U32, I32, F32, BOOL = 8, 9, 4, 5, 6, 7


def gs(x):
    b = x.encode() if isinstance(x, str) else x
    return struct.pack("<Q", len(b)) + b


def kv(key, t, v):
    out = gs(key) + struct.pack("<I", t)
    if t == STR:
        return out + gs(v)
    if t == U32:
        return out + struct.pack("<I", v)
    if t == F32:
        return out + struct.pack("<f", v)
    if t == BOOL:
        return out + struct.pack("<B", 1 if v else 0)
    if t == ARR:
        et, items = v
        out += struct.pack("<IQ", et, len(items))
        if et == STR:
            return out + b"".join(gs(i) for i in items)
        if et == F32:
            return out + b"".join(struct.pack("<f", i) for i in items)
        return out + b"".join(struct.pack("<i", i) for i in items)
    raise ValueError(t)


def write_gguf(path, name, tokenizer_kvs, n_vocab, with_weights):
    arch, E, H, HKV, FF, L = "llama", 16, 2, 1, 32, 1
    hd = E // H
    kvs = [kv("general.architecture", STR, arch), kv("general.name", STR, name),
           kv("general.alignment", U32, 32),
           kv("llama.context_length", U32, 512), kv("llama.embedding_length", U32, E),
           kv("llama.block_count", U32, L), kv("llama.feed_forward_length", U32, FF),
           kv("llama.attention.head_count", U32, H), kv("llama.attention.head_count_kv", U32, HKV),
           kv("llama.rope.freq_base", F32, 10000.0),
           kv("llama.attention.layer_norm_rms_epsilon", F32, 1e-5),
           kv("llama.rope.dimension_count", U32, hd)] + tokenizer_kvs
    tensors = []
    if with_weights:
        tensors = [("token_embd.weight", [E, n_vocab]), ("output_norm.weight", [E])]
        for i in range(L):
            p = f"blk.{i}."
            tensors += [(p + "attn_norm.weight", [E]), (p + "attn_q.weight", [E, E]),
                        (p + "attn_k.weight", [E, HKV * hd]), (p + "attn_v.weight", [E, HKV * hd]),
                        (p + "attn_output.weight", [E, E]), (p + "ffn_norm.weight", [E]),
                        (p + "ffn_gate.weight", [E, FF]), (p + "ffn_up.weight", [E, FF]),
                        (p + "ffn_down.weight", [FF, E])]
    rnd = random.Random(0)
    infos, datas, off = b"", [], 0
    for tname, ne in tensors:
        n = 1
        for d in ne:
            n *= d
        vals = [1.0] * n if "norm" in tname else [rnd.gauss(0, 0.3) for _ in range(n)]
        data = struct.pack(f"<{n}f", *vals)
        data += b"\0" * (-len(data) % 32)
        infos += gs(tname) + struct.pack("<I", len(ne)) + b"".join(struct.pack("<Q", d) for d in ne)
        infos += struct.pack("<IQ", 0, off)
        datas.append(data)
        off += len(data)
    head = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kvs)) + b"".join(kvs) + infos
    if tensors:
        head += b"\0" * (-len(head) % 32)
    with open(path, "wb") as f:
        f.write(head + b"".join(datas))


# --- vocabularies ------------------------------------------------------------------------------
def bpe_vocab(pre, add_bos, add_eos):
    b2u = bytes_to_unicode()
    merges = learn_merges(TRAINING_TEXT, 420)
    tokens = [b2u[b] for b in range(256)]
    seen = set(tokens)
    for a, b in merges:
        if a + b not in seen:
            seen.add(a + b)
            tokens.append(a + b)
    types = [1] * len(tokens)
    for text, t in SPECIALS:
        tokens.append(text)
        types.append(t)
    kvs = [kv("tokenizer.ggml.model", STR, "gpt2")]
    if pre is not None:
        kvs.append(kv("tokenizer.ggml.pre", STR, pre))
    kvs += [kv("tokenizer.ggml.tokens", ARR, (STR, tokens)),
            kv("tokenizer.ggml.token_type", ARR, (I32, types)),
            kv("tokenizer.ggml.merges", ARR, (STR, [a + " " + b for a, b in merges])),
            kv("tokenizer.ggml.bos_token_id", U32, tokens.index("<|begin_of_text|>")),
            kv("tokenizer.ggml.eos_token_id", U32, tokens.index("<|end_of_text|>"))]
    if add_bos is not None:
        kvs.append(kv("tokenizer.ggml.add_bos_token", BOOL, add_bos))
    if add_eos is not None:
        kvs.append(kv("tokenizer.ggml.add_eos_token", BOOL, add_eos))
    return kvs, len(tokens)


def spm_vocab(specials, add_space_prefix):
    """<unk> <s> </s>, the specials, 256 byte tokens, then pieces from the BPE merges ("Ġ" -> "▁")
    and every character of the training text, scored by merge order."""
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

    for ch in sorted(set(TRAINING_TEXT.replace(" ", "\u2581").replace("\n", ""))):
        add(ch, -1000.0)
    add("\u2581", -999.0)
    for rank, (a, b) in enumerate(learn_merges(TRAINING_TEXT, 420)):
        raw = bytes(u2b[c] for c in a + b)
        try:
            piece = raw.decode().replace(" ", "\u2581")
        except UnicodeDecodeError:
            continue
        if "\n" in piece or "\t" in piece:
            continue
        add(piece, -float(rank))
    kvs = [kv("tokenizer.ggml.model", STR, "llama"),
           kv("tokenizer.ggml.tokens", ARR, (STR, tokens)),
           kv("tokenizer.ggml.scores", ARR, (F32, scores)),
           kv("tokenizer.ggml.token_type", ARR, (I32, types)),
           kv("tokenizer.ggml.bos_token_id", U32, 1), kv("tokenizer.ggml.eos_token_id", U32, 2),
           kv("tokenizer.ggml.unknown_token_id", U32, 0)]
    if add_space_prefix is not None:
        kvs.append(kv("tokenizer.ggml.add_space_prefix", BOOL, add_space_prefix))
    return kvs, len(tokens)


SPM_VOCABS = [  # (file name, general.name, specials, add_space_prefix)
    ("spm-gemma", "gemma-like", [("<start_of_turn>", 4), ("<end_of_turn>", 4), ("<pad>", 3)], False),
    ("spm-phi3", "Phi-3 mini like", [("<|user|>", 3), ("<|assistant|>", 3), ("<|end|>", 3),
                                     ("<|system|>", 3), ("<|endoftext|>", 3)], None),
]


# --- llama.cpp ---------------------------------------------------------------------------------
def llama_lib():
    bins = os.path.join(ref.HOME, "node_modules/@node-llama-cpp/linux-x64/bins/linux-x64")
    lib = C.CDLL(os.path.join(bins, "libllama.v0.5.0.so"))
    lib.llama_tokenize.argtypes = [C.c_void_p, C.c_char_p, C.c_int32, C.POINTER(C.c_int32),
                                   C.c_int32, C.c_bool, C.c_bool]
    lib.llama_tokenize.restype = C.c_int32
    lib.llama_token_to_piece.argtypes = [C.c_void_p, C.c_int32, C.c_char_p, C.c_int32, C.c_int32,
                                         C.c_bool]
    lib.llama_token_to_piece.restype = C.c_int32
    return lib


def vocab_of(model):
    return C.cast(C.c_void_p(model.h), C.POINTER(C.c_void_p))[2]  # oracle_t.vocab


def tokenize(lib, vocab, text):
    cap = len(text) * 2 + 16
    out = (C.c_int32 * cap)()
    n = lib.llama_tokenize(vocab, text, len(text), out, cap, True, True)
    if n < 0:
        raise RuntimeError("llama_tokenize failed")
    return list(out[:n])


def pieces(lib, vocab, ids):
    text = b""
    for i in ids:
        buf = C.create_string_buffer(256)
        n = lib.llama_token_to_piece(vocab, i, buf, 256, 0, False)
        if n < 0:
            raise RuntimeError("llama_token_to_piece failed")
        text += buf.raw[:n]
    return text


def write_vocab_golden(out_dir, tmp, lib, name, general_name, kvs, n_vocab):
    """<name>.gguf (the vocabulary alone) and <name>.golden (llama.cpp on the corpus)."""
    write_gguf(os.path.join(out_dir, name + ".gguf"), general_name, kvs, n_vocab, False)
    full = os.path.join(tmp, name + ".gguf")
    write_gguf(full, general_name, kvs, n_vocab, True)
    model = ref.Model(full, n_ctx=64)
    vocab = vocab_of(model)
    lines = []
    for text in CORPUS + random_texts(100):
        ids = tokenize(lib, vocab, text)
        printed = pieces(lib, vocab, ids)
        lines.append("%s\t%s\t%s" % (text.hex(), " ".join(map(str, ids)),
                                     "=" if printed == text else printed.hex()))
    with open(os.path.join(out_dir, name + ".golden"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(name, n_vocab, "tokens,", len(lines), "texts")
    model.close()


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "tests/data/tokenizer")
    os.makedirs(out_dir, exist_ok=True)
    lib = llama_lib()
    jobs = [(name, name, bpe_vocab(pre, bos, eos)) for name, pre, bos, eos in BPE_VOCABS]
    jobs += [(name, gname, spm_vocab(sp, asp)) for name, gname, sp, asp in SPM_VOCABS]
    with tempfile.TemporaryDirectory() as tmp:
        for name, general_name, (kvs, n_vocab) in jobs:
            write_vocab_golden(out_dir, tmp, lib, name, general_name, kvs, n_vocab)


if __name__ == "__main__":
    main()
