#pragma once
// Every head's attention matrix as an image, kept up to date as records arrive. Record r fills
// the rows of the positions it fed, so the picture after the first c records is the top-left
// n x n corner of the full image (n = positions after record c): the cursor picks a sub-rectangle
// and scrubbing never repaints. Only records not yet painted are painted.
#include <QColor>
#include <QImage>
#include <QPalette>
#include <span>
#include <vector>

#include "core/engine/step_record.h"

namespace kvscope {

class AttentionImages {
public:
    /// Paints the records not painted yet (all of them after a reset or when an earlier record
    /// or the colours changed). `log_scale`: colour log10(weight) over [1e-4, 1]. `masked`: the
    /// colour of future (key > query) cells, as the single-head heatmap draws them
    /// (attentionMaskedColor).
    void update(std::span<const StepRecord> records, std::int64_t n_layers, std::int64_t n_heads,
                bool log_scale, QRgb masked);
    void clear();

    /// [n_pos][n_pos] pixels; valid rows are those painted. Pre: layer, head in range.
    const QImage& image(std::int64_t layer, std::int64_t head) const;
    std::int64_t layers() const { return m_layers; }
    std::int64_t heads() const { return m_heads; }
    std::int64_t recordsPainted() const { return m_painted; }

private:
    void grow(std::int64_t n_pos);
    void paint(const StepRecord& record);

    std::int64_t m_layers = 0, m_heads = 0;
    bool m_log_scale = false;
    QRgb m_masked = qRgb(128, 128, 128);
    std::int64_t m_painted = 0;        // records painted, in order
    std::vector<std::int64_t> m_ends;  // [m_painted] positionsAfter of each painted record
    std::vector<QImage> m_images;      // [n_layers * n_heads]
};

/// The log scale's range: weights of 10^kLogScaleFloor and below share the darkest colour.
constexpr int kLogScaleFloor = -4;
/// The colour-bar value in [0, 1] of an attention weight: linear, or log10 over [1e-4, 1].
double attentionScale(double weight, bool log_scale);
/// The causal mask's colour (future cells): a quiet shade between the window and its text.
QColor attentionMaskedColor(const QPalette& palette);

}  // namespace kvscope
