#include "core/cache/eviction_policy.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/util/check.h"
#include "core/util/error.h"

namespace kvscope {

namespace {

constexpr std::string_view kPolicyNames[] = {"full",      "h2o",  "knorm", "snapkv",
                                             "streaming", "tova", "window"};

std::string policyList() {
    std::string out;
    for (std::string_view name : kPolicyNames)
        out += (out.empty() ? "" : ", ") + std::string(name);
    return out;
}

/// The `n` most recent slots of `n_held` (ascending).
std::vector<std::int64_t> mostRecent(std::int64_t n_held, std::int64_t n) {
    std::vector<std::int64_t> out;
    for (std::int64_t i = std::max<std::int64_t>(0, n_held - n); i < n_held; ++i)
        out.push_back(i);
    return out;
}

/// Adds to `kept` the `n` slots not yet kept with the highest score (lowest when `lowest`), ties
/// to the more recent slot; returns `kept` sorted.
std::vector<std::int64_t> addBest(std::vector<std::int64_t> kept, const std::vector<double>& score,
                                  std::int64_t n, bool lowest) {
    std::vector<bool> taken(score.size(), false);
    for (std::int64_t s : kept)
        taken[std::size_t(s)] = true;
    std::vector<std::int64_t> candidates;
    candidates.reserve(score.size());
    for (std::size_t i = 0; i < score.size(); ++i)
        if (!taken[i]) candidates.push_back(std::int64_t(i));
    // A strict total order (score, then the more recent first), so the selection is the same
    // whatever the algorithm: nth_element is O(n) per step instead of a full sort.
    const auto better = [&](std::int64_t a, std::int64_t b) {
        const double sa = score[std::size_t(a)], sb = score[std::size_t(b)];
        if (sa != sb) return lowest ? sa < sb : sa > sb;
        return a > b;
    };
    const std::int64_t take = std::min<std::int64_t>(n, std::int64_t(candidates.size()));
    if (take > 0 && take + 1 == std::int64_t(candidates.size())) {
        // One entry goes (every decode step at the budget): the worst candidate, found in one
        // pass; everything else is kept.
        std::int64_t worst = candidates[0];
        for (std::int64_t c : candidates)
            if (better(worst, c)) worst = c;
        std::vector<std::int64_t> all;
        all.reserve(score.size() - 1);
        for (std::int64_t i = 0; i < std::int64_t(score.size()); ++i)
            if (i != worst) all.push_back(i);
        return all;
    }
    if (take > 0 && take < std::int64_t(candidates.size()))
        std::nth_element(candidates.begin(), candidates.begin() + take, candidates.end(), better);
    kept.insert(kept.end(), candidates.begin(), candidates.begin() + take);
    std::sort(kept.begin(), kept.end());
    return kept;
}

const std::vector<double>& scoresOf(const EvictionInput& in) {
    KVSCOPE_EXPECTS(in.scores && in.scores->size() == in.positions->size());
    return *in.scores;
}

}  // namespace

std::string_view toString(EvictionPolicy policy) {
    switch (policy) {
        case EvictionPolicy::Full:
            return "full";
        case EvictionPolicy::Window:
            return "window";
        case EvictionPolicy::Streaming:
            return "streaming";
        case EvictionPolicy::H2O:
            return "h2o";
        case EvictionPolicy::Tova:
            return "tova";
        case EvictionPolicy::SnapKV:
            return "snapkv";
        case EvictionPolicy::KNorm:
            return "knorm";
    }
    return "?";
}

std::string_view toString(EvictionPositions positions) {
    return positions == EvictionPositions::Original ? "original" : "rerotate";
}

std::string_view toString(BudgetShape shape) {
    return shape == BudgetShape::Uniform ? "uniform" : "pyramid";
}

std::vector<EvictionPolicy> allEvictionPolicies() {
    return {EvictionPolicy::Full, EvictionPolicy::Window, EvictionPolicy::Streaming,
            EvictionPolicy::H2O,  EvictionPolicy::Tova,   EvictionPolicy::SnapKV,
            EvictionPolicy::KNorm};
}

EvictionPolicy parseEvictionPolicy(std::string_view text, std::string_view flag) {
    for (EvictionPolicy p : allEvictionPolicies())
        if (toString(p) == text) return p;
    throw InputError(std::string(flag) + ": unknown eviction policy '" + std::string(text) +
                     "' (one of " + policyList() + ")");
}

EvictionPositions parseEvictionPositions(std::string_view text, std::string_view flag) {
    if (text == "original") return EvictionPositions::Original;
    if (text == "rerotate") return EvictionPositions::Rerotate;
    throw InputError(std::string(flag) + ": '" + std::string(text) +
                     "' is not original or rerotate");
}

BudgetShape parseBudgetShape(std::string_view text, std::string_view flag) {
    if (text == "uniform") return BudgetShape::Uniform;
    if (text == "pyramid") return BudgetShape::Pyramid;
    throw InputError(std::string(flag) + ": '" + std::string(text) + "' is not uniform or pyramid");
}

bool EvictionSpec::needsAttention() const {
    return policy == EvictionPolicy::H2O || policy == EvictionPolicy::Tova ||
           policy == EvictionPolicy::SnapKV;
}

bool EvictionSpec::headWise() const {
    return per_head && (policy == EvictionPolicy::H2O || policy == EvictionPolicy::Tova ||
                        policy == EvictionPolicy::SnapKV || policy == EvictionPolicy::KNorm);
}

std::int64_t EvictionSpec::effectiveWindow() const {
    if (window > 0) return window;
    if (policy == EvictionPolicy::H2O) return std::max<std::int64_t>(1, budget / 2);
    if (policy == EvictionPolicy::SnapKV)
        return std::max<std::int64_t>(1, std::min<std::int64_t>(32, budget / 4));
    return 0;
}

std::string EvictionSpec::label() const {
    std::string out(toString(policy));
    if (!bounded()) return out;
    out += " b" + std::to_string(budget);
    if (policy == EvictionPolicy::Streaming) out += " s" + std::to_string(sinks);
    if (policy == EvictionPolicy::H2O || policy == EvictionPolicy::SnapKV)
        out += " w" + std::to_string(effectiveWindow());
    if (positions == EvictionPositions::Rerotate) out += " rerotate";
    if (headWise()) out += " per-head";
    if (shape == BudgetShape::Pyramid) out += " pyramid";
    return out;
}

void checkEvictionSpec(const EvictionSpec& spec, std::int64_t max_context) {
    if (spec.window < 0 || spec.window > max_context) {
        throw InputError("--window: " + std::to_string(spec.window) +
                         " is outside [0, the context " + std::to_string(max_context) + "]");
    }
    if (!spec.bounded()) return;
    if (spec.budget < 1) {
        throw InputError("--budget: a bounded cache needs a budget of at least 1 entry, got " +
                         std::to_string(spec.budget));
    }
    if (spec.sinks < 0)
        throw InputError("--sinks: must be >= 0, got " + std::to_string(spec.sinks));
    if (spec.policy == EvictionPolicy::Streaming && spec.budget <= spec.sinks) {
        throw InputError("--budget: " + std::to_string(spec.budget) +
                         " must exceed the sink count (--sinks " + std::to_string(spec.sinks) +
                         ") so that the newest token fits");
    }
    if (spec.effectiveWindow() >= spec.budget &&
        (spec.policy == EvictionPolicy::H2O || spec.policy == EvictionPolicy::SnapKV)) {
        throw InputError("--window: " + std::to_string(spec.effectiveWindow()) +
                         " must be below the budget (--budget " + std::to_string(spec.budget) +
                         ")");
    }
    if (spec.pool < 1 || spec.pool % 2 == 0) {
        throw InputError("--pool: the pooling kernel must be odd and positive, got " +
                         std::to_string(spec.pool));
    }
}

std::vector<std::int64_t> layerBudgets(const EvictionSpec& spec, std::int64_t n_layers) {
    KVSCOPE_EXPECTS(n_layers >= 1);
    std::vector<std::int64_t> out(std::size_t(n_layers), spec.budget);
    if (spec.shape == BudgetShape::Uniform || n_layers == 1 || !spec.bounded()) return out;
    const std::int64_t floor = std::min(spec.budget, spec.sinks + 2);
    std::int64_t total = 0;
    for (std::int64_t l = 0; l < n_layers; ++l) {
        const double ramp = 1.5 - double(l) / double(n_layers - 1);  // 1.5 .. 0.5
        out[std::size_t(l)] =
            std::max(floor, std::int64_t(std::llround(ramp * double(spec.budget))));
        total += out[std::size_t(l)];
    }
    // Rounding and the floor: give back (or take) the difference from the lowest layers first.
    std::int64_t diff = n_layers * spec.budget - total;
    for (std::int64_t l = 0; diff != 0; l = (l + 1) % n_layers) {
        std::int64_t& b = out[std::size_t(l)];
        if (diff > 0) {
            ++b, --diff;
        } else if (b > floor) {
            --b, ++diff;
        } else if (std::all_of(out.begin(), out.end(),
                               [&](std::int64_t x) { return x <= floor; })) {
            break;
        }
    }
    return out;
}

std::vector<double> maxPool1d(const std::vector<double>& scores, std::int64_t kernel) {
    KVSCOPE_EXPECTS(kernel >= 1 && kernel % 2 == 1);
    const std::int64_t n = std::int64_t(scores.size()), half = kernel / 2;
    std::vector<double> out(scores.size());
    for (std::int64_t i = 0; i < n; ++i) {
        double m = scores[std::size_t(i)];
        for (std::int64_t j = std::max<std::int64_t>(0, i - half); j <= std::min(n - 1, i + half);
             ++j)
            m = std::max(m, scores[std::size_t(j)]);
        out[std::size_t(i)] = m;
    }
    return out;
}

std::vector<std::int64_t> selectKept(const EvictionSpec& spec, const EvictionInput& in,
                                     std::int64_t target) {
    KVSCOPE_EXPECTS(target >= 1 && in.positions);
    const std::vector<std::int64_t>& pos = *in.positions;
    const std::int64_t n = std::int64_t(pos.size());
    if (n <= target || !spec.bounded()) return mostRecent(n, n);
    switch (spec.policy) {
        case EvictionPolicy::Full:
        case EvictionPolicy::Window:
            return mostRecent(n, target);
        case EvictionPolicy::Streaming: {
            // Sinks: the held entries of the first `sinks` positions (they are never evicted, so
            // they are the first slots).
            std::vector<std::int64_t> kept;
            const std::int64_t n_sinks = std::min(spec.sinks, target);
            for (std::int64_t i = 0; i < n_sinks; ++i)
                kept.push_back(i);
            for (std::int64_t i = std::max(n_sinks, n - (target - n_sinks)); i < n; ++i)
                kept.push_back(i);
            return kept;
        }
        case EvictionPolicy::H2O: {
            const std::int64_t recent = std::min(spec.effectiveWindow(), target);
            return addBest(mostRecent(n, recent), scoresOf(in), target - recent, false);
        }
        case EvictionPolicy::Tova:
            return addBest({}, scoresOf(in), target, false);
        case EvictionPolicy::KNorm:
            return addBest({}, scoresOf(in), target, true);
        case EvictionPolicy::SnapKV: {
            if (in.after_prefill) {
                const std::int64_t obs = std::min(spec.effectiveWindow(), target);
                std::vector<double> pooled = maxPool1d(scoresOf(in), spec.pool);
                return addBest(mostRecent(n, obs), pooled, target - obs, false);
            }
            // Decode: the compressed prompt stays; the generated entries slide.
            std::vector<std::int64_t> prompt, generated;
            for (std::int64_t i = 0; i < n; ++i)
                (pos[std::size_t(i)] < in.prompt_length ? prompt : generated).push_back(i);
            if (std::int64_t(prompt.size()) >= target) return mostRecent(n, target);
            const std::int64_t room = target - std::int64_t(prompt.size());
            for (std::int64_t i = std::max<std::int64_t>(0, std::int64_t(generated.size()) - room);
                 i < std::int64_t(generated.size()); ++i)
                prompt.push_back(generated[std::size_t(i)]);
            return prompt;
        }
    }
    return mostRecent(n, target);
}

}  // namespace kvscope
