#include "ui/generate/attention_images.h"

#include <QPainter>
#include <algorithm>
#include <cmath>

#include "core/util/check.h"
#include "ui/style/colormap.h"

namespace kvscope {

QColor attentionMaskedColor(const QPalette& palette) {
    const QColor base = palette.color(QPalette::Window);
    const QColor ink = palette.color(QPalette::WindowText);
    auto mix = [](int a, int b) { return (a * 10 + b) / 11; };
    return QColor(mix(base.red(), ink.red()), mix(base.green(), ink.green()),
                  mix(base.blue(), ink.blue()));
}

double attentionScale(double weight, bool log_scale) {
    if (!log_scale) return weight;
    if (!(weight > 0)) return 0;
    return std::clamp((std::log10(weight) - kLogScaleFloor) / -kLogScaleFloor, 0.0, 1.0);
}

void AttentionImages::clear() {
    m_images.clear();
    m_ends.clear();
    m_painted = 0;
}

void AttentionImages::update(std::span<const StepRecord> records, std::int64_t n_layers,
                             std::int64_t n_heads, bool log_scale, QRgb masked) {
    if (n_layers != m_layers || n_heads != m_heads || log_scale != m_log_scale ||
        masked != m_masked) {
        clear();
        m_layers = n_layers;
        m_heads = n_heads;
        m_log_scale = log_scale;
        m_masked = masked;
    }
    // Keep the painted prefix that still matches (an undo followed by a different step replaces
    // a record at the same index, so compare where each record ends and what it fed).
    std::int64_t keep = std::min<std::int64_t>(m_painted, std::int64_t(records.size()));
    for (std::int64_t r = 0; r < keep; ++r) {
        if (m_ends[std::size_t(r)] != records[std::size_t(r)].positionsAfter()) {
            keep = r;
            break;
        }
    }
    m_painted = keep;
    m_ends.resize(std::size_t(keep));
    if (records.size() > std::size_t(keep)) grow(records.back().positionsAfter());
    for (std::size_t r = std::size_t(keep); r < records.size(); ++r)
        paint(records[r]);
}

// Keeps every image at least n_pos square, doubling so appends are amortised. Cells not painted
// yet are all in the future of the rows painted so far: they start as masked.
void AttentionImages::grow(std::int64_t n_pos) {
    const int have = m_images.empty() ? 0 : m_images.front().width();
    if (n_pos <= have && std::int64_t(m_images.size()) == m_layers * m_heads) return;
    const int side = std::max<int>(int(n_pos), std::max(64, have * 2));
    std::vector<QImage> grown;
    grown.reserve(std::size_t(m_layers * m_heads));
    for (std::int64_t i = 0; i < m_layers * m_heads; ++i) {
        QImage image(side, side, QImage::Format_RGB32);
        image.fill(m_masked);
        if (i < std::int64_t(m_images.size())) {
            QPainter painter(&image);
            painter.drawImage(0, 0, m_images[std::size_t(i)]);
        }
        grown.push_back(std::move(image));
    }
    m_images = std::move(grown);
}

void AttentionImages::paint(const StepRecord& record) {
    const Colormap& map = Colormap::viridis();
    const std::int64_t n_layers =
        std::min<std::int64_t>(m_layers, std::int64_t(record.layers.size()));
    for (std::int64_t l = 0; l < n_layers; ++l) {
        const std::vector<Matrix>& heads = record.layers[std::size_t(l)].attention;
        for (std::int64_t h = 0; h < std::min<std::int64_t>(m_heads, std::int64_t(heads.size()));
             ++h) {
            const Matrix& rows = heads[std::size_t(h)];  // [n_query][first_pos + n_query]
            QImage& image = m_images[std::size_t(l * m_heads + h)];
            for (std::int64_t i = 0; i < rows.rows(); ++i) {
                const std::int64_t query = record.first_pos + i;
                auto* line = reinterpret_cast<QRgb*>(image.scanLine(int(query)));
                // Keys after the query are the causal mask (a prefill's rows hold 0 there).
                for (std::int64_t k = 0; k < rows.cols(); ++k) {
                    line[k] = k > query
                                  ? m_masked
                                  : map.color(attentionScale(double(rows(i, k)), m_log_scale));
                }
            }
        }
    }
    m_ends.push_back(record.positionsAfter());
    ++m_painted;
}

const QImage& AttentionImages::image(std::int64_t layer, std::int64_t head) const {
    KVSCOPE_EXPECTS(layer >= 0 && layer < m_layers && head >= 0 && head < m_heads);
    return m_images[std::size_t(layer * m_heads + head)];
}

}  // namespace kvscope
