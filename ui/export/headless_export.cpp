// Headless export (see headless_export.h): a QApplication on the offscreen platform, a real
// MainWindow at a fixed size, the scenario opened and run to its last step, one target exported.
#include "ui/export/headless_export.h"

#include <QApplication>
#include <QSettings>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTemporaryDir>
#include <memory>

#include "ui/engine/trace_model.h"
#include "ui/evict/evict_view.h"
#include "ui/export/export_menu.h"
#include "ui/generate/generate_view.h"
#include "ui/paging/paging_view.h"
#include "ui/quant/quant_view.h"
#include "ui/window/application.h"
#include "ui/window/main_window.h"
#include "ui/window/view_tabs.h"

namespace kvscope {

namespace {

constexpr QSize kWindowSize(1440, 900);

/// The QApplication the export runs in: the existing one, or a new offscreen one.
class HeadlessApp {
public:
    HeadlessApp() {
        if (QApplication::instance()) return;
        m_app = createApplication(m_argc, m_argv, AppRole::Headless);
        // The export shows the scenario, not whatever the last window session left behind.
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settings.path());
    }

private:
    int m_argc = 1;
    char m_name[12] = "kvscope-cli";
    char* m_argv[2] = {m_name, nullptr};
    QTemporaryDir m_settings;
    std::unique_ptr<QApplication> m_app;
};

/// Makes `widget` visible: its tab current and, inside a stack, its page current.
void bringForward(MainWindow& window, QWidget* widget) {
    QTabWidget* tabs = window.views();
    for (int i = 0; i < tabs->count(); ++i)
        if (tabs->widget(i)->isAncestorOf(widget)) tabs->setCurrentIndex(i);
    for (QWidget* child = widget; child && child != &window; child = child->parentWidget())
        if (auto* stack = qobject_cast<QStackedWidget*>(child->parentWidget()))
            stack->setCurrentWidget(child);
}

/// The size a chart is exported at headlessly: the attention views square-ish, charts 16:10.
QSize exportSize(const QString& name) {
    if (name == QLatin1String("heatmap")) return {900, 800};
    if (name == QLatin1String("head-grid")) return {1000, 800};
    return {960, 600};
}

bool isKnownName(const std::string& name) {
    for (const std::string& known : headlessExportNames())
        if (known == name) return true;
    return false;
}

}  // namespace

std::vector<std::string> headlessExportNames() {
    return {"heatmap",        "head-grid",     "cache-growth",    "compute",
            "memory",         "memory-dtype",  "memory-capacity", "paging",
            "paging-running", "paging-waste",  "paging-blocks",   "quant",
            "quant-logits",   "quant-heatmap", "evict",           "evict-bytes"};
}

int runHeadlessExport(const HeadlessExportRequest& request, std::ostream& out, std::ostream& err) {
    auto fail = [&err](int code, const QString& message) {
        QString line = message;
        line.replace(QLatin1Char('\n'), QLatin1Char(' '));
        err << "kvscope-cli: export: " << line.toStdString() << "\n";
        return code;
    };
    const std::optional<ExportFormat> format =
        parseExportFormat(QString::fromStdString(request.format));
    if (!format)
        return fail(2, QStringLiteral("--format: expected png, svg, pdf, csv or json, got '%1'")
                           .arg(QString::fromStdString(request.format)));
    if (!isKnownName(request.what))
        return fail(2, QStringLiteral("--what: no chart named '%1'")
                           .arg(QString::fromStdString(request.what)));
    if (request.scale < 1 || request.scale > kMaxExportScale)
        return fail(2, QStringLiteral("--scale: expected 1 to %1, got %2")
                           .arg(kMaxExportScale)
                           .arg(request.scale));

    HeadlessApp app;
    MainWindow window;
    window.setAttribute(Qt::WA_DontShowOnScreen, true);
    window.resize(kWindowSize);
    window.show();
    // The window starts by loading its default model: let that finish before the scenario.
    if (!window.waitUntilIdle()) return fail(1, QStringLiteral("the engine did not finish"));
    if (!window.openScenarioFile(QString::fromStdString(request.scenario)))
        return fail(2, window.lastError());
    if (!window.waitUntilIdle())
        return fail(1, QStringLiteral("the scenario did not finish running in time"));
    if (!window.lastError().isEmpty()) return fail(2, window.lastError());

    const QString name = QString::fromStdString(request.what);
    const ExportTarget target = findExportTarget(&window, name);
    if (!target.widget) {
        return fail(2, QStringLiteral("--what %1: that view is not available in this build of "
                                      "KVScope yet")
                           .arg(name));
    }
    // The Paging, Quantization and Eviction views compute on their own threads: let them finish.
    ViewTabs& views = *window.views();
    if (name.startsWith(QLatin1String("paging")) && !views.paging()->waitUntilIdle())
        return fail(1, QStringLiteral("the paging study did not finish in time"));
    if (name.startsWith(QLatin1String("quant"))) {
        QuantView& quant = *views.quant();
        quant.run();
        if (!quant.waitUntilIdle())
            return fail(1, QStringLiteral("the quantization comparison did not finish in time"));
        if (!quant.errorText().isEmpty()) return fail(2, quant.errorText());
    }
    if (name.startsWith(QLatin1String("evict"))) {
        EvictView& evict = *views.evict();
        evict.run();
        if (!evict.waitUntilIdle())
            return fail(1, QStringLiteral("the eviction comparison did not finish in time"));
        if (!evict.errorText().isEmpty()) return fail(2, evict.errorText());
    }
    if (name == QLatin1String("heatmap")) views.generate()->setAllHeads(false);
    if (name == QLatin1String("head-grid")) views.generate()->setAllHeads(true);
    bringForward(window, target.widget);
    QApplication::processEvents();
    // In the window a chart gets what the layout leaves it (a few hundred pixels); alone it is
    // laid out again at a size made for a slide. Destroyed before the window (declared after it).
    std::unique_ptr<QWidget> detached(target.widget.data());
    detached->setParent(nullptr);
    detached->setAttribute(Qt::WA_DontShowOnScreen, true);
    QSize size = exportSize(name);
    if (name == QLatin1String("head-grid")) {  // one square per head, layers down
        const ModelConfig& config = window.trace()->config();
        size.setHeight(
            int(80 + size.width() * config.n_layers / std::max<std::int64_t>(1, config.n_heads)));
    }
    detached->resize(size);
    detached->show();
    QApplication::processEvents();  // layouts settle, charts lay out at their final size

    const QString path = QString::fromStdString(request.out);
    if (const QString error = exportToFile(target, *format, path, request.scale); !error.isEmpty())
        return fail(2, error);
    const QSize written =
        target.widget->size() * (*format == ExportFormat::Png ? request.scale : 1);
    out << "kvscope-cli export: wrote " << request.out << " (" << request.what << ", "
        << request.format;
    if (*format != ExportFormat::Csv && *format != ExportFormat::Json)
        out << ", " << written.width() << "x" << written.height();
    out << ")\n";
    return 0;
}

}  // namespace kvscope
