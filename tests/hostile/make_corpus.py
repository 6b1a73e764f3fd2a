#!/usr/bin/env python3
"""Writes the hostile-input corpus of tests/hostile/files/ (committed; the tests need no Python).

Run once from anywhere:  python3 tests/hostile/make_corpus.py
It rewrites files/ from scratch, deterministically. Inputs it reads: tests/data/hf/llama-3.1-8b.json,
resources/lessons/01-why-cache.json and files/base_trace.json (a trace written once by
`kvscope-cli generate --model builtin:demo --prompt ab --max-new-tokens 1 --trace base_trace.json`,
kept in files/ so that this script does not need a built binary). Things that cannot be committed
(FIFOs, /dev/zero, dangling symlinks, long or odd names, files over 100 KB) are made by run_hostile.sh at run time.
"""
import json
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(HERE, "files")


def w(name, data):
    path = os.path.join(OUT, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    with open(path, "wb") as f:
        f.write(data)


def wj(name, obj):
    w(name, json.dumps(obj, ensure_ascii=False) + "\n")


# ---------------------------------------------------------------- generic JSON
def generic_json():
    g = {
        "empty": b"",
        "space": b"   \n\t ",
        "nul": b"\x00",
        "nuls": b"\x00" * 64,
        "bom_empty_obj": b"\xef\xbb\xbf{}",
        "bom_utf16": b"\xff\xfe{\x00}\x00",
        "array": b"[]",
        "null": b"null",
        "number": b"42",
        "string": b'"kvscope"',
        "truncated_obj": b'{"kvscope_scenario": 1, "model": "builtin:demo", "prom',
        "truncated_string": b'{"a": "abc',
        "truncated_escape": b'{"a": "\\u12',
        "trailing_garbage": b'{} x',
        "two_objects": b'{}{}',
        "trailing_comma": b'{"a": 1,}',
        "single_quotes": b"{'a': 1}",
        "comment": b'// hi\n{}',
        "unquoted_key": b'{a: 1}',
        "deep_array_10000": b"[" * 10000 + b"]" * 10000,
        "deep_object_10000": b'{"a":' * 10000 + b"1" + b"}" * 10000,
        "deep_unclosed_30000": b"[" * 30000,
        "invalid_utf8": b'{"a": "\xff\xfe\xc3"}',
        "overlong_utf8": b'{"a": "\xc0\xaf"}',
        "lone_surrogate": b'{"a": "\\ud800"}',
        "raw_control_char": b'{"a": "x\x01y"}',
        "raw_newline_in_string": b'{"a": "x\ny"}',
        "nan": b'{"a": NaN}',
        "infinity": b'{"a": Infinity}',
        "big_exponent": b'{"a": 1e400}',
        "leading_zero": b'{"a": 0123}',
        "plus_number": b'{"a": +1}',
        "hex_number": b'{"a": 0x10}',
        "bare_minus": b'{"a": -}',
        "huge_int": b'{"a": 123456789012345678901234567890}',
        "long_key_64k": b'{"' + b"k" * (1 << 16) + b'": 1}',
        "nul_in_key": b'{"a\\u0000b": 1}',
        "crlf": b'{\r\n"a"\r\n:\r\n1\r\n}\r\n',
    }
    for k, v in g.items():
        w("json/%s.json" % k, v)


# ---------------------------------------------------------------- scenarios
SCN = {"kvscope_scenario": 1, "model": "builtin:demo", "prompt": "ab", "steps": 1}


def scenarios():
    wj("scn/valid.kvscope.json", SCN)
    w("scn/valid_crlf_bom.kvscope.json", b"\xef\xbb\xbf" + json.dumps(SCN).encode().replace(b",", b",\r\n"))
    muts = {
        "version_2": {"kvscope_scenario": 2},
        "version_0": {"kvscope_scenario": 0},
        "version_neg": {"kvscope_scenario": -1},
        "version_float": {"kvscope_scenario": 1.5},
        "version_str": {"kvscope_scenario": "1"},
        "version_2p63": {"kvscope_scenario": 9223372036854775807},
        "model_empty": {"model": ""},
        "model_int": {"model": 7},
        "model_null": {"model": None},
        "model_missing_file": {"model": "/nonexistent/dir/m.gguf"},
        "model_unknown_builtin": {"model": "builtin:nope"},
        "model_esc": {"model": "builtin:\u001b[31mred"},
        "model_dir": {"model": "/tmp"},
        "prompt_missing": {"prompt": None},
        "prompt_array": {"prompt": ["a"]},
        "prompt_empty": {"prompt": ""},
        "steps_neg": {"steps": -1},
        "steps_huge": {"steps": 9223372036854775807},
        "steps_2p31": {"steps": 2147483648},
        "steps_float": {"steps": 1.0000000000000000001e0},
        "steps_half": {"steps": 0.5},
        "steps_str": {"steps": "3"},
        "steps_bool": {"steps": True},
        "max_new_tokens_0": {"max_new_tokens": 0},
        "max_new_tokens_neg": {"max_new_tokens": -5},
        "temperature_neg": {"sampling": {"temperature": -1}},
        "temperature_str": {"sampling": {"temperature": "hot"}},
        "top_k_neg": {"sampling": {"top_k": -1}},
        "top_p_0": {"sampling": {"top_p": 0}},
        "top_p_2": {"sampling": {"top_p": 2}},
        "seed_int": {"sampling": {"seed": 42}},
        "seed_letters": {"sampling": {"seed": "4x2"}},
        "seed_neg": {"sampling": {"seed": "-1"}},
        "seed_2p64": {"sampling": {"seed": "18446744073709551616"}},
        "sampling_unknown": {"sampling": {"temprature": 0}},
        "sampling_array": {"sampling": [1]},
        "mode_bad": {"cache": {"mode": "sometimes"}},
        "layout_bad": {"cache": {"layout": "scattered"}},
        "block_size_0": {"cache": {"block_size": 0}},
        "block_size_huge": {"cache": {"layout": "paged", "block_size": 9223372036854775807}},
        "codec_bad": {"cache": {"codec": "int3"}},
        "codec_window_huge": {"cache": {"codec": "int4+w99999999999999999999"}},
        "codec_empty": {"cache": {"codec": ""}},
        "max_context_neg": {"cache": {"max_context": -1}},
        "max_context_huge": {"cache": {"max_context": 9223372036854775807}},
        "backend_bad": {"backend": "tpu"},
        "unknown_key": {"modle": "builtin:demo"},
        "view_name_bad": {"view": {"name": "bogus"}},
        "view_key_bad": {"view": {"name": "generate", "colour": "red"}},
        "view_layer_huge": {"view": {"name": "generate", "layer": 99999}},
        "view_head_neg": {"view": {"name": "generate", "head": -1}},
        "view_layer_str": {"view": {"name": "generate", "layer": "1"}},
        "view_memory_preset_bad": {"view": {"name": "memory", "preset": "no-such-model"}},
        "view_paging_policy_bad": {"view": {"name": "paging", "policy": "lru"}},
        "view_quant_codec_bad": {"view": {"name": "quant", "k": "int9"}},
        "view_array": {"view": []},
    }
    for name, m in muts.items():
        s = dict(SCN)
        for k, v in m.items():
            if v is None:
                s.pop(k, None)
            else:
                s[k] = v
        wj("scn/%s.kvscope.json" % name, s)
    # Duplicate keys and textual numbers that json.dumps cannot write.
    w("scn/dup_key.kvscope.json", '{"kvscope_scenario": 1, "model": "builtin:demo", "model": "builtin:demo-mha", "prompt": "ab"}')
    w("scn/steps_1e400.kvscope.json", '{"kvscope_scenario": 1, "model": "builtin:demo", "prompt": "ab", "steps": 1e400}')
    w("scn/steps_minus0.kvscope.json", '{"kvscope_scenario": 1, "model": "builtin:demo", "prompt": "ab", "steps": -0}')
    w("scn/steps_1p0000000000000000001.kvscope.json", '{"kvscope_scenario": 1, "model": "builtin:demo", "prompt": "ab", "steps": 1.0000000000000000001}')
    w("scn/temperature_nan.kvscope.json", '{"kvscope_scenario": 1, "model": "builtin:demo", "prompt": "ab", "sampling": {"temperature": NaN}}')
    w("scn/prompt_nul.kvscope.json", '{"kvscope_scenario": 1, "model": "builtin:demo", "prompt": "a\\u0000b", "steps": 1}')
    w("scn/prompt_invalid_utf8.kvscope.json", b'{"kvscope_scenario": 1, "model": "builtin:demo", "prompt": "a\xffb", "steps": 1}')
    w("scn/prompt_esc.kvscope.json", '{"kvscope_scenario": 1, "model": "builtin:demo", "prompt": "\\u001b[2J\\u001b]0;pwned\\u0007", "steps": 1}')
    w("scn/model_hostile_gguf.kvscope.json", json.dumps(dict(SCN, model="gguf_bad_magic.gguf")))


# ---------------------------------------------------------------- traces
def traces():
    base = json.load(open(os.path.join(OUT, "base_trace.json")))

    def mut(name, fn):
        t = json.loads(json.dumps(base))
        fn(t)
        w("trace/%s.json" % name, json.dumps(t, ensure_ascii=False) + "\n")

    def setp(path, v):
        def f(t):
            o = t
            for p in path[:-1]:
                o = o[p]
            if v is KeyError:
                del o[path[-1]]
            else:
                o[path[-1]] = v
        return f

    mut("valid", lambda t: None)
    mut("version_4", setp(["version"], 4))
    mut("version_0", setp(["version"], 0))
    mut("version_str", setp(["version"], "2"))
    mut("schema_other", setp(["schema"], "other.trace"))
    mut("no_records", setp(["records"], KeyError))
    mut("records_empty", setp(["records"], []))
    mut("records_object", setp(["records"], {}))
    mut("tokens_missing", setp(["tokens"], KeyError))
    mut("n_layers_0", setp(["model", "n_layers"], 0))
    mut("n_layers_huge", setp(["model", "n_layers"], 9223372036854775807))
    mut("n_heads_neg", setp(["model", "n_heads"], -8))
    mut("n_kv_heads_3", setp(["model", "n_kv_heads"], 3))
    mut("vocab_2p31", setp(["model", "vocab"], 2147483648))
    mut("head_dim_float", setp(["model", "head_dim"], 16.5))
    mut("bos_out_of_vocab", setp(["model", "bos"], 99999))
    mut("token_id_neg", setp(["tokens", 0, "id"], -1))
    mut("token_hex_odd", setp(["tokens", 1, "text_hex"], "2"))
    mut("token_hex_bad", setp(["tokens", 1, "text_hex"], "zz"))
    mut("token_label_esc", setp(["tokens", 1, "label"], "\u001b[31m\u0000x"))
    mut("record_token_unknown", setp(["records", 0, "tokens", 1], 250))
    mut("record_phase_bad", setp(["records", 0, "phase"], "decode-ish"))
    mut("record_first_pos_neg", setp(["records", 0, "first_pos"], -1))
    mut("record_prob_2", setp(["records", 0, "next_prob"], 2.0))
    mut("attention_short_row", setp(["records", 0, "layers", 0, "attention", 0, 1], [1.0]))
    mut("attention_missing", setp(["records", 0, "layers", 0, "attention"], KeyError))
    mut("layers_too_few", lambda t: t["records"][0]["layers"].pop())
    mut("wall_ms_neg", setp(["records", 0, "wall_ms"], -1.0))
    mut("seed_not_digits", setp(["scenario", "sampling", "seed"], "abc"))
    mut("scenario_mode_bad", setp(["scenario", "mode"], "sometimes"))
    mut("cache_spec_bad", setp(["scenario", "cache_spec"], "int3"))
    mut("max_context_neg", setp(["scenario", "max_context"], -1))
    w("trace/attention_1e400.json", json.dumps(base).replace('"wall_ms":', '"wall_ms": 1e400, "x":', 1))
    w("trace/truncated_half.json", json.dumps(base)[: len(json.dumps(base)) // 2])


# ---------------------------------------------------------------- lessons
def lessons():
    base = {"kvscope_lesson": 1, "title": "T", "summary": "S",
            "steps": [{"title": "one", "text": "x", "scenario": {"model": "builtin:demo", "prompt": "ab"}, "steps": 0,
                       "view": {"name": "generate", "layer": 0, "head": 0}}]}
    wj("lesson/valid.json", base)

    def mut(name, fn):
        t = json.loads(json.dumps(base))
        fn(t)
        wj("lesson/%s.json" % name, t)

    mut("version_2", lambda t: t.update(kvscope_lesson=2))
    mut("version_str", lambda t: t.update(kvscope_lesson="1"))
    mut("no_steps", lambda t: t.pop("steps"))
    mut("steps_empty", lambda t: t.update(steps=[]))
    mut("steps_object", lambda t: t.update(steps={}))
    mut("title_missing", lambda t: t.pop("title"))
    mut("title_int", lambda t: t.update(title=5))
    mut("unknown_key", lambda t: t.update(author="me"))
    mut("step_text_missing", lambda t: t["steps"][0].pop("text"))
    mut("step_unknown_key", lambda t: t["steps"][0].update(colour="red"))
    mut("step_steps_neg", lambda t: t["steps"][0].update(steps=-1))
    mut("step_steps_huge", lambda t: t["steps"][0].update(steps=9223372036854775807))
    mut("step_scenario_bad_key", lambda t: t["steps"][0]["scenario"].update(modle="x"))
    mut("step_scenario_bad_codec", lambda t: t["steps"][0]["scenario"].update(cache={"codec": "int3"}))
    mut("step_scenario_missing_model", lambda t: t["steps"][0]["scenario"].update(model="/nonexistent.gguf"))
    mut("step_view_bad", lambda t: t["steps"][0].update(view={"name": "bogus"}))
    mut("first_step_no_scenario", lambda t: t["steps"][0].pop("scenario"))
    mut("many_steps_5000", lambda t: t.update(steps=[{"title": "s", "text": "t"}] * 5000))
    mut("title_esc_nul", lambda t: t.update(title="\u001b[2J\u0000T"))


# ---------------------------------------------------------------- HF config.json
def configs():
    base = json.load(open(os.path.join(ROOT, "tests/data/hf/llama-3.1-8b.json")))
    wj("cfg/valid.json", base)

    def mut(name, **kv):
        c = dict(base)
        for k, v in kv.items():
            if v is KeyError:
                c.pop(k, None)
            else:
                c[k] = v
        wj("cfg/%s.json" % name, c)

    mut("layers_0", num_hidden_layers=0)
    mut("layers_neg", num_hidden_layers=-32)
    mut("layers_2p31", num_hidden_layers=2147483648)
    mut("layers_2p63", num_hidden_layers=9223372036854775807)
    mut("layers_float", num_hidden_layers=32.5)
    mut("layers_str", num_hidden_layers="32")
    mut("layers_null", num_hidden_layers=None and 0 or KeyError)
    mut("heads_0", num_attention_heads=0)
    mut("kv_heads_0", num_key_value_heads=0)
    mut("kv_heads_3", num_key_value_heads=3)
    mut("kv_heads_gt_heads", num_key_value_heads=64)
    mut("hidden_0", hidden_size=0)
    mut("hidden_2p63", hidden_size=9223372036854775807)
    mut("hidden_not_div", hidden_size=4095, head_dim=KeyError)
    mut("head_dim_0", head_dim=0)
    mut("head_dim_neg", head_dim=-128)
    mut("head_dim_huge", head_dim=4294967296)
    mut("vocab_neg", vocab_size=-1)
    mut("vocab_2p63", vocab_size=9223372036854775807)
    mut("ctx_0", max_position_embeddings=0)
    mut("ctx_2p63", max_position_embeddings=9223372036854775807)
    mut("dtype_bad", torch_dtype="float7")
    mut("dtype_int", torch_dtype=16)
    mut("layer_types_short", layer_types=["full_attention"] * 3)
    mut("layer_types_unknown", layer_types=["warp_attention"] * 32)
    mut("layer_types_str", layer_types="full_attention")
    mut("sliding_window_0", sliding_window=0, layer_types=["sliding_attention"] * 32)
    mut("sliding_window_neg", sliding_window=-1, layer_types=["sliding_attention"] * 32)
    mut("chunk_0", attention_chunk_size=0)
    mut("kv_heads_list_short", num_key_value_heads=[8, 8])
    mut("head_dim_list", head_dim=[128] * 31)
    mut("no_arch", architectures=KeyError, model_type=KeyError)
    mut("model_type_unknown", model_type="zzz", architectures=["ZzzForCausalLM"])
    mut("arch_esc", architectures=["\u001b[31mEvil\u0000"])
    mut("interm_neg", intermediate_size=-1)
    mut("rope_nan_str", rope_theta="NaN")
    w("cfg/layers_1e400.json", json.dumps(base).replace('"num_hidden_layers": 32', '"num_hidden_layers": 1e400'))
    w("cfg/layers_minus0.json", json.dumps(base).replace('"num_hidden_layers": 32', '"num_hidden_layers": -0'))
    w("cfg/layers_32p0000000000000000001.json", json.dumps(base).replace('"num_hidden_layers": 32', '"num_hidden_layers": 32.0000000000000000001'))
    w("cfg/dup_key.json", json.dumps(base).replace('"num_hidden_layers": 32', '"num_hidden_layers": 32, "num_hidden_layers": 0'))
    w("cfg/text_config_nested_deep.json", '{"text_config":' * 5000 + "{}" + "}" * 5000)
    w("cfg/crlf_bom.json", b"\xef\xbb\xbf" + json.dumps(base, indent=1).replace("\n", "\r\n").encode())
    # Hybrid: Qwen3-Next with a contradiction between layer_types and full_attention_interval.
    q = json.load(open(os.path.join(ROOT, "tests/data/hf/qwen3-next-80b-a3b-instruct.json")))
    q2 = dict(q, full_attention_interval=3, layer_types=(["linear_attention"] * 3 + ["full_attention"]) * (q["num_hidden_layers"] // 4))
    wj("cfg/qwen3next_contradiction.json", q2)
    j = json.load(open(os.path.join(ROOT, "tests/data/hf/jamba-v0.1.json")))
    wj("cfg/jamba_period_0.json", dict(j, attn_layer_period=0))
    wj("cfg/jamba_offset_huge.json", dict(j, attn_layer_offset=9223372036854775807))


# ---------------------------------------------------------------- GGUF
T_U32, T_I32, T_F32, T_BOOL, T_STR, T_ARR, T_U64, T_I64 = 4, 5, 6, 7, 8, 9, 10, 11


def gstr(s):
    if isinstance(s, str):
        s = s.encode("utf-8", "surrogatepass")
    return struct.pack("<Q", len(s)) + s


def gval(t, v):
    if t == T_STR:
        return gstr(v)
    if t == T_ARR:
        et, items = v
        return struct.pack("<IQ", et, len(items)) + b"".join(gval(et, x) for x in items)
    return struct.pack({T_U32: "<I", T_I32: "<i", T_F32: "<f", T_BOOL: "<?", T_U64: "<Q", T_I64: "<q"}[t], v)


def tiny_vocab():
    toks = ["<unk>", "<s>", "</s>"] + ["<0x%02X>" % i for i in range(256)] + ["\u2581a", "\u2581b", "ab"]
    types = [2, 3, 3] + [6] * 256 + [1, 1, 1]
    scores = [0.0] * 259 + [-1.0, -2.0, -3.0]
    return toks, scores, types


D, FF, NH, NKV, HD, L, CTX = 4, 8, 2, 1, 2, 1, 32


def tiny_kvs(arch="llama"):
    toks, scores, types = tiny_vocab()
    return [
        ("general.architecture", T_STR, arch),
        ("general.name", T_STR, "hostile-tiny"),
        ("general.alignment", T_U32, 32),
        ("%s.context_length" % arch, T_U32, CTX),
        ("%s.embedding_length" % arch, T_U32, D),
        ("%s.feed_forward_length" % arch, T_U32, FF),
        ("%s.attention.head_count" % arch, T_U32, NH),
        ("%s.attention.head_count_kv" % arch, T_U32, NKV),
        ("%s.block_count" % arch, T_U32, L),
        ("%s.rope.dimension_count" % arch, T_U32, HD),
        ("%s.attention.layer_norm_rms_epsilon" % arch, T_F32, 1e-5),
        ("tokenizer.ggml.model", T_STR, "llama"),
        ("tokenizer.ggml.tokens", T_ARR, (T_STR, toks)),
        ("tokenizer.ggml.scores", T_ARR, (T_F32, scores)),
        ("tokenizer.ggml.token_type", T_ARR, (T_I32, types)),
        ("tokenizer.ggml.bos_token_id", T_U32, 1),
        ("tokenizer.ggml.eos_token_id", T_U32, 2),
        ("tokenizer.ggml.unknown_token_id", T_U32, 0),
    ]


def tiny_tensors():
    V = len(tiny_vocab()[0])
    t = [("token_embd.weight", [D, V]), ("output_norm.weight", [D])]
    for i in range(L):
        b = "blk.%d." % i
        t += [(b + "attn_norm.weight", [D]), (b + "attn_q.weight", [D, D]), (b + "attn_k.weight", [D, NKV * HD]),
              (b + "attn_v.weight", [D, NKV * HD]), (b + "attn_output.weight", [D, D]), (b + "ffn_norm.weight", [D]),
              (b + "ffn_gate.weight", [D, FF]), (b + "ffn_up.weight", [D, FF]), (b + "ffn_down.weight", [FF, D])]
    return [(n, dims, 0) for n, dims in t]


def gguf(kvs=None, tensors=None, version=3, magic=b"GGUF", align=32, n_tensors=None, n_kv=None,
         offsets=None, data=True):
    kvs = tiny_kvs() if kvs is None else kvs
    tensors = tiny_tensors() if tensors is None else tensors
    out = magic + struct.pack("<I", version)
    out += struct.pack("<QQ", len(tensors) if n_tensors is None else n_tensors, len(kvs) if n_kv is None else n_kv)
    for k, t, v in kvs:
        out += gstr(k) + struct.pack("<I", t) + gval(t, v)
    off = 0
    blobs = []
    for i, (name, dims, ty) in enumerate(tensors):
        n = 1
        for d in dims:
            n *= d
        nbytes = n * 4 if ty == 0 and data and n < (1 << 20) else 0
        o = off if offsets is None or offsets[i] is None else offsets[i]
        out += gstr(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
        out += struct.pack("<IQ", ty, o)
        blob = b"".join(struct.pack("<f", ((j * 37 + i * 11) % 17 - 8) / 40.0) for j in range(n)) if nbytes else b""
        if name.endswith("norm.weight"):
            blob = struct.pack("<f", 1.0) * n
        blobs.append(blob)
        off += (len(blob) + 31) // 32 * 32
    if data:
        pad = (-len(out)) % align if align else 0
        out += b"\x00" * pad
        for b in blobs:
            out += b + b"\x00" * ((-len(b)) % 32)
    return out


def header_boundaries(kvs, tensors):
    """Byte offsets of every structural boundary of the tiny GGUF's header."""
    b = [0, 2, 4, 6, 8, 12, 16, 20, 24]
    p = 24
    for k, t, v in kvs:
        ks = gstr(k)
        b += [p + 4, p + 8, p + 8 + len(k) // 2, p + len(ks), p + len(ks) + 2]
        p += len(ks) + 4
        b.append(p)
        p += len(gval(t, v))
        b.append(p - 1)
        b.append(p)
    for name, dims, ty in tensors[:3]:
        p += len(gstr(name))
        b.append(p)
        p += 4 + 8 * len(dims)
        b.append(p)
        p += 12
        b.append(p)
    return sorted(set(b))


def ggufs():
    good = gguf()
    w("gguf/tiny.gguf", good)
    kvs = tiny_kvs()
    tens = tiny_tensors()
    # Truncation at structural boundaries (only a selection, to keep the corpus small).
    bounds = header_boundaries(kvs, tens)
    pick = bounds[:12] + bounds[12::6]
    for p in pick:
        w("gguf/trunc_%05d.gguf" % p, good[:p])
    w("gguf/trunc_data_half.gguf", good[: len(good) - 1000])
    w("gguf/trunc_last_byte.gguf", good[:-1])
    # Header fields.
    w("gguf/bad_magic.gguf", gguf(magic=b"GGML"))
    w("gguf/magic_lower.gguf", gguf(magic=b"gguf"))
    for v in (0, 1, 2, 4, 0xFFFFFFFF):
        w("gguf/version_%d.gguf" % v, gguf(version=v))
    w("gguf/n_tensors_2p63.gguf", gguf(n_tensors=(1 << 63) - 1))
    w("gguf/n_tensors_2p64m1.gguf", gguf(n_tensors=(1 << 64) - 1))
    w("gguf/n_tensors_2p31.gguf", gguf(n_tensors=1 << 31))
    w("gguf/n_kv_2p63.gguf", gguf(n_kv=(1 << 63) - 1))
    w("gguf/n_kv_2p31.gguf", gguf(n_kv=1 << 31))
    w("gguf/n_kv_plus1.gguf", gguf(n_kv=len(kvs) + 1))
    w("gguf/n_tensors_0.gguf", gguf(tensors=[]))
    w("gguf/n_kv_0.gguf", gguf(kvs=[]))

    def rawkv(key, t, raw):
        return gguf(kvs=[kv for kv in kvs if kv[0] != key]).replace(b"", b"", 0), gstr(key) + struct.pack("<I", t) + raw

    def with_raw(key, t, raw, drop=True):
        ks = [kv for kv in kvs if not (drop and kv[0] == key)]
        body = gguf(kvs=ks)
        # Insert the raw key/value right after the counts (and bump the count).
        head = body[:16] + struct.pack("<Q", len(ks) + 1)
        return head + gstr(key) + struct.pack("<I", t) + raw + body[24:]

    w("gguf/key_len_2p63.gguf", with_raw("x", T_U32, b"", drop=False)[:24] + struct.pack("<Q", (1 << 63) - 1) + b"abc")
    w("gguf/key_len_2p64m1.gguf", gguf()[:24] + struct.pack("<Q", (1 << 64) - 1) + b"abc" * 10)
    w("gguf/key_empty.gguf", with_raw("", T_U32, struct.pack("<I", 1), drop=False))
    w("gguf/key_esc_nul.gguf", with_raw("\x1b[31mevil\x00key\n", T_U32, struct.pack("<I", 1), drop=False))
    w("gguf/key_invalid_utf8.gguf", with_raw(b"\xff\xfe".decode("latin-1"), T_U32, struct.pack("<I", 1), drop=False))
    w("gguf/value_type_99.gguf", with_raw("general.x", 99, struct.pack("<I", 1), drop=False))
    w("gguf/value_type_neg.gguf", with_raw("general.x", 0xFFFFFFFF, struct.pack("<I", 1), drop=False))
    w("gguf/str_len_2p63.gguf", with_raw("general.name", T_STR, struct.pack("<Q", (1 << 63) - 1) + b"x"))
    w("gguf/str_len_1gb.gguf", with_raw("general.name", T_STR, struct.pack("<Q", 1 << 30) + b"x"))
    w("gguf/arr_count_2p63.gguf", with_raw("general.tags", T_ARR, struct.pack("<IQ", T_U32, (1 << 63) - 1)))
    w("gguf/arr_count_2p40_u8.gguf", with_raw("general.tags", T_ARR, struct.pack("<IQ", 0, 1 << 40)))
    w("gguf/arr_of_str_2p31.gguf", with_raw("general.tags", T_ARR, struct.pack("<IQ", T_STR, 1 << 31) + gstr("a") * 4))
    w("gguf/arr_type_99.gguf", with_raw("general.tags", T_ARR, struct.pack("<IQ", 99, 1) + b"\0" * 8))
    w("gguf/arr_nested_deep.gguf", with_raw("general.tags", T_ARR, struct.pack("<IQ", T_ARR, 1) * 1000 + struct.pack("<IQ", T_U32, 0)))
    w("gguf/dup_key.gguf", gguf(kvs=kvs + [("general.architecture", T_STR, "llama")]))
    w("gguf/arch_missing.gguf", gguf(kvs=[kv for kv in kvs if kv[0] != "general.architecture"]))
    w("gguf/arch_int.gguf", gguf(kvs=[("general.architecture", T_U32, 5) if kv[0] == "general.architecture" else kv for kv in kvs]))
    w("gguf/arch_esc.gguf", gguf(kvs=[("general.architecture", T_STR, "\x1b]0;x\x07ll\x00ama") if kv[0] == "general.architecture" else kv for kv in kvs]))
    w("gguf/arch_gpt2.gguf", gguf(kvs=tiny_kvs("gpt2")))

    def setkv(key, t, v):
        return gguf(kvs=[(key, t, v) if kv[0] == key else kv for kv in kvs])

    w("gguf/ctx_0.gguf", setkv("llama.context_length", T_U32, 0))
    w("gguf/ctx_u32max.gguf", setkv("llama.context_length", T_U32, 0xFFFFFFFF))
    w("gguf/ctx_u64_2p63.gguf", setkv("llama.context_length", T_U64, (1 << 63) - 1))
    w("gguf/ctx_i32_neg.gguf", setkv("llama.context_length", T_I32, -1))
    w("gguf/ctx_float.gguf", setkv("llama.context_length", T_F32, 32.5))
    w("gguf/ctx_str.gguf", setkv("llama.context_length", T_STR, "32"))
    w("gguf/embd_0.gguf", setkv("llama.embedding_length", T_U32, 0))
    w("gguf/embd_u32max.gguf", setkv("llama.embedding_length", T_U32, 0xFFFFFFFF))
    w("gguf/heads_0.gguf", setkv("llama.attention.head_count", T_U32, 0))
    w("gguf/heads_3.gguf", setkv("llama.attention.head_count", T_U32, 3))
    w("gguf/kv_heads_0.gguf", setkv("llama.attention.head_count_kv", T_U32, 0))
    w("gguf/kv_heads_gt_heads.gguf", setkv("llama.attention.head_count_kv", T_U32, 4))
    w("gguf/kv_heads_array_short.gguf", setkv("llama.attention.head_count_kv", T_ARR, (T_U32, [1, 1, 1])))
    w("gguf/blocks_0.gguf", setkv("llama.block_count", T_U32, 0))
    w("gguf/blocks_u32max.gguf", setkv("llama.block_count", T_U32, 0xFFFFFFFF))
    w("gguf/blocks_2.gguf", setkv("llama.block_count", T_U32, 2))
    w("gguf/eps_nan.gguf", setkv("llama.attention.layer_norm_rms_epsilon", T_F32, float("nan")))
    w("gguf/eps_inf.gguf", setkv("llama.attention.layer_norm_rms_epsilon", T_F32, float("inf")))
    w("gguf/eps_neg.gguf", setkv("llama.attention.layer_norm_rms_epsilon", T_F32, -1.0))
    w("gguf/align_0.gguf", setkv("general.alignment", T_U32, 0))
    w("gguf/align_3.gguf", setkv("general.alignment", T_U32, 3))
    w("gguf/align_u32max.gguf", setkv("general.alignment", T_U32, 0xFFFFFFFF))
    w("gguf/align_str.gguf", setkv("general.alignment", T_STR, "32"))
    w("gguf/bos_out_of_vocab.gguf", setkv("tokenizer.ggml.bos_token_id", T_U32, 99999))
    w("gguf/eos_u32max.gguf", setkv("tokenizer.ggml.eos_token_id", T_U32, 0xFFFFFFFF))
    w("gguf/tokenizer_bpe.gguf", setkv("tokenizer.ggml.model", T_STR, "gpt2"))
    w("gguf/tokens_missing.gguf", gguf(kvs=[kv for kv in kvs if kv[0] != "tokenizer.ggml.tokens"]))
    w("gguf/tokens_int_array.gguf", setkv("tokenizer.ggml.tokens", T_ARR, (T_U32, [1, 2, 3])))
    w("gguf/scores_short.gguf", setkv("tokenizer.ggml.scores", T_ARR, (T_F32, [0.0, 1.0])))
    w("gguf/scores_nan.gguf", setkv("tokenizer.ggml.scores", T_ARR, (T_F32, [float("nan")] * len(tiny_vocab()[0]))))
    w("gguf/token_type_short.gguf", setkv("tokenizer.ggml.token_type", T_ARR, (T_I32, [1])))
    w("gguf/tokens_esc_invalid_utf8.gguf", setkv("tokenizer.ggml.tokens", T_ARR, (T_STR, tiny_vocab()[0][:-1] + ["\x1b[2J\x00\udcff"])))
    w("gguf/tokens_empty_strings.gguf", setkv("tokenizer.ggml.tokens", T_ARR, (T_STR, [""] * len(tiny_vocab()[0]))))
    # Tensor infos.

    def settens(i, name=None, dims=None, ty=None):
        t = list(tens)
        n0, d0, y0 = t[i]
        t[i] = (n0 if name is None else name, d0 if dims is None else dims, y0 if ty is None else ty)
        return t

    w("gguf/tensor_ndims_0.gguf", gguf(tensors=settens(1, dims=[])))
    w("gguf/tensor_ndims_5.gguf", gguf(tensors=settens(1, dims=[1, 1, 1, 1, D])))
    w("gguf/tensor_dim_0.gguf", gguf(tensors=settens(0, dims=[D, 0])))
    w("gguf/tensor_dims_overflow.gguf", gguf(tensors=settens(0, dims=[1 << 32, 1 << 32]), data=False))
    w("gguf/tensor_dims_2p63.gguf", gguf(tensors=settens(0, dims=[(1 << 63) - 1, 2]), data=False))
    w("gguf/tensor_type_99.gguf", gguf(tensors=settens(1, ty=99)))
    w("gguf/tensor_type_q4_k.gguf", gguf(tensors=settens(1, ty=12)))
    w("gguf/tensor_shape_mismatch.gguf", gguf(tensors=settens(3, dims=[D, D + 1])))
    w("gguf/tensor_dup_name.gguf", gguf(tensors=tens + [tens[1]]))
    w("gguf/tensor_missing_q.gguf", gguf(tensors=[t for t in tens if "attn_q" not in t[0]]))
    w("gguf/tensor_name_esc.gguf", gguf(tensors=settens(1, name="\x1b[31moutput_norm\x00.weight\n")))
    w("gguf/tensor_name_len_2p63.gguf", gguf(tensors=[])[:0] + gguf(n_tensors=1, tensors=[], kvs=kvs) + struct.pack("<Q", (1 << 63) - 1))
    w("gguf/tensor_offset_beyond.gguf", gguf(offsets=[None, 1 << 40] + [None] * (len(tens) - 2)))
    w("gguf/tensor_offset_2p64m1.gguf", gguf(offsets=[None, (1 << 64) - 1] + [None] * (len(tens) - 2)))
    w("gguf/tensor_offset_misaligned.gguf", gguf(offsets=[None, 3] + [None] * (len(tens) - 2)))
    w("gguf/tensor_overlap.gguf", gguf(offsets=[None, 0] + [None] * (len(tens) - 2)))
    w("gguf/header_only.gguf", gguf(data=False))
    w("gguf/zeros_4k.gguf", b"\x00" * 4096)
    w("gguf/random_4k.gguf", bytes((i * 2654435761 >> 7) & 0xFF for i in range(4096)))
    w("gguf/text.gguf", "this is not a gguf file\n")
    w("gguf/magic_only.gguf", b"GGUF")


# ---------------------------------------------------------------- llama2.c
def llama2c():
    toks, scores, _ = tiny_vocab()
    V = len(toks)

    def tokenizer(max_len=16, entries=None):
        out = struct.pack("<i", max_len)
        for i, t in enumerate(toks if entries is None else entries):
            b = t.encode("utf-8", "surrogatepass") if isinstance(t, str) else t
            if t.startswith("<0x") if isinstance(t, str) else False:
                b = bytes([int(t[3:5], 16)])
            out += struct.pack("<fi", -float(i), len(b)) + b
        return out

    def ckpt(dim=D, hidden=FF, layers=L, heads=NH, kv=NKV, vocab=V, seq=CTX, weights=True):
        h = struct.pack("<7i", dim, hidden, layers, heads, kv, vocab, seq)
        if not weights:
            return h
        hd = dim // heads if heads else 0
        n = (vocab * dim + layers * dim + layers * dim * dim + 2 * layers * dim * kv * hd + layers * dim * dim
             + layers * dim + 3 * layers * dim * hidden + dim + seq * hd)
        return h + b"".join(struct.pack("<f", ((j * 13) % 7 - 3) / 30.0) for j in range(max(0, n)))

    def case(name, model, tok=None):
        w("l2c/%s/model.bin" % name, model)
        if tok is not False:
            w("l2c/%s/tokenizer.bin" % name, tokenizer() if tok is None else tok)

    case("valid", ckpt())
    case("no_tokenizer", ckpt(), tok=False)
    case("empty", b"")
    case("header_short", ckpt()[:20])
    case("header_only", ckpt(weights=False))
    case("weights_truncated", ckpt()[:-100])
    case("weights_extra", ckpt() + b"\0" * 64)
    case("dim_0", ckpt(dim=0, weights=False))
    case("dim_neg", ckpt(dim=-8, weights=False))
    case("dim_i32max", ckpt(dim=0x7FFFFFFF, weights=False))
    case("layers_i32max", ckpt(layers=0x7FFFFFFF, weights=False))
    case("heads_0", ckpt(heads=0, weights=False))
    case("heads_not_div", ckpt(heads=3, weights=False))
    case("kv_heads_0", ckpt(kv=0, weights=False))
    case("vocab_neg_shared", ckpt(vocab=-V, weights=False))
    case("vocab_i32min", ckpt(vocab=-0x80000000, weights=False))
    case("seq_0", ckpt(seq=0, weights=False))
    case("seq_i32max", ckpt(seq=0x7FFFFFFF, weights=False))
    case("tok_empty", ckpt(), tok=b"")
    case("tok_truncated", ckpt(), tok=tokenizer()[:100])
    case("tok_len_neg", ckpt(), tok=struct.pack("<i", 16) + struct.pack("<fi", 0.0, -5) + b"abc")
    case("tok_len_huge", ckpt(), tok=struct.pack("<i", 16) + struct.pack("<fi", 0.0, 0x7FFFFFFF) + b"abc")
    case("tok_max_len_neg", ckpt(), tok=tokenizer(max_len=-1))
    case("tok_too_few", ckpt(), tok=tokenizer(entries=toks[:10]))
    case("tok_invalid_utf8_esc", ckpt(), tok=tokenizer(entries=toks[:-1] + [b"\xff\x1b[2J\x00"]))


# ---------------------------------------------------------------- workloads (serve-sim csv:)
def workloads():
    wl = {
        "valid": "100,50\n20,10,3\n",
        "empty": "",
        "header_only": "prompt_len,output_len,arrival\n",
        "header_and_rows": "prompt_len,output_len,arrival\n100,50,0\n",
        "crlf": "100,50\r\n20,10\r\n",
        "bom": "\ufeff100,50\n",
        "one_column": "100\n",
        "four_columns": "1,2,3,4\n",
        "negative": "-1,50\n",
        "zero_prompt": "0,50\n",
        "zero_output": "100,0\n",
        "huge_2p63": "9223372036854775807,9223372036854775807\n",
        "overflow_2p64": "18446744073709551616,1\n",
        "float": "1.5,2\n",
        "exp": "1e3,5\n",
        "nan": "nan,5\n",
        "inf": "inf,5\n",
        "hex": "0x10,5\n",
        "spaces": " 100 , 50 \n",
        "tabs": "100\t50\n",
        "letters": "abc,def\n",
        "arrival_negative": "100,50,-1\n",
        "arrival_unsorted": "100,50,9\n100,50,1\n",
        "arrival_nan": "100,50,nan\n",
        "arrival_huge": "100,50,1e300\n",
        "nul": "100,5\x000\n",
        "invalid_utf8": b"100,50\n\xff\xfe,1\n",
        "esc": "\x1b[31m100,50\n",
        "trailing_comma": "100,50,\n",
        "empty_fields": ",,\n",
        "exceeds_max_seq": "2000,2000\n",
        "comment_lines": "# a comment\n100,50\n",
        "blank_lines": "\n\n100,50\n\n",
    }
    for k, v in wl.items():
        w("wl/%s.csv" % k, v)


# ---------------------------------------------------------------- text files (quant-eval --text/--prompts)
def texts():
    t = {
        "story": "Once upon a time\n",
        "empty": "",
        "newlines_only": "\n\n\n",
        "nul": "ab\x00cd",
        "invalid_utf8": b"ab\xff\xfe\xc3cd",
        "esc": "\x1b[2J\x1b]0;title\x07ab",
        "crlf": "ab\r\ncd\r\n",
        "bom": "\ufeffab",
        "only_comments": "# one\n# two\n",
        "bos_only": "<s>\n",
        "prompts_10001": "ab\n" * 10001,
        "binary": bytes(range(256)),
    }
    for k, v in t.items():
        w("txt/%s.txt" % k, v)


def main():
    keep = os.path.join(OUT, "base_trace.json")
    saved = open(keep, "rb").read()
    shutil.rmtree(OUT)
    os.makedirs(OUT)
    w("base_trace.json", saved)
    generic_json()
    scenarios()
    traces()
    lessons()
    configs()
    ggufs()
    llama2c()
    workloads()
    texts()


if __name__ == "__main__":
    main()
