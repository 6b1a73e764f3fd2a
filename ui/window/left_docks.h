#pragma once
// The docks on the left of the window, top to bottom: the most probable next tokens of the step on
// screen, then the scenario panel with the model's shape behind a tab. Kept in step with the
// TraceModel. They drive the Generate view; the window hides them (setShown()) while another view
// or a lesson needs the width.
#include <QList>
#include <QObject>

class QDockWidget;
class QLabel;
class QMainWindow;

namespace kvscope {

class ScenarioPanel;
class TopKView;
class TraceModel;

class LeftDocks : public QObject {
    Q_OBJECT
public:
    /// Docks `scenario` and the other two in `window`'s left area (`window` is the parent too).
    LeftDocks(QMainWindow* window, TraceModel* trace, ScenarioPanel* scenario);

    /// Next token, scenario, model: in View menu order.
    QList<QDockWidget*> docks() const { return m_docks; }
    TopKView* topK() const { return m_top_k; }
    /// The model's shape (model_summary.h).
    QLabel* modelFacts() const { return m_model_facts; }

    /// Shows the docks, the scenario in front of the model, or hides them.
    void setShown(bool shown);

private:
    void refresh();

    TraceModel* m_trace;
    TopKView* m_top_k = nullptr;
    QLabel* m_model_facts = nullptr;
    QList<QDockWidget*> m_docks;
};

}  // namespace kvscope
