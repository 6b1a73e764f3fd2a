#pragma once
// The sequence so far as a row of chips: special tokens grey, the prompt blue, generated tokens
// amber, the sampled-but-not-yet-fed next token dashed. Wraps onto a few lines; when the sequence
// outgrows them, the earliest chips give way to a "… N earlier" chip.
#include <QColor>
#include <QString>
#include <QWidget>
#include <vector>

namespace kvscope {

enum class TokenRole { Special, Prompt, Generated, Pending };

struct TokenChip {
    QString label;
    TokenRole role = TokenRole::Prompt;
};

struct ChipColors {
    QColor fill;
    QColor border;
    QColor text;
};
/// The colours of one role, shared with the legend.
ChipColors chipColors(TokenRole role);

class TokenStrip : public QWidget {
    Q_OBJECT
public:
    explicit TokenStrip(QWidget* parent = nullptr);

    void setTokens(std::vector<TokenChip> tokens);
    void clear() { setTokens({}); }
    const std::vector<TokenChip>& tokens() const { return m_tokens; }
    int tokenCount() const { return int(m_tokens.size()); }
    int count(TokenRole role) const;
    /// Chips shown at the current size (the rest are summarised by the "earlier" chip).
    int visibleCount() const;

    void setMaxRows(int rows);
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override { return sizeHint(); }

protected:
    void paintEvent(QPaintEvent* event) override;

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

    std::vector<TokenChip> m_tokens;
    int m_max_rows = 3;
};

}  // namespace kvscope
