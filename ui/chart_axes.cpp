#include "ui/chart_axes.h"

#include <QCategoryAxis>
#include <QStringList>
#include <array>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <vector>

namespace kvscope {

namespace {

struct Step {
    double size = 1;
    int n = 1;  // steps to reach the maximum
};

/// Of `candidates` (ascending), the step giving closest to 5 steps up to `max` (3 to 8 allowed),
/// the larger step on a tie.
template <class Candidates>
Step chooseStep(double max, const Candidates& candidates) {
    Step best;
    int best_score = 1 << 30;
    for (const double size : candidates) {
        const int n = std::max(1, int(std::ceil(max / size - 1e-9)));
        if (n > 8) continue;
        const int score = std::abs(n - 5) + (n < 3 ? 10 : 0);
        if (score <= best_score) {
            best = {size, n};
            best_score = score;
        }
    }
    return best;
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

void setByteTicks(QCategoryAxis& axis, double max_bytes) {
    static constexpr std::array<const char*, 6> kUnits = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    static constexpr std::array<int, 9> kMultiples = {1, 2, 5, 10, 20, 50, 100, 200, 500};
    std::vector<double> candidates;
    for (std::size_t u = 0; u < kUnits.size(); ++u) {
        for (const int m : kMultiples)
            candidates.push_back(std::ldexp(double(m), int(10 * u)));
    }
    const Step step = chooseStep(std::max(max_bytes, 1.0), candidates);
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

void setTokenTicks(QCategoryAxis& axis, double max_tokens) {
    std::vector<double> candidates;
    for (int j = 0; j <= 40; ++j)
        candidates.push_back(std::ldexp(1.0, j));
    const Step step = chooseStep(std::max(max_tokens, 1.0), candidates);
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
