#pragma once
// The Paging view's experiment: one seeded workload (a preset, a request count, a shared system
// prompt) run under every allocation policy with the same KV budget, given in blocks. The view
// shows the charts and summaries of every policy and steps one of them (ServingSimulation) on the
// block grid. Everything the view displays is computed here or in the simulator.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/sim/serving_simulator.h"
#include "core/sim/sim_series.h"
#include "core/util/error.h"

namespace kvscope::sim {

enum class WorkloadPreset {
    ShareGptLike,  // lognormal lengths (workload.h)
    Fixed,         // prompt 256, output 256
    Uniform,       // prompt and output uniform in 1..512
};

struct PagingScenario {
    WorkloadPreset preset = WorkloadPreset::ShareGptLike;
    std::int64_t n_requests = 200;
    std::uint64_t seed = 1;
    std::int64_t system_prompt = 128;  // tokens of a shared system prompt
    double shared_fraction = 0.5;      // share of requests that start with it
    std::int64_t block_size = 16;      // token slots per block (paged; the grid's cell size)
    std::int64_t budget_blocks = 512;  // KV budget: budget_blocks x block_size token slots
    PolicyKind shown = PolicyKind::PagedPrefix;  // the policy on the grid
};

/// Limits of the inputs (beyond them a run or the grid would be unreasonably large).
inline constexpr std::int64_t kMaxPagingRequests = 10'000;
inline constexpr std::int64_t kMaxPagingBlocks = 65'536;
inline constexpr std::int64_t kPagingMaxSeq = 2048;  // prompt + output; contiguous-max reserves it

enum class PagingField { Requests, SystemPrompt, SharedFraction, BlockSize, Budget };

/// An input the study cannot run, naming the field.
class PagingInputError : public InputError {
public:
    PagingInputError(PagingField field, const std::string& message)
        : InputError(message), m_field(field) {}
    PagingField field() const { return m_field; }

private:
    PagingField m_field;
};

/// Throws PagingInputError for a scenario the study cannot run.
void checkPagingScenario(const PagingScenario& scenario);
/// The workload of the scenario (max_seq kPagingMaxSeq, all requests arriving at step 0).
WorkloadSpec pagingWorkloadSpec(const PagingScenario& scenario);
/// The simulator config of `policy` under the scenario's block size and budget.
SimConfig pagingSimConfig(const PagingScenario& scenario, PolicyKind policy);

/// The four policies in the order the view lists them.
inline constexpr PolicyKind kPagingPolicies[] = {PolicyKind::ContiguousMax,
                                                 PolicyKind::ContiguousExact, PolicyKind::Paged,
                                                 PolicyKind::PagedPrefix};

struct PolicyRun {
    PolicyKind policy = PolicyKind::Paged;
    std::string error;  // why this policy cannot run the workload ("" when it ran)
    SimResult result;
    TimelineSeries series;
};

struct PagingStudy {
    PagingScenario scenario;
    std::vector<Request> requests;
    std::vector<PolicyRun> runs;  // one per kPagingPolicies entry, in that order
    bool cancelled = false;

    const PolicyRun& run(PolicyKind policy) const;
};

/// Checks the scenario (PagingInputError), generates the workload and simulates it under every
/// policy; a policy that cannot run it (a request never fits) gets its error and no result.
/// Series have at most `max_points` points. `progress` (may be empty) gets the fraction done;
/// false cancels (the study then has cancelled set).
PagingStudy runPagingStudy(const PagingScenario& scenario, std::int64_t max_points,
                           const ProgressFn& progress = {});

}  // namespace kvscope::sim
