#pragma once
// The application's look: Fusion with a calm light (or dark) palette, and fonts large enough to
// read from the back of a classroom. Presenter mode scales every font (and, through the fonts,
// chart lines and chips) in steps.
class QApplication;

namespace kvscope {

struct ThemeOptions {
    bool dark = false;
    int presenter_level = 0;  // 0 = normal; each level is 20% larger; clamped to [-2, 6]
};

void applyTheme(QApplication& app, const ThemeOptions& options = {});
/// The point size of the application font at `presenter_level`.
double themeFontSize(int presenter_level);

}  // namespace kvscope
