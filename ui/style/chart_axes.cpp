#include "ui/style/chart_axes.h"

#include <QCategoryAxis>
#include <QStringList>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>
#include <vector>

namespace kvscope {

namespace {

struct Step {
    double size = 1;
    int n = 1;  // steps to reach the maximum
};

/// Of `candidates` (ascending), the step giving closest to 5 steps up to `max` (3 to 8 allowed);
/// on a tie the lower top (a max of 1 gets one step of 1, not of the largest candidate), then
/// the larger step. `max_steps` (1 to 8) caps the steps where the axis is short: then the
/// target is min(5, max_steps) and fewer than min(3, max_steps) steps are avoided.
template <class Candidates>
Step chooseStep(double max, const Candidates& candidates, int max_steps) {
    max_steps = std::clamp(max_steps, 1, 8);
    const int target = std::min(5, max_steps);
    const int fewest = std::min(3, max_steps);
    Step best{std::numeric_limits<double>::infinity(), 1};
    int best_score = 1 << 30;
    for (const double size : candidates) {
        const int n = std::max(1, int(std::ceil(max / size - 1e-9)));
        if (n > max_steps) continue;
        const int score = std::abs(n - target) + (n < fewest ? 10 : 0);
        const bool lower_top = size * n < best.size * best.n;
        if (score < best_score ||
            (score == best_score && (lower_top || size * n == best.size * best.n))) {
            best = {size, n};
            best_score = score;
        }
    }
    return std::isfinite(best.size) ? best : Step{};
}

/// `value` with up to 3 significant digits in fixed notation, trailing zeros dropped.
QString threeDigits(double value) {
    if (value == 0) return QStringLiteral("0");
    const int magnitude = int(std::floor(std::log10(std::abs(value))));
    QString text = QString::number(value, 'f', std::clamp(2 - magnitude, 0, 12));
    if (text.contains(QLatin1Char('.'))) {
        while (text.endsWith(QLatin1Char('0')))
            text.chop(1);
        if (text.endsWith(QLatin1Char('.'))) text.chop(1);
    }
    return text;
}

/// 1, 2 and 5 times the powers of ten from 10^-6 to 10^18.
std::vector<double> decimalSteps() {
    std::vector<double> steps;
    for (int e = -6; e <= 18; ++e) {
        for (const int m : {1, 2, 5})
            steps.push_back(m * std::pow(10.0, e));
    }
    return steps;
}

void fill(QCategoryAxis& axis, const Step& step, const std::function<QString(int)>& label) {
    QStringList labels;
    for (int i = 0; i <= step.n; ++i)
        labels << label(i);
    const double top = step.size * step.n;
    if (axis.categoriesLabels() == labels && axis.max() == top) return;  // unchanged: no relayout
    for (const QString& old : axis.categoriesLabels())
        axis.remove(old);
    axis.setStartValue(0);
    for (int i = 0; i <= step.n; ++i)
        axis.append(labels[i], step.size * i);
    axis.setRange(0, top);
    axis.setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
}

}  // namespace

void setByteTicks(QCategoryAxis& axis, double max_bytes, int max_steps) {
    static constexpr std::array<const char*, 6> kUnits = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    static constexpr std::array<int, 9> kMultiples = {1, 2, 5, 10, 20, 50, 100, 200, 500};
    std::vector<double> candidates;
    for (std::size_t u = 0; u < kUnits.size(); ++u) {
        for (const int m : kMultiples)
            candidates.push_back(std::ldexp(double(m), int(10 * u)));
    }
    const Step step = chooseStep(std::max(max_bytes, 1.0), candidates, max_steps);
    // The unit is the largest one the step is a whole multiple of.
    std::size_t unit = 0;
    while (unit + 1 < kUnits.size() && step.size >= std::ldexp(1.0, int(10 * (unit + 1))))
        ++unit;
    const double unit_bytes = std::ldexp(1.0, int(10 * unit));
    fill(axis, step, [&](int i) {
        if (i == 0) return QStringLiteral("0");
        return QString::number(step.size * i / unit_bytes, 'g', 6) + QLatin1Char(' ') +
               QLatin1String(kUnits[unit]);
    });
}

QString formatFlops(double flops) {
    static constexpr std::array<const char*, 6> kPrefixes = {"", "k", "M", "G", "T", "P"};
    if (flops == 0 || !std::isfinite(flops)) return flops == 0 ? QStringLiteral("0") : QString();
    const QString sign = flops < 0 ? QStringLiteral("-") : QString();
    double value = std::abs(flops);
    std::size_t prefix = 0;
    // Round first so that 999,999 FLOP reads "1 MFLOP", not "1000 kFLOP".
    while (prefix + 1 < kPrefixes.size() && threeDigits(value).toDouble() >= 1000) {
        value /= 1000;
        ++prefix;
    }
    return sign + threeDigits(value) + QLatin1Char(' ') + QLatin1String(kPrefixes[prefix]) +
           QStringLiteral("FLOP");
}

QString formatMilliseconds(double ms) {
    if (ms == 0 || !std::isfinite(ms)) return ms == 0 ? QStringLiteral("0") : QString();
    if (threeDigits(std::abs(ms)).toDouble() >= 1000)
        return threeDigits(ms / 1000) + QStringLiteral(" s");
    return threeDigits(ms) + QStringLiteral(" ms");
}

void setFlopTicks(QCategoryAxis& axis, double max_flops, int max_steps) {
    std::vector<double> whole;  // no fractions of a FLOP
    for (const double size : decimalSteps()) {
        if (size >= 1) whole.push_back(size);
    }
    const Step step = chooseStep(std::max(max_flops, 1.0), whole, max_steps);
    fill(axis, step, [&](int i) { return formatFlops(step.size * i); });
}

void setMillisecondTicks(QCategoryAxis& axis, double max_ms, int max_steps) {
    const Step step = chooseStep(std::max(max_ms, 1e-3), decimalSteps(), max_steps);
    fill(axis, step, [&](int i) { return formatMilliseconds(step.size * i); });
}

void setTokenTicks(QCategoryAxis& axis, double max_tokens, int max_steps) {
    std::vector<double> candidates;
    for (int j = 0; j <= 40; ++j)
        candidates.push_back(std::ldexp(1.0, j));
    const Step step = chooseStep(std::max(max_tokens, 1.0), candidates, max_steps);
    fill(axis, step, [&](int i) {
        const double v = step.size * i;
        if (i == 0) return QStringLiteral("0");
        if (std::fmod(v, std::ldexp(1.0, 30)) == 0) {
            return QString::number(v / std::ldexp(1.0, 30), 'g', 8) + QLatin1Char('G');
        }
        if (std::fmod(v, std::ldexp(1.0, 20)) == 0) {
            return QString::number(v / std::ldexp(1.0, 20), 'g', 8) + QLatin1Char('M');
        }
        if (std::fmod(v, 1024.0) == 0)
            return QString::number(v / 1024.0, 'g', 8) + QLatin1Char('K');
        return QString::number(v, 'g', 12);
    });
}

}  // namespace kvscope
