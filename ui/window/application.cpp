#include "ui/window/application.h"

#include <QIcon>

#include "core/util/check.h"
#include "ui/style/theme.h"

namespace kvscope {

std::unique_ptr<QApplication> createApplication(int& argc, char** argv, AppRole role) {
    KVSCOPE_EXPECTS(QApplication::instance() == nullptr);
    if (role != AppRole::Window && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    auto app = std::make_unique<QApplication>(argc, argv);
    const bool tests = role == AppRole::Tests;
    QApplication::setOrganizationName(tests ? QStringLiteral("KVScopeTests")
                                            : QStringLiteral("KVScope"));
    QApplication::setApplicationName(tests ? QStringLiteral("KVScopeTests")
                                           : QStringLiteral("KVScope"));
    QApplication::setDesktopFileName(QStringLiteral("org.kvscope.KVScope"));
    QApplication::setApplicationVersion(QStringLiteral(KVSCOPE_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/kvscope.svg")));
    applyTheme(*app);
    return app;
}

}  // namespace kvscope
