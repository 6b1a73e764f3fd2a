// The scheduler behind ServingSimulation and simulateServing (the policy it follows is described
// in serving_simulator.h).
#include "core/sim/serving_simulation.h"

#include <algorithm>
#include <set>
#include <stdexcept>
#include <string>

#include "core/sim/kv_accountant.h"
#include "core/sim/serving_simulator.h"
#include "core/util/check.h"

namespace kvscope::sim {

namespace {

struct Group {
    const Request* req = nullptr;
    GroupKv kv;
    std::int64_t generated = 0;  // output tokens per sample so far (samples run in lockstep)
    std::int64_t first_admit = -1;
    std::int64_t finished = -1;
};

}  // namespace

class ServingSimulation::Scheduler {
public:
    Scheduler(std::vector<Request> requests, const SimConfig& config)
        : m_requests(std::move(requests)),
          m_config(config),
          m_kv(makeAccountant(config)),
          m_groups(m_requests.size()) {
        for (std::size_t i = 0; i < m_requests.size(); ++i)
            m_groups[i].req = &m_requests[i];
        m_result.policy = config.policy;
        m_result.finish_count.assign(m_requests.size(), 0);
    }

    bool done() const { return m_result.completed == std::int64_t(m_requests.size()); }
    std::int64_t completed() const { return m_result.completed; }

    void advance() {
        KVSCOPE_EXPECTS(!done());
        if (m_running.empty() && m_waiting.empty())
            m_step = std::max(m_step, m_requests[m_next_arrival].arrival);  // idle: jump ahead
        while (m_next_arrival < m_requests.size() && m_requests[m_next_arrival].arrival <= m_step)
            m_waiting.insert(key(m_next_arrival++));
        runStep(m_step);
        ++m_step;
    }

    const std::vector<StepSample>& timeline() const { return m_result.timeline; }

    PoolSnapshot snapshot() const {
        PoolSnapshot out;
        out.policy = m_config.policy;
        out.step = m_result.timeline.empty() ? -1 : m_result.timeline.back().step;
        std::vector<RunningGroup> running;
        running.reserve(m_running.size());
        for (std::size_t g : m_running)
            running.push_back({m_groups[g].req, &m_groups[g].kv});
        m_kv->snapshot(running, out);
        out.waiting = std::int64_t(m_waiting.size());
        out.completed = m_result.completed;
        return out;
    }

    SimResult result() const {
        SimResult r = m_result;
        r.steps = m_step;
        summarize(r);
        return r;
    }

    const SimConfig& config() const { return m_config; }
    const std::vector<Request>& requests() const { return m_requests; }

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

    void summarize(SimResult& r) const {
        double held = 0, reserved = 0, running = 0;
        for (const StepSample& s : r.timeline) {
            held += double(s.held);
            reserved += double(s.reserved);
            running += double(s.running_seqs);
            r.max_running_seqs = std::max(r.max_running_seqs, s.running_seqs);
            r.peak_reserved = std::max(r.peak_reserved, s.reserved);
        }
        const bool paged =
            m_config.policy == PolicyKind::Paged || m_config.policy == PolicyKind::PagedPrefix;
        if (reserved > 0) {
            r.kv_utilization = held / reserved;
            (paged ? r.internal_waste : r.reservation_waste) = (reserved - held) / reserved;
        }
        if (!r.timeline.empty()) r.mean_running_seqs = running / double(r.timeline.size());
        if (r.steps > 0) r.throughput = double(r.tokens_generated) / double(r.steps);
        std::vector<double> queueing, completion;
        for (const Group& g : m_groups) {
            if (g.finished < 0) continue;
            queueing.push_back(double(g.first_admit - g.req->arrival));
            completion.push_back(double(g.finished + 1 - g.req->arrival));
        }
        r.queueing = percentiles(std::move(queueing));
        r.completion = percentiles(std::move(completion));
    }

    const std::vector<Request> m_requests;
    SimConfig m_config;
    std::unique_ptr<KvAccountant> m_kv;
    std::vector<Group> m_groups;         // [n_requests]
    std::vector<std::size_t> m_running;  // group indices, in (arrival, index) order
    std::set<Key> m_waiting;             // arrived, not running
    std::size_t m_next_arrival = 0;      // first request not yet arrived
    std::int64_t m_step = 0;             // the next step's number (the clock)
    std::int64_t m_budget = 0;           // tokens left in this step
    std::int64_t m_step_generated = 0;
    std::int64_t m_step_computed = 0;
    SimResult m_result;  // counters and timeline; summarize() fills the rest
};

ServingSimulation::ServingSimulation(std::vector<Request> requests, const SimConfig& config) {
    checkSimConfig(config);
    checkRequests(requests, config);
    m_scheduler = std::make_unique<Scheduler>(std::move(requests), config);
}

ServingSimulation::~ServingSimulation() = default;

bool ServingSimulation::done() const {
    return m_scheduler->done();
}

std::int64_t ServingSimulation::completed() const {
    return m_scheduler->completed();
}

void ServingSimulation::advance() {
    m_scheduler->advance();
}

std::int64_t ServingSimulation::stepsRun() const {
    return std::int64_t(m_scheduler->timeline().size());
}

const std::vector<StepSample>& ServingSimulation::timeline() const {
    return m_scheduler->timeline();
}

PoolSnapshot ServingSimulation::snapshot() const {
    return m_scheduler->snapshot();
}

SimResult ServingSimulation::result() const {
    return m_scheduler->result();
}

const SimConfig& ServingSimulation::config() const {
    return m_scheduler->config();
}

const std::vector<Request>& ServingSimulation::requests() const {
    return m_scheduler->requests();
}

}  // namespace kvscope::sim
