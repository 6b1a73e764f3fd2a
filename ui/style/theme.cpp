#include "ui/style/theme.h"

#include <QApplication>
#include <QFont>
#include <QPalette>
#include <QStyleFactory>
#include <algorithm>

namespace kvscope {
namespace {

constexpr double kBaseFontSize = 11.0;

QPalette lightPalette() {
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
    for (auto role : {QPalette::ButtonText, QPalette::WindowText, QPalette::Text})
        palette.setColor(QPalette::Disabled, role, QColor(160, 165, 172));
    return palette;
}

QPalette darkPalette() {
    QPalette palette;
    palette.setColor(QPalette::Window, QColor(32, 35, 40));
    palette.setColor(QPalette::WindowText, QColor(226, 229, 234));
    palette.setColor(QPalette::Base, QColor(24, 26, 30));
    palette.setColor(QPalette::AlternateBase, QColor(40, 44, 50));
    palette.setColor(QPalette::Text, QColor(226, 229, 234));
    palette.setColor(QPalette::PlaceholderText, QColor(150, 156, 166));
    palette.setColor(QPalette::Button, QColor(44, 48, 55));
    palette.setColor(QPalette::ButtonText, QColor(226, 229, 234));
    palette.setColor(QPalette::Highlight, QColor(94, 201, 98));  // viridis at 3/4
    palette.setColor(QPalette::HighlightedText, QColor(20, 22, 26));
    palette.setColor(QPalette::ToolTipBase, QColor(44, 48, 55));
    palette.setColor(QPalette::ToolTipText, QColor(226, 229, 234));
    for (auto role : {QPalette::ButtonText, QPalette::WindowText, QPalette::Text})
        palette.setColor(QPalette::Disabled, role, QColor(110, 115, 124));
    return palette;
}

}  // namespace

double themeFontSize(int presenter_level) {
    const int level = std::clamp(presenter_level, -2, 6);
    return kBaseFontSize * (1.0 + 0.2 * level);
}

void applyTheme(QApplication& app, const ThemeOptions& options) {
    app.setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    app.setPalette(options.dark ? darkPalette() : lightPalette());
    QFont font = app.font();
    font.setPointSizeF(themeFontSize(options.presenter_level));
    app.setFont(font);
}

}  // namespace kvscope
