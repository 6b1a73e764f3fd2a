#include "core/sim/workload.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/model/random_weights.h"
#include "core/sim/sim_types.h"
#include "core/util/checked_math.h"
#include "core/util/error.h"

namespace kvscope::sim {

namespace {

// Standard normal by Box-Muller from two uniforms of the seeded stream.
double standardNormal(SeededStream& rng) {
    const double u1 = 1.0 - rng.uniform();  // (0, 1]
    const double u2 = rng.uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

std::int64_t drawLength(const LengthDist& d, SeededStream& rng) {
    switch (d.kind) {
        case LengthKind::Fixed:
            return d.fixed;
        case LengthKind::Uniform:
            return d.min + std::int64_t(rng.uniform() * double(d.max - d.min + 1));
        case LengthKind::LogNormal: {
            const double x = d.median * std::exp(d.sigma * standardNormal(rng));
            return std::clamp<std::int64_t>(
                checkedRound(std::min<long double>(x, 1ll << 40), "a lognormal length"), 1,
                std::int64_t(1) << 40);
        }
    }
    return 1;
}

void checkDist(const LengthDist& d, const char* what) {
    const std::string name(what);
    if (d.kind == LengthKind::Fixed && d.fixed < 1)
        throw InputError(name + ": fixed length must be >= 1");
    if (d.kind == LengthKind::Uniform && (d.min < 1 || d.max < d.min))
        throw InputError(name + ": uniform range must satisfy 1 <= min <= max");
    if (d.kind == LengthKind::LogNormal &&
        !(d.median >= 1.0 && d.sigma >= 0.0 && std::isfinite(d.median) && std::isfinite(d.sigma)))
        throw InputError(name + ": lognormal needs median >= 1 and sigma >= 0");
}

// Keeps prompt >= 1, output >= 1 and prompt + output <= max_seq (the prompt wins ties).
void clip(Request& r, std::int64_t max_seq) {
    r.prompt_len = std::clamp<std::int64_t>(r.prompt_len, 1, max_seq - 1);
    r.output_len = std::clamp<std::int64_t>(r.output_len, 1, max_seq - r.prompt_len);
}

}  // namespace

WorkloadSpec shareGptLikeSpec() {
    WorkloadSpec spec;
    spec.prompt = {LengthKind::LogNormal, 0, 0, 0, 160.0, 1.0};
    spec.output = {LengthKind::LogNormal, 0, 0, 0, 200.0, 0.9};
    return spec;
}

void checkWorkloadSpec(const WorkloadSpec& spec) {
    if (spec.n_requests < 1 || spec.n_requests > kMaxRequests)
        throw InputError("requests: must be in [1, " + std::to_string(kMaxRequests) + "], got " +
                         std::to_string(spec.n_requests));
    if (spec.max_seq < 2 || spec.max_seq > kMaxSeqLen)
        throw InputError("max_seq: must be in [2, " + std::to_string(kMaxSeqLen) + "], got " +
                         std::to_string(spec.max_seq));
    if (spec.arrivals == ArrivalKind::Poisson && !(spec.rate > 0.0 && std::isfinite(spec.rate)))
        throw InputError("rate: must be a finite number > 0");
    checkDist(spec.prompt, "prompt length");
    checkDist(spec.output, "output length");
    if (spec.system_prompt < 0 || spec.system_prompt >= spec.max_seq - 1)
        throw InputError("system prompt: must be in [0, max_seq - 2]");
    if (!(spec.shared_fraction >= 0.0 && spec.shared_fraction <= 1.0))
        throw InputError("shared fraction: must be in [0, 1]");
    if (spec.samples < 1 || spec.samples > 64) throw InputError("samples: must be in [1, 64]");
}

void applySharedPrompt(std::vector<Request>& requests, const WorkloadSpec& spec) {
    SeededStream rng(spec.seed ^ 0x5eedf00dcafe1234ull);
    for (Request& r : requests) {
        r.samples = spec.samples;
        if (spec.system_prompt > 0 && rng.uniform() < spec.shared_fraction) {
            r.prompt_len += spec.system_prompt;
            r.shared_prefix = spec.system_prompt;
        }
        clip(r, spec.max_seq);
        r.shared_prefix = std::min(r.shared_prefix, r.prompt_len);
    }
}

std::vector<Request> generateWorkload(const WorkloadSpec& spec) {
    checkWorkloadSpec(spec);
    SeededStream rng(spec.seed);
    std::vector<Request> requests;
    requests.reserve(std::size_t(spec.n_requests));
    double clock = 0.0;
    for (std::int64_t i = 0; i < spec.n_requests; ++i) {
        Request r;
        r.id = i;
        if (spec.arrivals == ArrivalKind::Poisson) {
            clock += -std::log(1.0 - rng.uniform()) / spec.rate;  // exponential gaps
            r.arrival = std::int64_t(clock);
        }
        r.prompt_len = drawLength(spec.prompt, rng);
        r.output_len = drawLength(spec.output, rng);
        requests.push_back(r);
    }
    applySharedPrompt(requests, spec);
    return requests;
}

}  // namespace kvscope::sim
