#include "core/sim/paging_study.h"
#include "core/util/check.h"

#include <cmath>

namespace kvscope::sim {

void checkPagingScenario(const PagingScenario& s) {
    if (s.n_requests < 1 || s.n_requests > kMaxPagingRequests)
        throw PagingInputError(PagingField::Requests, "requests: must be in 1.." +
                                                          std::to_string(kMaxPagingRequests) +
                                                          ", got " + std::to_string(s.n_requests));
    if (s.system_prompt < 0 || s.system_prompt > kPagingMaxSeq - 2)
        throw PagingInputError(PagingField::SystemPrompt,
                               "system prompt: must be in 0.." + std::to_string(kPagingMaxSeq - 2) +
                                   " tokens, got " + std::to_string(s.system_prompt));
    if (!(s.shared_fraction >= 0.0 && s.shared_fraction <= 1.0))
        throw PagingInputError(PagingField::SharedFraction, "shared fraction: must be in 0..1");
    if (s.block_size < 1 || s.block_size > 128)
        throw PagingInputError(
            PagingField::BlockSize,
            "block size: must be in 1..128 tokens, got " + std::to_string(s.block_size));
    if (s.budget_blocks < 1)
        throw PagingInputError(PagingField::Budget,
                               "KV budget: " + std::to_string(s.budget_blocks) +
                                   " blocks is smaller than one block; give at least 1");
    if (s.budget_blocks > kMaxPagingBlocks)
        throw PagingInputError(PagingField::Budget,
                               "KV budget: at most " + std::to_string(kMaxPagingBlocks) +
                                   " blocks, got " + std::to_string(s.budget_blocks));
}

WorkloadSpec pagingWorkloadSpec(const PagingScenario& s) {
    WorkloadSpec spec = shareGptLikeSpec();
    if (s.preset == WorkloadPreset::Fixed) {
        spec.prompt = {LengthKind::Fixed, 256};
        spec.output = {LengthKind::Fixed, 256};
    } else if (s.preset == WorkloadPreset::Uniform) {
        spec.prompt = {LengthKind::Uniform, 0, 1, 512};
        spec.output = {LengthKind::Uniform, 0, 1, 512};
    }
    spec.n_requests = s.n_requests;
    spec.seed = s.seed;
    spec.system_prompt = s.system_prompt;
    spec.shared_fraction = s.shared_fraction;
    spec.max_seq = kPagingMaxSeq;
    return spec;
}

SimConfig pagingSimConfig(const PagingScenario& s, PolicyKind policy) {
    SimConfig c;
    c.policy = policy;
    c.block_size = s.block_size;
    c.kv_slots = s.budget_blocks * s.block_size;
    c.max_seq = kPagingMaxSeq;
    return c;
}

const PolicyRun& PagingStudy::run(PolicyKind policy) const {
    for (const PolicyRun& r : runs)
        if (r.policy == policy) return r;
    KVSCOPE_EXPECTS(false && "every policy has a run");
    return runs.front();
}

PagingStudy runPagingStudy(const PagingScenario& scenario, std::int64_t max_points,
                           const ProgressFn& progress) {
    checkPagingScenario(scenario);
    PagingStudy study;
    study.scenario = scenario;
    study.requests = generateWorkload(pagingWorkloadSpec(scenario));
    const double n_policies = double(std::size(kPagingPolicies));
    for (PolicyKind policy : kPagingPolicies) {
        PolicyRun run;
        run.policy = policy;
        const double done = double(study.runs.size());
        ProgressFn part;
        if (progress) part = [&](double f) { return progress((done + f) / n_policies); };
        try {
            run.result = simulateServing(study.requests, pagingSimConfig(scenario, policy), part);
            run.series = timelineSeries(run.result.timeline, max_points);
        } catch (const InputError& e) {
            run.error = e.what();
        }
        study.cancelled = study.cancelled || run.result.cancelled;
        study.runs.push_back(std::move(run));
        if (study.cancelled) break;
        if (progress && !progress(double(study.runs.size()) / n_policies)) {
            study.cancelled = true;
            break;
        }
    }
    return study;
}

}  // namespace kvscope::sim
