#include "core/sim/serving_simulator.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/sim/kv_accountant.h"
#include "core/sim/serving_simulation.h"
#include "core/util/error.h"

namespace kvscope::sim {

namespace {

constexpr std::int64_t kProgressEvery = 256;  // steps between progress calls

}  // namespace

void checkSimConfig(const SimConfig& c) {
    if (c.block_size < 1 || c.block_size > 128)
        throw InputError("block size: must be in 1..128, got " + std::to_string(c.block_size));
    if (c.kv_slots < c.block_size)
        throw InputError("KV budget: " + std::to_string(c.kv_slots) +
                         " token slots hold not even one block");
    if (c.kv_slots / c.block_size > kMaxBlocks)
        throw InputError("KV budget: " + std::to_string(c.kv_slots / c.block_size) +
                         " blocks; the simulator holds at most " + std::to_string(kMaxBlocks));
    if (c.max_seq < 2 || c.max_seq > kMaxSeqLen)
        throw InputError("max_seq: must be in [2, " + std::to_string(kMaxSeqLen) + "]");
    if (c.token_budget < 1) throw InputError("token budget: must be >= 1");
    if (c.max_running < 0) throw InputError("max running: must be >= 0");
    if (!(c.watermark >= 0.0 && c.watermark < 1.0))
        throw InputError("watermark: must be in [0, 1)");
}

void checkRequests(const std::vector<Request>& requests, const SimConfig& config) {
    if (requests.empty()) throw InputError("workload: no requests");
    if (std::int64_t(requests.size()) > kMaxRequests)
        throw InputError("workload: " + std::to_string(requests.size()) +
                         " requests; the simulator takes at most " + std::to_string(kMaxRequests));
    const auto kv = makeAccountant(config);
    for (std::size_t i = 0; i < requests.size(); ++i) {
        const Request& r = requests[i];
        if (r.id != std::int64_t(i) || (i > 0 && r.arrival < requests[i - 1].arrival))
            throw InputError("workload: request " + std::to_string(i) +
                             " is out of order (ids 0..n-1, arrivals non-decreasing)");
        if (r.arrival < 0 || r.arrival > kMaxArrival)
            throw InputError("workload: request " + std::to_string(i) + " arrives at step " +
                             std::to_string(r.arrival) + ", outside [0, " +
                             std::to_string(kMaxArrival) + "]");
        // Compared without adding: a length near 2^63 must not wrap into a small sum.
        if (r.prompt_len < 1 || r.output_len < 1 || r.samples < 1 ||
            r.prompt_len > config.max_seq || r.output_len > config.max_seq - r.prompt_len)
            throw InputError("workload: request " + std::to_string(i) +
                             " has lengths outside 1..max_seq");
        if (r.samples > config.token_budget)
            throw InputError("workload: request " + std::to_string(i) + " has more samples (" +
                             std::to_string(r.samples) + ") than the token budget");
        if (!kv->fits(r))
            throw InputError("KV budget: request " + std::to_string(i) + " (" +
                             std::to_string(r.prompt_len) + " + " + std::to_string(r.output_len) +
                             " tokens x " + std::to_string(r.samples) + " samples) can never fit " +
                             "under " + policyName(config.policy) + " with " +
                             std::to_string(config.kv_slots) + " token slots");
    }
}

SimResult simulateServing(const std::vector<Request>& requests, const SimConfig& config,
                          const ProgressFn& progress) {
    ServingSimulation sim(requests, config);
    const double n = double(requests.size());
    while (!sim.done()) {
        sim.advance();
        if (progress && sim.stepsRun() % kProgressEvery == 0 &&
            !progress(double(sim.completed()) / n)) {
            SimResult cut = sim.result();
            cut.cancelled = true;
            return cut;
        }
    }
    return sim.result();
}

Percentiles percentiles(std::vector<double> values) {
    Percentiles p;
    if (values.empty()) return p;
    std::sort(values.begin(), values.end());
    const auto rank = [&](double q) {
        const std::size_t i = std::size_t(std::ceil(q * double(values.size())));
        return values[std::min(values.size() - 1, i == 0 ? 0 : i - 1)];
    };
    p.p50 = rank(0.50);
    p.p90 = rank(0.90);
    p.p99 = rank(0.99);
    return p;
}

std::string policyName(PolicyKind kind) {
    switch (kind) {
        case PolicyKind::ContiguousMax:
            return "contiguous-max";
        case PolicyKind::ContiguousExact:
            return "contiguous-exact";
        case PolicyKind::Paged:
            return "paged";
        case PolicyKind::PagedPrefix:
            return "paged-prefix";
    }
    return "?";
}

}  // namespace kvscope::sim
