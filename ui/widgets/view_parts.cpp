#include "ui/widgets/view_parts.h"

#include <QGroupBox>
#include <QLabel>
#include <QVBoxLayout>

namespace kvscope {

QGroupBox* titledGroup(const QString& title, QWidget* content) {
    auto* box = new QGroupBox(title);
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->addWidget(content);
    return box;
}

QLabel* newErrorLine() {
    auto* label = new QLabel;
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setVisible(false);
    return label;
}

}  // namespace kvscope
