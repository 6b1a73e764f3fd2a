#pragma once
// The two free greedy texts of the Quantization view side by side: fp32's and the codec's, each
// continuing the same prompt (the Eviction view names its reference "full cache"). The prompt is
// muted; the first token where the codec's text leaves fp32's is highlighted on both sides, and
// what follows it on the codec's side is tinted.
#include <QStringList>
#include <QWidget>
#include <cstdint>

class QLabel;
class QTextBrowser;

namespace kvscope {

class QuantTexts : public QWidget {
    Q_OBJECT
public:
    explicit QuantTexts(QWidget* parent = nullptr);

    /// `reference` and `spec`: the generated tokens' texts (same count). first_divergence: the
    /// 1-based step whose token differs first, 0 when none does (QuantEvalRow's convention).
    void setTexts(const QString& prompt, const QStringList& reference, const QStringList& spec,
                  const QString& spec_label, std::int64_t first_divergence);
    void clear();
    /// What the left text is ("fp32" unless set): the reference the other is compared with.
    void setReferenceLabel(const QString& label);

    std::int64_t firstDivergence() const { return m_first_divergence; }
    /// The highlighted tokens {fp32's, the codec's}; empty when the texts agree.
    QStringList highlighted() const;
    QTextBrowser* referenceText() const { return m_reference; }
    QTextBrowser* specText() const { return m_spec; }
    QLabel* verdict() const { return m_verdict; }

protected:
    void changeEvent(QEvent* event) override;

private:
    void render();

    QLabel* m_reference_title = nullptr;
    QLabel* m_spec_title = nullptr;
    QLabel* m_verdict = nullptr;
    QTextBrowser* m_reference = nullptr;
    QTextBrowser* m_spec = nullptr;
    QString m_prompt, m_spec_label;
    QString m_reference_label = QStringLiteral("fp32");
    QStringList m_reference_tokens, m_spec_tokens;
    std::int64_t m_first_divergence = 0;
};

}  // namespace kvscope
