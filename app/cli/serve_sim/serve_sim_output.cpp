#include "app/cli/serve_sim/serve_sim_output.h"

#include <cstdio>
#include <stdexcept>

#include "app/cli/text_format.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/format_bytes.h"
#include "core/util/json_writer.h"

namespace kvscope::cli {

namespace {

std::string percent(double fraction) {
    return fixed(100.0 * fraction, 1) + "%";
}

std::string triple(const sim::Percentiles& p) {
    return fixed(p.p50, 0) + "/" + fixed(p.p90, 0) + "/" + fixed(p.p99, 0);
}

const sim::SimResult* find(const ServeSimRun& run, sim::PolicyKind kind) {
    for (const sim::SimResult& r : run.results)
        if (r.policy == kind) return &r;
    return nullptr;
}

void writeHeadline(const ServeSimRun& run, std::ostream& out) {
    const sim::SimResult* cmax = find(run, sim::PolicyKind::ContiguousMax);
    const sim::SimResult* paged = find(run, sim::PolicyKind::Paged);
    if (!cmax || !paged || cmax->mean_running_seqs <= 0) return;
    out << "\nheadline: contiguous max-length reservation keeps KV utilization at "
        << percent(cmax->kv_utilization) << "; paged (block " << run.config.block_size << ") at "
        << percent(paged->kv_utilization) << ", running "
        << fixed(paged->mean_running_seqs / cmax->mean_running_seqs, 1)
        << "x the concurrent sequences (mean " << fixed(paged->mean_running_seqs, 1) << " vs "
        << fixed(cmax->mean_running_seqs, 1) << ")\n";
}

void writePercentiles(JsonWriter& w, std::string_view name, const sim::Percentiles& p) {
    w.key(name).beginObject();
    w.field("p50", p.p50).field("p90", p.p90).field("p99", p.p99);
    w.endObject();
}

}  // namespace

void writeServeSimText(const ServeSimRun& run, std::ostream& out) {
    const sim::SimConfig& c = run.config;
    out << "serve-sim: " << run.n_requests << " requests, workload " << run.workload << ", "
        << run.arrivals << ", seed " << run.seed << "\n"
        << "KV budget " << formatBytes(run.kv_budget_bytes) << " (" << run.budget_origin
        << ") = " << c.kv_slots << " token slots of " << formatBytes(run.kv_bytes_per_token) << " ("
        << run.model << "); block size " << c.block_size << ", max_seq " << c.max_seq
        << ", token budget " << c.token_budget << "/step\n"
        << "KV util = held slots / reserved slots, summed over steps; latencies in steps "
           "(p50/p90/p99)\n\n";
    out << padRight("policy", 17) << padLeft("KV util", 8) << padLeft("int.waste", 10)
        << padLeft("res.waste", 10) << padLeft("mean seqs", 10) << padLeft("max seqs", 9)
        << padLeft("tok/step", 9) << padLeft("preempt", 8) << padLeft("steps", 8)
        << padLeft("queueing", 20) << padLeft("completion", 20) << "\n";
    for (const sim::SimResult& r : run.results) {
        out << padRight(sim::policyName(r.policy), 17) << padLeft(percent(r.kv_utilization), 8)
            << padLeft(percent(r.internal_waste), 10) << padLeft(percent(r.reservation_waste), 10)
            << padLeft(fixed(r.mean_running_seqs, 1), 10)
            << padLeft(std::to_string(r.max_running_seqs), 9) << padLeft(fixed(r.throughput, 2), 9)
            << padLeft(std::to_string(r.preemptions), 8) << ' '
            << padLeft(std::to_string(r.steps), 7) << ' ' << padLeft(triple(r.queueing), 19) << ' '
            << padLeft(triple(r.completion), 19) << "\n";
    }
    for (const sim::SimResult& r : run.results)
        if (r.prefix_hit_tokens > 0)
            out << sim::policyName(r.policy) << ": " << r.prefix_hit_tokens
                << " prompt tokens served from shared cached blocks\n";
    writeHeadline(run, out);
}

void writeServeSimJson(const ServeSimRun& run, std::ostream& out) {
    JsonWriter w(out);
    w.beginObject();
    w.field("workload", run.workload).field("arrivals", run.arrivals);
    w.field("requests", run.n_requests).field("seed", run.seed).field("model", run.model);
    w.field("kv_bytes_per_token", run.kv_bytes_per_token);
    w.field("kv_budget_bytes", run.kv_budget_bytes).field("kv_slots", run.config.kv_slots);
    w.field("block_size", run.config.block_size).field("max_seq", run.config.max_seq);
    w.field("token_budget", run.config.token_budget);
    w.key("policies").beginArray();
    for (const sim::SimResult& r : run.results) {
        w.beginObject();
        w.field("policy", sim::policyName(r.policy));
        w.field("kv_utilization", r.kv_utilization).field("internal_waste", r.internal_waste);
        w.field("reservation_waste", r.reservation_waste);
        w.field("mean_running_seqs", r.mean_running_seqs);
        w.field("max_running_seqs", r.max_running_seqs);
        w.field("throughput_tokens_per_step", r.throughput);
        w.field("preemptions", r.preemptions).field("steps", r.steps);
        w.field("completed", r.completed).field("tokens_generated", r.tokens_generated);
        w.field("tokens_computed", r.tokens_computed);
        w.field("prefix_hit_tokens", r.prefix_hit_tokens);
        w.field("peak_reserved_slots", r.peak_reserved);
        writePercentiles(w, "queueing_steps", r.queueing);
        writePercentiles(w, "completion_steps", r.completion);
        w.endObject();
    }
    w.endArray();
    w.endObject();
    out << "\n";
}

void writeServeSimCsv(const ServeSimRun& run, const std::string& path) {
    try {
        writeFileAtomically(path, [&](std::ostream& f) {
            f << "policy,step,running_seqs,waiting,held,reserved,logical,generated,computed,"
                 "preemptions\n";
            for (const sim::SimResult& r : run.results) {
                const std::string name = sim::policyName(r.policy);
                for (const sim::StepSample& s : r.timeline)
                    f << name << ',' << s.step << ',' << s.running_seqs << ',' << s.waiting << ','
                      << s.held << ',' << s.reserved << ',' << s.logical << ',' << s.generated
                      << ',' << s.computed << ',' << s.preemptions << '\n';
            }
        });
    } catch (const InputError& e) {
        throw InputError(std::string("--csv: ") + e.what());
    }
}

}  // namespace kvscope::cli
