#include "core/sim/serving_simulator.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>
#include <string>

#include "core/sim/kv_accountant.h"
#include "core/util/error.h"

namespace kvscope::sim {

namespace {

constexpr std::int64_t kProgressEvery = 256;  // steps between progress calls

struct Group {
    const Request* req = nullptr;
    GroupKv kv;
    std::int64_t generated = 0;  // output tokens per sample so far (samples run in lockstep)
    std::int64_t first_admit = -1;
    std::int64_t finished = -1;
};

class Scheduler {
public:
    Scheduler(const std::vector<Request>& requests, const SimConfig& config)
        : m_requests(requests),
          m_config(config),
          m_kv(makeAccountant(config)),
          m_groups(requests.size()) {
        for (std::size_t i = 0; i < requests.size(); ++i)
            m_groups[i].req = &requests[i];
        m_result.policy = config.policy;
        m_result.finish_count.assign(requests.size(), 0);
    }

    SimResult run(const ProgressFn& progress) {
        std::size_t next_arrival = 0;
        const std::int64_t n = std::int64_t(m_requests.size());
        std::int64_t step = 0;
        while (m_result.completed < n) {
            if (m_running.empty() && m_waiting.empty())
                step = std::max(step, m_requests[next_arrival].arrival);  // idle: jump ahead
            while (next_arrival < m_requests.size() && m_requests[next_arrival].arrival <= step)
                m_waiting.insert(key(next_arrival++));
            runStep(step);
            ++step;
            if (progress && step % kProgressEvery == 0 &&
                !progress(double(m_result.completed) / double(n))) {
                m_result.cancelled = true;
                break;
            }
        }
        m_result.steps = step;
        summarize();
        return std::move(m_result);
    }

private:
    using Key = std::pair<std::int64_t, std::size_t>;  // (arrival, index): FCFS order
    Key key(std::size_t i) const { return {m_requests[i].arrival, i}; }

    void runStep(std::int64_t step) {
        m_budget = m_config.token_budget;
        m_step_generated = 0;
        m_step_computed = 0;
        for (std::size_t i = 0; i < m_running.size() && m_budget > 0; ++i) {
            const std::size_t g = m_running[i];
            if (isPrefilled(m_groups[g])) {
                if (m_budget >= m_groups[g].req->samples) decode(g, step);
            } else {
                prefill(g);
            }
            if (i < m_running.size() && m_running[i] != g) --i;  // g left (finished/preempted)
        }
        admit(step);
        if (m_step_computed == 0 && !(m_running.empty() && m_waiting.empty()))
            throw std::logic_error("serving simulator: no progress at step " +
                                   std::to_string(step));
        record(step);
    }

    bool isPrefilled(const Group& g) const {
        if (!g.kv.forked) return false;
        const std::int64_t target = g.req->prompt_len + g.generated;
        return std::all_of(g.kv.lens.begin(), g.kv.lens.end(),
                           [&](std::int64_t len) { return len == target; });
    }

    // Writes one token into sample s of group g, preempting the latest arrivals while memory is
    // out. Returns false when g itself was preempted.
    bool write(std::size_t g, std::size_t s) {
        Group& group = m_groups[g];
        while (!m_kv->append(*group.req, group.kv, s)) {
            const std::size_t victim = m_running.back();
            preempt(victim);
            if (victim == g) return false;
        }
        --m_budget;
        ++m_step_computed;
        return true;
    }

    void prefill(std::size_t g) {
        Group& group = m_groups[g];
        const std::int64_t prompt = group.req->prompt_len;
        while (m_budget > 0 && group.kv.lens[0] < prompt && !group.kv.forked)
            if (!write(g, 0)) return;
        if (group.kv.lens[0] < prompt) return;
        if (!group.kv.forked) m_kv->fork(group.kv);
        const std::int64_t target = prompt + group.generated;  // recompute generated tokens
        for (std::size_t s = 0; s < group.kv.lens.size(); ++s)
            while (m_budget > 0 && group.kv.lens[s] < target)
                if (!write(g, s)) return;
    }

    void decode(std::size_t g, std::int64_t step) {
        Group& group = m_groups[g];
        for (std::size_t s = 0; s < group.kv.lens.size(); ++s)
            if (!write(g, s)) return;
        ++group.generated;
        m_step_generated += group.req->samples;
        m_result.tokens_generated += group.req->samples;
        if (group.generated == group.req->output_len) finish(g, step);
    }

    void finish(std::size_t g, std::int64_t step) {
        Group& group = m_groups[g];
        m_kv->release(group.kv);
        group.finished = step;
        ++m_result.finish_count[g];
        ++m_result.completed;
        m_running.erase(std::find(m_running.begin(), m_running.end(), g));
    }

    void preempt(std::size_t g) {
        m_kv->release(m_groups[g].kv);
        m_running.erase(std::find(m_running.begin(), m_running.end(), g));
        m_waiting.insert(key(g));
        ++m_result.preemptions;
    }

