// Recent files on their own, with no window: the list (most recent first, once, at most 8), the
// menu it keeps and what picking an entry emits, and the QSettings round trip.
#include <catch2/catch.hpp>

#include <QAction>
#include <QFile>
#include <QMenu>
#include <QSettings>
#include <QTemporaryDir>

#include "ui/window/recent_files.h"

using namespace kvscope;

namespace {

QStringList menuTexts(const QMenu& menu) {
    QStringList texts;
    for (const QAction* action : menu.actions())
        texts << action->text();
    return texts;
}

QString touch(const QTemporaryDir& dir, const QString& name) {
    const QString path = dir.filePath(name);
    QFile file(path);
    REQUIRE(file.open(QIODevice::WriteOnly));
    return path;
}

}  // namespace

TEST_CASE("recent files: most recent first, each once, at most eight", "[ui][recent]") {
    QMenu menu;
    RecentFiles recent(&menu);
    QStringList changed;
    QObject::connect(&recent, &RecentFiles::changed,
                     [&](const QStringList& files) { changed = files; });
    CHECK(recent.files().isEmpty());
    CHECK_FALSE(menu.isEnabled());

    recent.remember("/a.gguf");
    recent.remember("/b.gguf");
    CHECK(recent.files() == QStringList({"/b.gguf", "/a.gguf"}));
    CHECK(changed == recent.files());
    CHECK(menu.isEnabled());
    CHECK(menuTexts(menu) == recent.files());

    recent.remember("/a.gguf");  // opened again: back to the top, not twice
    CHECK(recent.files() == QStringList({"/a.gguf", "/b.gguf"}));
    CHECK(menuTexts(menu) == recent.files());

    for (int i = 0; i < 10; ++i)
        recent.remember(QStringLiteral("/%1.bin").arg(i));
    CHECK(recent.files().size() == RecentFiles::kMaxFiles);
    CHECK(recent.files().front() == "/9.bin");
    CHECK(recent.files().back() == "/2.bin");
    CHECK(menuTexts(menu) == recent.files());
}

TEST_CASE("picking a recent file in the menu emits it", "[ui][recent]") {
    QMenu menu;
    RecentFiles recent(&menu);
    recent.remember("/first.gguf");
    recent.remember("/second.gguf");
    QString chosen;
    QObject::connect(&recent, &RecentFiles::chosen, [&](const QString& path) { chosen = path; });
    REQUIRE(menu.actions().size() == 2);
    menu.actions().at(1)->trigger();
    CHECK(chosen == "/first.gguf");
}

TEST_CASE("recent files survive a restart, without the files gone since", "[ui][recent]") {
    QTemporaryDir dir;
    const QString kept = touch(dir, "kept.gguf");
    const QString gone = touch(dir, "gone.gguf");
    QSettings settings(dir.filePath("settings.ini"), QSettings::IniFormat);
    {
        QMenu menu;
        RecentFiles recent(&menu);
        recent.remember(kept);
        recent.remember(gone);
        recent.save(settings);
    }
    REQUIRE(QFile::remove(gone));
    QMenu menu;
    RecentFiles again(&menu);
    QStringList changed;
    QObject::connect(&again, &RecentFiles::changed,
                     [&](const QStringList& files) { changed = files; });
    again.restore(settings);
    CHECK(again.files() == QStringList({kept}));
    CHECK(changed == again.files());
    CHECK(menuTexts(menu) == QStringList({kept}));
    CHECK(menu.isEnabled());
}
