#pragma once
// The one place a QApplication is made: the desktop app, the headless `kvscope-cli export` and
// the GUI tests all get the same names, version, icon and theme from createApplication().
#include <QApplication>
#include <memory>

namespace kvscope {

enum class AppRole {
    Window,    // `kvscope`: a window on the user's display
    Headless,  // `kvscope-cli export`: the offscreen platform unless QT_QPA_PLATFORM says otherwise
    Tests,     // the GUI tests: offscreen unless set, and names apart from the user's settings
};

/// Makes the QApplication for `role`: organisation and application name ("KVScope", or
/// "KVScopeTests" for the tests, so their QSettings never touch the user's), desktop file name,
/// version, window icon and the house theme. `argc` must outlive the application (Qt keeps a
/// reference). Pre: no QApplication exists yet.
std::unique_ptr<QApplication> createApplication(int& argc, char** argv, AppRole role);

}  // namespace kvscope
