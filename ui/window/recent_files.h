#pragma once
// The files opened lately, most recent first and at most kMaxFiles: the File > Open recent menu
// (disabled while empty; picking a file emits chosen()) and, between runs, the QSettings key
// "files/recent" (restore() keeps only the files still there).
#include <QObject>
#include <QStringList>

class QMenu;
class QSettings;

namespace kvscope {

class RecentFiles : public QObject {
    Q_OBJECT
public:
    static constexpr int kMaxFiles = 8;

    /// Fills `menu` (kept up to date; not owned).
    explicit RecentFiles(QMenu* menu, QObject* parent = nullptr);

    QStringList files() const { return m_files; }
    QMenu* menu() const { return m_menu; }
    /// Puts `path` first (once), dropping the oldest beyond kMaxFiles.
    void remember(const QString& path);

    /// The files saved by the last run that still exist.
    void restore(const QSettings& settings);
    void save(QSettings& settings) const;

signals:
    /// A file was picked in the menu.
    void chosen(const QString& path);
    /// The list changed (remember(), restore()).
    void changed(const QStringList& files);

private:
    void setFiles(QStringList files);

    QMenu* m_menu;
    QStringList m_files;
};

}  // namespace kvscope
