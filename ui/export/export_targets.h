#pragma once
// The views' exportable charts, registered with installExport(): the Generate view's heatmap,
// head grid, cache-growth and cost charts, the Memory view's three charts, the Paging view's
// charts and block grid, the Quantization view's charts and difference heatmap, the Eviction
// view's charts. Each target's name
// is what `kvscope-cli export --what` and the default file name use.
namespace kvscope {

class EvictView;
class GenerateView;
class MemoryView;
class PagingView;
class QuantView;
class TraceModel;

/// "heatmap", "head-grid", "cache-growth", "compute".
void installGenerateExports(GenerateView& view, const TraceModel& trace);
/// "memory" (KV bytes vs context by attention variant), "memory-dtype" (by KV dtype),
/// "memory-capacity" (what one GPU holds).
void installMemoryExports(MemoryView& view);
/// "paging" (KV utilization per step), "paging-running", "paging-waste", "paging-blocks" (the
/// block grid, image only).
void installPagingExports(PagingView& view);
/// "quant" (attention error per step), "quant-logits", "quant-heatmap" (|A_codec - A_fp32|).
void installQuantExports(QuantView& view);
/// "evict" (next-token KL against the full cache per step), "evict-bytes" (bytes held and
/// allocated per step, both caches); both also export the comparison as JSON (evict-eval's).
void installEvictExports(EvictView& view);

}  // namespace kvscope
