#include "app/cli/bench/bench_evict.h"

#include "app/cli/text_format.h"

namespace kvscope::cli {

EvictDecodeRun timeEvictDecode(const std::string& name, std::shared_ptr<const Model> model,
                               std::int64_t context, int n_steps) {
    EvictDecodeRun run;
    run.model = name;
    run.context = context;
    run.budget = context / 2;
    for (EvictionPolicy p : allEvictionPolicies()) {
        EvictionSpec spec{.policy = p, .budget = p == EvictionPolicy::Full ? 0 : run.budget};
        run.policies.push_back(
            {spec.label(), timeDecode(model, CacheMode::Cached, 1, context, n_steps, {}, spec)});
    }
    EvictionSpec rerotate{.policy = EvictionPolicy::Streaming,
                          .budget = run.budget,
                          .positions = EvictionPositions::Rerotate};
    run.policies.push_back({rerotate.label(), timeDecode(model, CacheMode::Cached, 1, context,
                                                         n_steps, {}, rerotate)});
    // The paged layout keeps rows in place and releases blocks (holes): a contiguous policy
    // and a scored one there.
    for (EvictionPolicy p : {EvictionPolicy::Window, EvictionPolicy::H2O}) {
        const EvictionSpec spec{.policy = p, .budget = run.budget};
        run.policies.push_back(
            {spec.label() + " paged", timeDecode(model, CacheMode::Cached, 1, context, n_steps, {},
                                                 spec, CacheLayout::Paged)});
    }
    return run;
}

void writeEvictTables(const std::vector<EvictDecodeRun>& runs, std::ostream& out) {
    for (const EvictDecodeRun& run : runs) {
        out << "\nBounded KV cache: " << run.model << ", context " << run.context << ", budget "
            << run.budget << ", 1 thread, cached (median ms of one step; bookkeeping: the "
            << "policy's own cut and scores, median ms and share of the step).\n";
        out << padRight("policy", 26) << padLeft("ms/token", 11) << padLeft("vs full", 9)
            << padLeft("bookkeeping", 13) << padLeft("share", 8) << "\n";
        const double full_ms = run.policies.front().timing.ms_per_token;
        for (const EvictDecode& d : run.policies) {
            out << padRight(d.label, 26) << padLeft(fixed(d.timing.ms_per_token, 4), 11)
                << padLeft(fixed(d.timing.ms_per_token / full_ms, 2) + "x", 9)
                << padLeft(fixed(d.timing.evict_ms, 4), 13)
                << padLeft(fixed(100.0 * d.timing.evict_ms / d.timing.ms_per_token, 1) + "%", 8)
                << "\n";
        }
    }
}

void writeEvictJson(JsonWriter& json, const std::vector<EvictDecodeRun>& runs) {
    json.key("evict_decode").beginArray();
    for (const EvictDecodeRun& run : runs) {
        json.beginObject();
        json.field("model", run.model);
        json.field("context", run.context);
        json.field("budget", run.budget);
        json.key("policies").beginArray();
        for (const EvictDecode& d : run.policies) {
            json.beginObject();
            json.field("policy", d.label);
            json.field("ms_per_token", d.timing.ms_per_token);
            json.field("bookkeeping_ms", d.timing.evict_ms);
            json.field("bookkeeping_share", d.timing.evict_ms / d.timing.ms_per_token);
            json.endObject();
        }
        json.endArray();
        json.endObject();
    }
    json.endArray();
}

}  // namespace kvscope::cli
