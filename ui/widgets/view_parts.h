#pragma once
// Small building blocks the views share: a titled group around one widget, the hidden,
// word-wrapped, selectable line a view shows its input errors in, and labels and tooltips for
// text that comes from files (lesson titles, token pieces, model names, error messages): always
// plain text, so markup in a file (an <img> naming a local file) is shown, never rendered.
#include <QString>

class QGroupBox;
class QLabel;
class QWidget;

namespace kvscope {

/// A QGroupBox titled `title` holding `content` with 8 px margins.
QGroupBox* titledGroup(const QString& title, QWidget* content);
/// A hidden QLabel for error messages: word-wrapped, its text selectable (to copy it), plain text.
QLabel* newErrorLine();
/// A QLabel that shows its text as plain text (QLabel's default, Qt::AutoText, renders anything
/// that looks like HTML).
QLabel* plainLabel(const QString& text = {});
/// Plain `text` as a tooltip (tooltips guess rich text too): escaped, line breaks kept.
QString plainTooltip(const QString& text);

}  // namespace kvscope
