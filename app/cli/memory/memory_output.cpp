#include "app/cli/memory/memory_output.h"

#include "app/cli/text_format.h"
#include "core/memory/model_presets.h"
#include "core/util/format_bytes.h"
#include "core/util/json_writer.h"

namespace kvscope::cli {

namespace {

std::string bytesText(std::int64_t bytes) {
    return formatBytes(bytes) + " (" + std::to_string(bytes) + " B)";
}

}  // namespace

void writeMemoryText(const MemoryQuery& q, const MemoryReport& r, std::ostream& out) {
    const ModelShape& s = q.shape;
    out << "Model      " << terminalSafe(s.name) << "  [" << terminalSafe(s.source) << "]\n"
        << "Shape      " << s.n_layers << " layers, " << s.n_heads << " heads, " << s.n_kv_heads
        << " KV heads (" << toString(s.attention) << "), head_dim " << s.head_dim << "\n"
        << "Cache      K " << toString(q.cache.k_dtype) << ", V " << toString(q.cache.v_dtype)
        << ", " << toString(q.cache.layout);
    if (q.cache.layout == KvLayout::Paged) out << " (block " << q.cache.block_size << ")";
    out << "\nWorkload   context " << q.workload.context << ", batch " << q.workload.batch
        << ", shared prefix " << q.workload.shared_prefix << ", tp " << q.workload.tp << "\n"
        << "Units      IEC: 1 KiB = 1024 B, 1 GiB = 2^30 B (vendor GPU sizes keep their unit)\n\n";
    for (const MemoryTerm& t : r.terms) {
        out << padRight(t.name, 30) << padLeft(formatBytes(t.bytes), 12) << "  " << t.bytes
            << " B\n    = " << t.formula << "\n";
        for (const std::string& src : t.sources)
            out << "      from " << src << "\n";
    }
    out << "\n";
    if (!r.has_gpu) {
        out << "No GPU given (--gpu NAME or --gpu-mem BYTES): no fit and no limits.\n";
        return;
    }
    out << "GPU        " << q.gpu.name << ": " << bytesText(r.gpu_bytes) << ", usable "
        << bytesText(r.usable_bytes) << " per GPU\n"
        << "Needs      weights " << formatBytes(r.weights_bytes_per_gpu) << " + KV "
        << formatBytes(r.kv_bytes_per_gpu) << " per GPU -> " << (r.fits ? "FITS" : "DOES NOT FIT")
        << "\n"
        << "Limits     max context at batch " << q.workload.batch << ": " << r.max_seq
        << " tokens; max batch at context " << q.workload.context << ": " << r.max_batch
        << "; max total tokens: " << r.max_total_tokens << "\n";
}

void writeMemoryJson(const MemoryQuery& q, const MemoryReport& r, std::ostream& out) {
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
