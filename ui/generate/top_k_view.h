#pragma once
// The most probable next tokens of the last step as labelled bars; the sampled one stands out.
#include <QString>
#include <QWidget>
#include <vector>

namespace kvscope {

struct Candidate {
    QString label;
    double probability = 0;  // in [0, 1]
    bool chosen = false;     // the token the sampler picked
};

class TopKView : public QWidget {
    Q_OBJECT
public:
    explicit TopKView(QWidget* parent = nullptr);

    void setCandidates(std::vector<Candidate> candidates);
    void clear() { setCandidates({}); }
    const std::vector<Candidate>& candidates() const { return m_candidates; }

    QSize sizeHint() const override;
    /// The width of the label column: the widest label (at least "<0x00>"), at most 40% of the
    /// view's width; longer labels are elided.
    double labelColumnWidth() const;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    double rowHeight() const;
    std::vector<Candidate> m_candidates;
};

}  // namespace kvscope
