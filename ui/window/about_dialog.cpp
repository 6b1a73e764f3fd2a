#include "ui/window/about_dialog.h"

#include <QApplication>
#include <QMessageBox>
#include <QString>

namespace kvscope {

QString aboutText() {
    return QObject::
        tr("<h3>KVScope %1</h3>"
           "<p>See and measure the key/value cache of transformer inference: a real model "
           "generating token by token, its attention and its cache, the memory it needs and "
           "what fits on a GPU.</p>"
           "<p>KVScope is free software under the MIT licence.</p>"
           "<p><b>Bundled and linked</b></p>"
           "<table cellspacing='4'>"
           "<tr><td>Qt 6 (Core, Gui, Widgets, Svg)</td><td>LGPL-3.0, linked dynamically</td></tr>"
           "<tr><td>Qt Charts 6</td><td>GPL-3.0 (open-source edition), linked "
           "dynamically; a binary linking it is distributed under GPL-3.0 as a whole</td></tr>"
           "<tr><td>Eigen 3.4</td><td>MPL-2.0, header-only</td></tr>"
           "<tr><td>libgomp (OpenMP)</td><td>GPL-3.0 with the GCC Runtime Library "
           "Exception</td></tr>"
           "<tr><td>viridis colour map samples</td><td>CC0-1.0 (van der Walt, Smith)</td></tr>"
           "<tr><td>Model and GPU presets</td><td>facts from published config.json files and "
           "data sheets; no weights</td></tr>"
           "</table>"
           "<p>Models are read from your files and never shipped (stories260K: MIT, from "
           "llama2.c). The full list is in third-party-licenses.md beside the README.</p>")
            .arg(QApplication::applicationVersion());
}

void showAboutDialog(QWidget* parent) {
    QMessageBox box(parent);
    box.setWindowTitle(QObject::tr("About KVScope"));
    box.setTextFormat(Qt::RichText);
    box.setText(aboutText());
    box.setIconPixmap(QApplication::windowIcon().pixmap(64, 64));
    box.exec();
}

}  // namespace kvscope
