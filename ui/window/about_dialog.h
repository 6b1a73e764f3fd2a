#pragma once
// Help > About KVScope: the version, what the app is, its licence and the licences of the
// software and data it bundles or links (the table of docs/third-party-licenses.md).
#include <QString>

class QWidget;

namespace kvscope {

/// Shows the About box (modal) over `parent`.
void showAboutDialog(QWidget* parent);
/// The About box's text (rich text), for the dialog and the tests.
QString aboutText();

}  // namespace kvscope
