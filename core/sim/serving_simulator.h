#pragma once
// ServingSimulator: a continuous-batching scheduler (vLLM-style) over one allocation policy.
//
// Each simulated step computes at most `token_budget` tokens: running requests go first in
// arrival order (a decode is one token per sample; a prompt is prefilled in chunks), then waiting
// requests are admitted first-come first-served while the policy has memory for them. A request
// with n samples prefills its prompt once, then forks. When a write finds no free block, the
// latest-arriving running request is preempted by recompute: its blocks are freed and it goes
// back to the waiting queue; when readmitted it recomputes its prompt and the tokens it had
// generated (they are not counted as generated again). Contiguous policies never preempt: their
// reservation covers the whole request.
#include <vector>

#include "core/sim/sim_types.h"
#include "core/sim/workload.h"

namespace kvscope::sim {

/// Throws InputError naming the field for a config the simulator cannot run (block size outside
/// 1..128, fewer slots than one block, a token budget below the samples of a request, ...).
void checkSimConfig(const SimConfig& config);

/// Throws InputError for requests the simulator cannot run under `config`: none at all, ids not
/// 0..n-1 or arrivals going back, lengths outside 1..max_seq, more samples than the token budget,
/// or a request that can never fit the KV budget (naming the request and the policy).
void checkRequests(const std::vector<Request>& requests, const SimConfig& config);

/// Simulates `requests` (ids 0..n-1, arrivals non-decreasing) to completion. Deterministic: the
/// same inputs give the same result. Throws InputError naming a request that can never fit.
/// `progress` (may be empty) is called every few hundred steps with the fraction of requests
/// finished; when it returns false the run stops with `cancelled` set.
SimResult simulateServing(const std::vector<Request>& requests, const SimConfig& config,
                          const ProgressFn& progress = {});

/// Nearest-rank percentiles of `values` (0 for an empty list).
Percentiles percentiles(std::vector<double> values);

}  // namespace kvscope::sim
