#pragma once
// Where lessons come from: the built-in ones compiled into the app (resources/lessons/*.json as
// Qt resources under :/lessons), and any lesson file a teacher opens from disk.
#include <QString>
#include <QStringList>

#include "core/trace/lesson_file.h"

namespace kvscope {

/// The built-in lessons' resource paths (":/lessons/01-why-cache.json", ...), in file name order.
QStringList builtinLessonPaths();

/// `--lesson` as given: "N" is built-in lesson N (1-based), anything else a file path. Throws
/// InputError for a number without a lesson.
QString lessonPathFor(const QString& lesson);

/// Reads a lesson from a resource path (":/...") or a file. Throws InputError naming the file
/// and the key on any problem.
Lesson loadLesson(const QString& path);

}  // namespace kvscope
