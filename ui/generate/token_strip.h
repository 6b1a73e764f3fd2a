#pragma once
// The sequence so far as a row of chips: special tokens grey, the prompt blue, generated tokens
// amber, the sampled-but-not-yet-fed next token dashed, the tokens of the step on screen ringed.
// With a bounded cache, tokens the cache no longer holds are greyed and struck through and
// StreamingLLM's sinks carry an anchor. Wraps onto a few lines; when the sequence outgrows them,
// the earliest chips give way to a "… N earlier" chip. Hovering a chip shows its tooltip;
// clicking it emits its position.
#include <QColor>
#include <QRectF>
#include <QString>
#include <QWidget>
#include <vector>

class QPainter;

namespace kvscope {

enum class TokenRole { Special, Prompt, Generated, Pending };

struct TokenChip {
    QString label;
    TokenRole role = TokenRole::Prompt;
    int position = -1;     // sequence position, -1 for the pending token
    bool current = false;  // fed by the step on screen: drawn with a bold ring
    bool evicted = false;  // a bounded cache no longer holds it: greyed and struck through
    bool sink = false;     // an attention sink the cache always keeps: an anchor in the corner
    QString tooltip;       // rich text shown on hover
};

struct ChipColors {
    QColor fill;
    QColor border;
    QColor text;
};
/// The colours of one role, shared with the legend.
ChipColors chipColors(TokenRole role);
/// The colours of an evicted token, whatever its role; the sink anchor's colour.
ChipColors evictedChipColors();
QColor sinkColor();
/// The sink mark drawn in a chip's corner and in the legend.
inline constexpr char16_t kSinkGlyph = u'\u2693';  // ⚓

class TokenStrip : public QWidget {
    Q_OBJECT
public:
    explicit TokenStrip(QWidget* parent = nullptr);

    void setTokens(std::vector<TokenChip> tokens);
    void clear() { setTokens({}); }
    const std::vector<TokenChip>& tokens() const { return m_tokens; }
    int tokenCount() const { return int(m_tokens.size()); }
    int count(TokenRole role) const;
    /// Positions of the chips drawn struck through / with the sink anchor, ascending.
    std::vector<int> evictedPositions() const;
    std::vector<int> sinkPositions() const;
    /// Where chip `index` (into tokens()) is drawn; empty when it is hidden behind "earlier".
    QRectF chipRect(int index) const;
    /// Chips shown at the current size (the rest are summarised by the "earlier" chip).
    int visibleCount() const;

    void setMaxRows(int rows);
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override { return {160, sizeHint().height()}; }

    /// The chip under `point` (widget coordinates), or -1.
    int chipAt(QPointF point) const;

signals:
    void positionClicked(int position);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    bool event(QEvent* event) override;

private:
    struct Placed {
        QRectF rect;
        int index;  // into m_tokens, or -1 for the "earlier" chip
        QString label;
    };
    std::vector<Placed> layout() const;
    std::vector<Placed> layoutFrom(int first) const;
    QSizeF chipSize(const QString& label) const;
    QString earlierLabel(int hidden) const;
    int rowsFitting() const;
    void paintSinkMark(QPainter& painter, const QRectF& chip) const;

    std::vector<TokenChip> m_tokens;
    int m_max_rows = 3;
};

}  // namespace kvscope
