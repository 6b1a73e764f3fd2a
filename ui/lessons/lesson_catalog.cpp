#include "ui/lessons/lesson_catalog.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include "core/util/error.h"

namespace kvscope {

QStringList builtinLessonPaths() {
    QStringList paths;
    const QDir dir(QStringLiteral(":/lessons"));
    for (const QString& name : dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name))
        paths << dir.filePath(name);
    return paths;
}

QString lessonPathFor(const QString& lesson) {
    bool is_number = false;
    const int n = lesson.toInt(&is_number);
    if (!is_number) return lesson;
    const QStringList builtin = builtinLessonPaths();
    if (n < 1 || n > builtin.size())
        throw InputError("--lesson " + lesson.toStdString() + ": there are " +
                         std::to_string(builtin.size()) + " built-in lessons (1 to " +
                         std::to_string(builtin.size()) + ")");
    return builtin[n - 1];
}

Lesson loadLesson(const QString& path) {
    // A pipe would block the window and /dev/zero never ends: a lesson is a regular file.
    if (const QFileInfo info(path); info.exists() && !info.isFile())
        throw InputError(path.toStdString() + ": not a regular file (a lesson is a .json file)");
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw InputError(path.toStdString() +
                         ": cannot open the lesson: " + file.errorString().toStdString());
    if (file.size() > kMaxLessonFileBytes)
        throw InputError(path.toStdString() + ": " + std::to_string(file.size()) +
                         " bytes is too large for a lesson (at most " +
                         std::to_string(kMaxLessonFileBytes) + ")");
    const QByteArray text = file.readAll();
    return readLessonJson(std::string_view(text.constData(), std::size_t(text.size())),
                          path.toStdString());
}

}  // namespace kvscope
