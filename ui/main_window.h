#pragma once
// The KVScope main window: pick a model, type a prompt, prefill, step, reset; watch the token
// strip, one head's attention matrix, the next-token candidates and the cache size. Every view is
// refreshed from the Session's records; the window computes nothing itself.
#include <QMainWindow>
#include <memory>

#include "core/engine/session.h"
#include "core/model/model.h"

class QAction;
class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace kvscope {

class HeatmapWidget;
class TokenStrip;
class TopKView;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // What the toolbar does, callable from --screenshot and the tests. Failures show in the status
    // bar (lastError()) and return false; nothing throws.
    bool loadModel(const QString& reference);
    void setPrompt(const QString& text);
    bool prefill();
    bool step();
    void reset();
    void showHead(int layer, int head);

    const Session* session() const { return m_session.get(); }
    QString modelReference() const;
    QString lastError() const { return m_last_error; }

    TokenStrip* tokenStrip() const { return m_token_strip; }
    HeatmapWidget* heatmap() const { return m_heatmap; }
    TopKView* topK() const { return m_top_k; }
    QAction* prefillAction() const { return m_prefill; }
    QAction* stepAction() const { return m_step; }
    QAction* resetAction() const { return m_reset; }
    QComboBox* modelBox() const { return m_model_box; }
    QSpinBox* layerBox() const { return m_layer_box; }
    QSpinBox* headBox() const { return m_head_box; }

private:
    void buildActions();
    void buildToolBar();
    void buildCentralArea();
    void buildStatusBar();
    QWidget* buildSidePanel();

    void refresh();
    void refreshTokens();
    void refreshHeatmap();
    void refreshTopK();
    void refreshModelFacts();
    void refreshStatus();
    void refreshActions();
    void showError(const QString& message);
    void clearError();
    QString tokenLabel(TokenId id) const;

    std::shared_ptr<const Model> m_model;
    std::unique_ptr<Session> m_session;
    QString m_last_error;

    QAction* m_prefill = nullptr;
    QAction* m_step = nullptr;
    QAction* m_reset = nullptr;
    QComboBox* m_model_box = nullptr;
    QLineEdit* m_prompt = nullptr;
    QSpinBox* m_layer_box = nullptr;
    QSpinBox* m_head_box = nullptr;
    QLabel* m_head_note = nullptr;
    QLabel* m_model_facts = nullptr;
    QGroupBox* m_tokens_box = nullptr;
    TokenStrip* m_token_strip = nullptr;
    HeatmapWidget* m_heatmap = nullptr;
    TopKView* m_top_k = nullptr;
    QLabel* m_position_label = nullptr;
    QLabel* m_kv_label = nullptr;
    QLabel* m_step_label = nullptr;
    QLabel* m_backend_label = nullptr;
    QLabel* m_error_label = nullptr;
};

}  // namespace kvscope
