#include "app/cli/memory/memory_output.h"

#include <algorithm>
#include <cstdio>

#include "app/cli/text_format.h"
#include "core/memory/model_presets.h"
#include "core/util/format_bytes.h"
#include "core/util/json_writer.h"

namespace kvscope::cli {

namespace {

std::string bytesText(std::int64_t bytes) {
    return formatBytes(bytes) + " (" + std::to_string(bytes) + " B)";
}

std::string fixed2(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", value);
    return text;
}

void writeTerms(const std::vector<MemoryTerm>& terms, std::ostream& out) {
    for (const MemoryTerm& t : terms) {
        out << padRight(t.name, 30) << padLeft(formatBytes(t.bytes), 12) << "  " << t.bytes
            << " B\n    = " << t.formula << "\n";
        for (const std::string& src : t.sources)
            out << "      from " << src << "\n";
    }
}

void writeServingText(const ServingReport& s, std::ostream& out) {
    out << "\nServing engine (vLLM v1 accounting; the activation peak is an estimate)\n";
    writeTerms(s.terms, out);
    out << "KV blocks  " << s.num_blocks << " blocks of " << s.block_size << " tokens ("
        << formatBytes(s.page_bytes) << " each over the K/V layers)\n"
        << "GPU KV cache size: " << groupDigits(s.kv_tokens) << " tokens\n"
        << "Maximum concurrency for " << groupDigits(s.max_model_len)
        << " tokens per request: " << fixed2(s.max_concurrency) << "x\n"
        << "max-model-len " << s.max_model_len << ": " << (s.fits ? "STARTS" : "DOES NOT START")
        << " (one request needs " << bytesText(s.request_bytes) << " per GPU, "
        << bytesText(std::max<std::int64_t>(s.available, 0)) << " available)\n";
    if (s.fixes.empty()) return;
    out << "To make it fit, each change alone:\n";
    for (const ServingFix& fix : s.fixes)
        out << "  " << padRight(fix.flag, 34) << fix.effect << "\n";
}

}  // namespace

void writeMemoryText(const MemoryQuery& q, const MemoryReport& r,
                     const std::optional<ServingReport>& serving, std::ostream& out) {
    const ModelShape& s = q.shape;
    out << "Model      " << terminalSafe(s.name) << "  [" << terminalSafe(s.source) << "]\n"
        << "Shape      " << s.n_layers << " layers, " << s.n_heads << " heads, " << s.n_kv_heads
        << " KV heads (" << toString(s.attention) << "), head_dim " << s.head_dim << "\n"
        << "Layers     " << layerSummary(s) << "\n"
        << "Cache      K " << toString(q.cache.k_dtype) << ", V " << toString(q.cache.v_dtype)
        << ", " << toString(q.cache.layout);
    if (q.cache.layout == KvLayout::Paged) out << " (block " << q.cache.block_size << ")";
    out << "\nWorkload   context " << q.workload.context << ", batch " << q.workload.batch
        << ", shared prefix " << q.workload.shared_prefix << ", tp " << q.workload.tp << "\n"
        << "Units      IEC: 1 KiB = 1024 B, 1 GiB = 2^30 B (vendor GPU sizes keep their unit)\n\n";
    writeTerms(r.terms, out);
    out << "\n";
    if (!r.has_gpu) {
        out << "No GPU given (--gpu NAME or --gpu-mem BYTES): no fit and no limits.\n";
        return;
    }
    out << "GPU        " << q.gpu.name << ": " << bytesText(r.gpu_bytes) << ", usable "
        << bytesText(r.usable_bytes) << " per GPU\n"
        << "Needs      weights " << formatBytes(r.weights_bytes_per_gpu) << " + KV "
        << formatBytes(r.kv_bytes_per_gpu);
    if (r.per_gpu.state > 0) out << " + recurrent state " << formatBytes(r.per_gpu.state);
    out << " per GPU -> " << (r.fits ? "FITS" : "DOES NOT FIT") << "\n"
        << "Limits     max context at batch " << q.workload.batch << ": " << r.max_seq
        << " tokens; max batch at context " << q.workload.context << ": " << r.max_batch
        << "; max total tokens: " << r.max_total_tokens << "\n";
    if (serving) writeServingText(*serving, out);
}

void writeMemoryJson(const MemoryQuery& q, const MemoryReport& r,
                     const std::optional<ServingReport>& serving, std::ostream& out) {
    JsonWriter json(out);
    json.beginObject();
    json.field("model", q.shape.name);
    json.field("source", q.shape.source);
    json.field("attention", toString(q.shape.attention));
    json.field("k_dtype", toString(q.cache.k_dtype));
    json.field("v_dtype", toString(q.cache.v_dtype));
    json.field("layout", toString(q.cache.layout));
    json.field("block_size", q.cache.block_size);
    json.field("context", q.workload.context);
    json.field("batch", q.workload.batch);
    json.field("shared_prefix", q.workload.shared_prefix);
    json.field("tp", q.workload.tp);
    json.field("kv_heads_per_gpu", r.kv_heads_per_gpu);
    json.field("kv_bytes_per_token_per_layer", r.kv_bytes_per_token_per_layer);
    json.field("kv_bytes_per_token", r.kv_bytes_per_token);
    json.field("kv_bytes_per_sequence", r.kv_bytes_per_sequence);
    json.field("state_bytes_per_sequence", r.state_bytes_per_sequence);
    json.field("state_bytes_per_gpu", r.per_gpu.state);
    json.field("layers", layerSummary(q.shape));
    json.field("kv_bytes_used_per_gpu", r.per_gpu.used);
    json.field("kv_bytes_paged_per_gpu", r.per_gpu.paged);
    json.field("paged_waste_per_gpu", r.per_gpu.paged_waste);
    json.field("kv_bytes_contiguous_per_gpu", r.per_gpu.contiguous);
    json.field("kv_bytes_per_gpu", r.kv_bytes_per_gpu);
    json.field("kv_bytes_total", r.kv_bytes_total);
    json.field("parameters", r.parameters);
    json.field("weight_bits", r.weight_bits);
    json.field("weights_bytes", r.weights_bytes);
    json.field("weights_bytes_per_gpu", r.weights_bytes_per_gpu);
    json.key("gpu");
    if (r.has_gpu) {
        json.beginObject();
        json.field("name", q.gpu.name);
        json.field("bytes", r.gpu_bytes);
        json.field("usable_fraction", q.gpu.usable_fraction);
        json.field("usable_bytes", r.usable_bytes);
        json.field("free_for_kv", r.free_for_kv);
        json.endObject();
    } else {
        json.null();
    }
    const auto orNull = [&](std::string_view name, auto value) {
        json.key(name);
        if (r.has_gpu) {
            json.value(value);
        } else {
            json.null();
        }
    };
    orNull("fits", r.fits);
    orNull("max_seq", r.max_seq);
    orNull("max_batch", r.max_batch);
    orNull("max_total_tokens", r.max_total_tokens);
    json.key("serving");
    if (serving) {
        const ServingReport& s = *serving;
        json.beginObject();
        json.field("max_model_len", s.max_model_len);
        json.field("block_size", s.block_size);
        json.field("budget", s.budget);
        json.field("weights", s.weights);
        json.field("activations_estimate", s.activations);
        json.field("non_torch", s.non_torch);
        json.field("available_kv", s.available);
        json.field("page_bytes", s.page_bytes);
        json.field("num_blocks", s.num_blocks);
        json.field("request_bytes", s.request_bytes);
        json.field("request_state_bytes", s.request_state_bytes);
        json.field("max_concurrency", s.max_concurrency);
        json.field("kv_tokens", s.kv_tokens);
        json.field("fits", s.fits);
        json.field("max_model_len_fit", s.max_model_len_fit);
        json.key("fixes").beginArray();
        for (const ServingFix& fix : s.fixes) {
            json.beginObject();
            json.field("flag", fix.flag);
            json.field("effect", fix.effect);
            json.field("fits", fix.fits);
            json.endObject();
        }
        json.endArray();
        json.endObject();
    } else {
        json.null();
    }
    json.key("terms").beginArray();
    for (const MemoryTerm& t : r.terms) {
        json.beginObject();
        json.field("name", t.name);
        json.field("bytes", t.bytes);
        json.field("formula", t.formula);
        json.key("sources").beginArray();
        for (const std::string& src : t.sources)
            json.value(src);
        json.endArray();
        json.endObject();
    }
    json.endArray();
    json.endObject();
    out << "\n";
}

void writePresetList(std::ostream& out, bool json_output) {
    if (json_output) {
        JsonWriter json(out);
        json.beginObject().key("models").beginArray();
        for (const ModelPreset& p : modelPresets()) {
            json.beginObject();
            json.field("preset", p.preset);
            json.field("family", p.family);
            json.field("name", p.shape.name);
            json.field("attention", toString(p.shape.attention));
            json.endObject();
        }
        json.endArray().key("gpus").beginArray();
        for (const GpuPreset& g : gpuPresets()) {
            json.beginObject();
            json.field("name", g.name);
            json.field("vendor_text", g.vendor_text);
            json.field("bytes", g.bytes);
            json.endObject();
        }
        json.endArray().endObject();
        out << "\n";
        return;
    }
    out << "Model presets (--preset NAME):\n";
    for (const ModelPreset& p : modelPresets()) {
        out << "  " << padRight(p.preset, 18) << padRight(p.family, 24) << p.shape.name << " ("
            << toString(p.shape.attention) << ")\n";
    }
    out << "\nGPUs (--gpu NAME), memory as the vendor states it:\n";
    for (const GpuPreset& g : gpuPresets()) {
        out << "  " << padRight(g.name, 12) << padRight(g.vendor_text, 22) << g.memory << " "
            << g.unit << " = " << g.bytes << " B (" << formatBytes(g.bytes) << ")\n";
    }
}

}  // namespace kvscope::cli
