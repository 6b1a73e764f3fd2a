#include "ui/window/recent_files.h"

#include <QFileInfo>
#include <QMenu>
#include <QSettings>

namespace kvscope {

RecentFiles::RecentFiles(QMenu* menu, QObject* parent) : QObject(parent), m_menu(menu) {
    m_menu->setEnabled(false);
}

void RecentFiles::remember(const QString& path) {
    QStringList files = m_files;
    files.removeAll(path);
    files.prepend(path);
    while (files.size() > kMaxFiles)
        files.removeLast();
    setFiles(files);
}

void RecentFiles::restore(const QSettings& settings) {
    QStringList files;
    for (const QString& file : settings.value(QStringLiteral("files/recent")).toStringList()) {
        if (QFileInfo::exists(file)) files << file;
    }
    setFiles(files);
}

void RecentFiles::save(QSettings& settings) const {
    settings.setValue(QStringLiteral("files/recent"), m_files);
}

void RecentFiles::setFiles(QStringList files) {
    m_files = std::move(files);
    m_menu->clear();
    for (const QString& file : m_files)
        m_menu->addAction(file, this, [this, file] { emit chosen(file); });
    m_menu->setEnabled(!m_files.isEmpty());
    emit changed(m_files);
}

}  // namespace kvscope
