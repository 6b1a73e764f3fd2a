#pragma once
// Small building blocks the views share: a titled group around one widget, and the hidden,
// word-wrapped, selectable line a view shows its input errors in.
#include <QString>

class QGroupBox;
class QLabel;
class QWidget;

namespace kvscope {

/// A QGroupBox titled `title` holding `content` with 8 px margins.
QGroupBox* titledGroup(const QString& title, QWidget* content);
/// A hidden QLabel for error messages: word-wrapped, its text selectable (to copy it).
QLabel* newErrorLine();

}  // namespace kvscope
