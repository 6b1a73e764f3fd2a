#include "ui/theme.h"

#include <QApplication>
#include <QFont>
#include <QPalette>
#include <QStyleFactory>
#include <algorithm>

namespace kvscope {

void applyTheme(QApplication& app) {
    app.setStyle(QStyleFactory::create(QStringLiteral("Fusion")));

    QPalette palette;
    palette.setColor(QPalette::Window, QColor(246, 247, 249));
    palette.setColor(QPalette::WindowText, QColor(33, 37, 43));
    palette.setColor(QPalette::Base, QColor(255, 255, 255));
    palette.setColor(QPalette::AlternateBase, QColor(234, 237, 242));
    palette.setColor(QPalette::Text, QColor(33, 37, 43));
    palette.setColor(QPalette::PlaceholderText, QColor(110, 117, 128));
    palette.setColor(QPalette::Button, QColor(240, 242, 245));
    palette.setColor(QPalette::ButtonText, QColor(33, 37, 43));
    palette.setColor(QPalette::Highlight, QColor(59, 82, 139));  // viridis at 1/4
    palette.setColor(QPalette::HighlightedText, QColor(255, 255, 255));
    palette.setColor(QPalette::ToolTipBase, QColor(255, 255, 255));
    palette.setColor(QPalette::ToolTipText, QColor(33, 37, 43));
    palette.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(160, 165, 172));
    palette.setColor(QPalette::Disabled, QPalette::WindowText, QColor(160, 165, 172));
    palette.setColor(QPalette::Disabled, QPalette::Text, QColor(160, 165, 172));
    app.setPalette(palette);

    QFont font = app.font();
    font.setPointSizeF(std::max(font.pointSizeF(), 11.0));
    app.setFont(font);
}

}  // namespace kvscope
