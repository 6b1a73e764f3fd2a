#pragma once
// Seeded request workloads for the serving simulator: when requests arrive and how long their
// prompts and outputs are. The same WorkloadSpec (seed included) gives the same requests.
//
// ShareGPT-like lengths are lognormal (heavy right tail), clipped so prompt + output <= max_seq:
//   prompt: median 160 tokens, sigma 1.0 (mean ~264); output: median 200 tokens, sigma 0.9
//   (mean ~300). These shapes follow the published ShareGPT statistics only roughly; they are a
//   teaching workload, not a replay.
#include <cstdint>
#include <string>
#include <vector>

namespace kvscope::sim {

enum class ArrivalKind { AllAtOnce, Poisson };
enum class LengthKind { Fixed, Uniform, LogNormal };

struct LengthDist {
    LengthKind kind = LengthKind::Fixed;
    std::int64_t fixed = 128;  // Fixed
    std::int64_t min = 1;      // Uniform, inclusive
    std::int64_t max = 256;    // Uniform, inclusive
    double median = 160.0;     // LogNormal: exp(mu)
    double sigma = 1.0;        // LogNormal
};

struct WorkloadSpec {
    std::int64_t n_requests = 1000;
    ArrivalKind arrivals = ArrivalKind::AllAtOnce;
    double rate = 1.0;  // Poisson: mean requests per simulated step
    LengthDist prompt;
    LengthDist output;
    std::int64_t max_seq = 2048;     // prompt + output of one sample never exceeds this
    std::int64_t system_prompt = 0;  // S tokens of a shared system prompt
    double shared_fraction = 0.0;    // share of requests whose prompt starts with it
    std::int64_t samples = 1;        // parallel samples per request (n > 1 forks)
    std::uint64_t seed = 1;
};

struct Request {
    std::int64_t id = 0;
    std::int64_t arrival = 0;        // simulated step
    std::int64_t prompt_len = 0;     // includes the shared system prompt when it has one
    std::int64_t output_len = 0;     // per sample
    std::int64_t shared_prefix = 0;  // 0 or WorkloadSpec::system_prompt
    std::int64_t samples = 1;
};

/// The ShareGPT-like spec described above (lognormal prompt and output lengths).
WorkloadSpec shareGptLikeSpec();
/// Throws InputError naming the field for a spec that cannot produce requests.
void checkWorkloadSpec(const WorkloadSpec& spec);
/// n_requests requests, ids 0.., arrivals non-decreasing. Throws InputError (checkWorkloadSpec).
std::vector<Request> generateWorkload(const WorkloadSpec& spec);
/// Adds the shared system prompt (to a seeded `shared_fraction` of requests) and the samples
/// count to requests that came from elsewhere (a CSV), clipping to max_seq like generateWorkload.
void applySharedPrompt(std::vector<Request>& requests, const WorkloadSpec& spec);

}  // namespace kvscope::sim
