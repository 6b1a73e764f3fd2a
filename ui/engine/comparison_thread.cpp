#include "ui/engine/comparison_thread.h"

#include <exception>

#include "core/model/model_source.h"

namespace kvscope {

void ComparisonThread::begin() {
    m_cancel.store(false);
    m_error.clear();
    m_cancelled = false;
    QThread::start();
}

std::shared_ptr<const Model> ComparisonThread::modelFor(const QString& reference) {
    if (!m_model || m_model_reference != reference) {
        m_model.reset();  // free the old one before loading the new one
        m_model = loadModel(reference.toStdString());
        m_model_reference = reference;
    }
    return m_model;
}

void ComparisonThread::run() {
    try {
        work();
    } catch (const std::exception& e) {
        m_error = QString::fromUtf8(e.what());
    }
}

}  // namespace kvscope
