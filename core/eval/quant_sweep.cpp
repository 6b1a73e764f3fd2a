#include "core/eval/quant_sweep.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/util/error.h"

namespace kvscope {

namespace {

/// Running sums of one codec over the sequences done so far.
struct Pool {
    QuantSweepRow row;
    double kl_sum = 0;
    double nll_sum = 0;  // sum over steps of -log p(next token)
};

void add(Pool& pool, const QuantEvalRow& row, const QuantEvalResult& result) {
    const std::int64_t n = result.n_steps;
    const std::int64_t matches =
        std::count(row.step_top1_match.begin(), row.step_top1_match.end(), true);
    pool.row.near_tie_misses += (n - matches) - decisiveMisses(result, row);
    pool.row.n_steps += n;
    pool.row.top1_matches += matches;
    pool.row.sequence_top1.push_back(double(matches) / double(n));
    pool.kl_sum += row.logits_kl_mean * double(n);
    pool.row.logits_kl_max = std::max(pool.row.logits_kl_max, row.logits_kl_max);
    pool.nll_sum += std::log(row.perplexity) * double(n);
}

QuantSweepRow finish(Pool pool, double reference_perplexity) {
    QuantSweepRow& row = pool.row;
    const double n = double(std::max<std::int64_t>(row.n_steps, 1));
    row.top1_agreement = double(row.top1_matches) / n;
    row.logits_kl_mean = pool.kl_sum / n;
    row.perplexity = std::exp(pool.nll_sum / n);
    row.perplexity_delta = row.perplexity - reference_perplexity;
    std::vector<double> sorted = row.sequence_top1;
    std::sort(sorted.begin(), sorted.end());
    if (!sorted.empty()) {
        const std::size_t mid = sorted.size() / 2;
        row.top1_min = sorted.front();
        row.top1_max = sorted.back();
        row.top1_median =
            sorted.size() % 2 == 1 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]);
    }
    return std::move(pool.row);
}

}  // namespace

QuantSweepResult runQuantSweep(std::shared_ptr<const Model> model,
                               std::span<const std::vector<TokenId>> sequences,
                               std::span<const KvCacheSpec> specs, QuantEvalOptions options,
                               const QuantSweepProgress& progress) {
    if (sequences.empty()) throw InputError("quant-eval sweep: no sequence to run");
    options.free_steps = 0;
    Pool reference;
    reference.row.label = KvCacheSpec{}.label();
    std::vector<Pool> pools(specs.size());
    for (std::size_t s = 0; s < specs.size(); ++s) {
        pools[s].row.spec = specs[s];
        pools[s].row.label = specs[s].label();
    }
    QuantSweepResult result;
    for (std::size_t q = 0; q < sequences.size(); ++q) {
        QuantEvalResult one;
        try {
            one = runQuantEval(model, sequences[q], specs, options);
        } catch (const InputError& e) {
            throw InputError("sequence " + std::to_string(q + 1) + ": " + e.what());
        }
        add(reference, one.reference, one);
        for (std::size_t s = 0; s < specs.size(); ++s)
            add(pools[s], one.rows[s], one);
        result.near_ties += nearTieCount(one);
        ++result.n_sequences;
        result.n_steps += one.n_steps;
        if (progress && !progress(std::int64_t(q) + 1, std::int64_t(sequences.size()))) {
            result.cancelled = q + 1 < sequences.size();
            break;
        }
    }
    result.reference = finish(std::move(reference), 0.0);
    result.reference.perplexity_delta = 0;
    for (Pool& pool : pools)
        result.rows.push_back(finish(std::move(pool), result.reference.perplexity));
    return result;
}

}  // namespace kvscope