    void admit(std::int64_t step) {
        while (
            m_budget > 0 && !m_waiting.empty() &&
            (m_config.max_running == 0 || std::int64_t(m_running.size()) < m_config.max_running)) {
            const std::size_t g = m_waiting.begin()->second;
            Group& group = m_groups[g];
            if (!m_kv->admit(*group.req, group.generated, m_running.empty(), group.kv)) return;
            m_waiting.erase(m_waiting.begin());
            const auto pos =
                std::lower_bound(m_running.begin(), m_running.end(), g,
                                 [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
            m_running.insert(pos, g);
            if (group.first_admit < 0) group.first_admit = step;
            m_result.prefix_hit_tokens += m_kv->reusePrefix(*group.req, group.kv);
            prefill(g);
            if (std::find(m_running.begin(), m_running.end(), g) == m_running.end()) return;
        }
    }

    void record(std::int64_t step) {
        StepSample s;
        s.step = step;
        for (std::size_t g : m_running) {
            s.running_seqs += m_groups[g].req->samples;
            for (std::int64_t len : m_groups[g].kv.lens)
                s.logical += len;
        }
        s.waiting = std::int64_t(m_waiting.size());
        s.held = m_kv->held();
        s.reserved = m_kv->reserved();
        s.generated = m_step_generated;
        s.computed = m_step_computed;
        s.preemptions = m_result.preemptions;
        m_result.tokens_computed += m_step_computed;
        m_result.timeline.push_back(s);
    }

    void summarize() {
        double held = 0, reserved = 0, internal = 0, running = 0;
        for (const StepSample& s : m_result.timeline) {
            held += double(s.held);
            reserved += double(s.reserved);
            running += double(s.running_seqs);
            m_result.max_running_seqs = std::max(m_result.max_running_seqs, s.running_seqs);
            m_result.peak_reserved = std::max(m_result.peak_reserved, s.reserved);
        }
        const bool paged =
            m_config.policy == PolicyKind::Paged || m_config.policy == PolicyKind::PagedPrefix;
        if (reserved > 0) {
            m_result.kv_utilization = held / reserved;
            internal = (reserved - held) / reserved;
            (paged ? m_result.internal_waste : m_result.reservation_waste) = internal;
        }
        if (!m_result.timeline.empty())
            m_result.mean_running_seqs = running / double(m_result.timeline.size());
        if (m_result.steps > 0)
            m_result.throughput = double(m_result.tokens_generated) / double(m_result.steps);
        std::vector<double> queueing, completion;
        for (const Group& g : m_groups) {
            if (g.finished < 0) continue;
            queueing.push_back(double(g.first_admit - g.req->arrival));
            completion.push_back(double(g.finished + 1 - g.req->arrival));
        }
        m_result.queueing = percentiles(std::move(queueing));
        m_result.completion = percentiles(std::move(completion));
    }

    const std::vector<Request>& m_requests;
    SimConfig m_config;
    std::unique_ptr<KvAccountant> m_kv;
    std::vector<Group> m_groups;         // [n_requests]
    std::vector<std::size_t> m_running;  // group indices, in (arrival, index) order
    std::set<Key> m_waiting;             // arrived, not running
    std::int64_t m_budget = 0;           // tokens left in this step
    std::int64_t m_step_generated = 0;
    std::int64_t m_step_computed = 0;
    SimResult m_result;
};

}  // namespace

void checkSimConfig(const SimConfig& c) {
    if (c.block_size < 1 || c.block_size > 128)
        throw InputError("block size: must be in 1..128, got " + std::to_string(c.block_size));
    if (c.kv_slots < c.block_size)
        throw InputError("KV budget: " + std::to_string(c.kv_slots) +
                         " token slots hold not even one block");
    if (c.max_seq < 2) throw InputError("max_seq: must be >= 2");
    if (c.token_budget < 1) throw InputError("token budget: must be >= 1");
    if (c.max_running < 0) throw InputError("max running: must be >= 0");
    if (!(c.watermark >= 0.0 && c.watermark < 1.0))
        throw InputError("watermark: must be in [0, 1)");
}

SimResult simulateServing(const std::vector<Request>& requests, const SimConfig& config,
                          const ProgressFn& progress) {
    checkSimConfig(config);
    if (requests.empty()) throw InputError("workload: no requests");
    const auto kv = makeAccountant(config);
    for (std::size_t i = 0; i < requests.size(); ++i) {
        const Request& r = requests[i];
        if (r.id != std::int64_t(i) || (i > 0 && r.arrival < requests[i - 1].arrival))
            throw InputError("workload: request " + std::to_string(i) +
                             " is out of order (ids 0..n-1, arrivals non-decreasing)");
        if (r.prompt_len < 1 || r.output_len < 1 || r.samples < 1 ||
            r.prompt_len + r.output_len > config.max_seq)
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
    return Scheduler(requests, config).run(progress);
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
