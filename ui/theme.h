#pragma once
// The application's look: Fusion with a calm light palette and fonts large enough to read from the
// back of a classroom on a projector.
class QApplication;

namespace kvscope {

void applyTheme(QApplication& app);

}  // namespace kvscope
