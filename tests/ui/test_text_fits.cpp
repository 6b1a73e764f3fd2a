// Every text a view shows at 1280x800 is shown whole: no chart title, axis title, tick label or
// legend entry cut to "..." by Qt Charts, no combo box item cut short, no table cell elided, no
// heatmap title or caption longer than the room it is drawn in. Checked on every tab with the left
// docks shown and beside each lesson's dock; a failure lists the cut texts and where they are.
#include <catch2/catch.hpp>

#include <QAbstractItemView>
#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QGraphicsScene>
#include <QGraphicsTextItem>
#include <QHeaderView>
#include <QSettings>
#include <QStyleOptionComboBox>
#include <QTabWidget>
#include <QValueAxis>

#include "ui/generate/cache_growth_chart.h"
#include "ui/generate/generate_view.h"
#include "ui/generate/heatmap_widget.h"
#include "ui/lessons/lesson_catalog.h"
#include "ui/lessons/lesson_player.h"
#include "ui/memory/memory_capacity_chart.h"
#include "ui/memory/memory_context_chart.h"
#include "ui/memory/memory_variants_table.h"
#include "ui/memory/memory_view.h"
#include "ui/style/theme.h"
#include "ui/window/view_tabs.h"
#include "window_test_util.h"

using namespace kvscope;

namespace {

/// "ClassName 'objectName'" of `w` and its two nearest named or titled parents: enough to find it.
QString where(const QWidget& w) {
    QStringList path;
    for (const QWidget* p = &w; p && path.size() < 4; p = p->parentWidget())
        path.prepend(QLatin1String(p->metaObject()->className()) +
                     (p->objectName().isEmpty() ? QString() : "'" + p->objectName() + "'"));
    return path.join('/');
}

/// Texts Qt Charts truncated ("Wall tim...", "1....") in the visible chart views under `root`.
QStringList truncatedChartTexts(const QWidget& root) {
    QStringList cut;
    for (const QChartView* view : root.findChildren<QChartView*>()) {
        if (!view->isVisible() || !view->scene()) continue;
        for (const QGraphicsItem* item : view->scene()->items()) {
            const auto* text = dynamic_cast<const QGraphicsTextItem*>(item);
            if (!text || !text->isVisible()) continue;
            const QString plain = text->toPlainText();
            if (plain.contains(QLatin1String("...")))
                cut << QStringLiteral("chart '%1': '%2'").arg(view->chart()->title(), plain);
        }
    }
    return cut;
}

/// Visible, not editable combo boxes under `root` whose current text is wider than its field.
QStringList cutComboTexts(const QWidget& root) {
    QStringList cut;
    for (QComboBox* combo : root.findChildren<QComboBox*>()) {
        if (!combo->isVisible() || combo->isEditable() || combo->currentText().isEmpty()) continue;
        QStyleOptionComboBox option;
        option.initFrom(combo);
        option.currentText = combo->currentText();
        option.currentIcon = combo->itemIcon(combo->currentIndex());
        option.iconSize = combo->iconSize();
        option.frame = true;
        const QRect field = combo->style()->subControlRect(QStyle::CC_ComboBox, &option,
                                                           QStyle::SC_ComboBoxEditField, combo);
        int room = field.width();
        if (!option.currentIcon.isNull()) room -= option.iconSize.width() + 4;
        const int needed = combo->fontMetrics().horizontalAdvance(combo->currentText());
        if (needed > room) {
            cut << QStringLiteral("combo %1: '%2' needs %3 px, has %4")
                       .arg(where(*combo), combo->currentText())
                       .arg(needed)
                       .arg(room);
        }
    }
    return cut;
}

/// Cells of the visible item views under `root`, in view, whose text is wider than the cell.
QStringList cutCellTexts(const QWidget& root) {
    QStringList cut;
    for (QAbstractItemView* view : root.findChildren<QAbstractItemView*>()) {
        if (!view->isVisible() || !view->model() || view->inherits("QComboBoxListView")) continue;
        const QAbstractItemModel& model = *view->model();
        const int margin = view->style()->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, view);
        for (int r = 0; r < model.rowCount(); ++r) {
            for (int c = 0; c < model.columnCount(); ++c) {
                const QModelIndex index = model.index(r, c);
                const QRect cell = view->visualRect(index);
                if (!cell.intersects(view->viewport()->rect())) continue;  // scrolled away
                const QString text = index.data(Qt::DisplayRole).toString();
                if (text.isEmpty()) continue;
                const QVariant font_data = index.data(Qt::FontRole);
                const QFont font = font_data.isValid() ? font_data.value<QFont>() : view->font();
                // Qt draws a cell's text inside these margins (visualRect is the cell less the
                // grid line).
                const int needed = QFontMetrics(font).horizontalAdvance(text) + 2 * (margin + 1);
                if (needed > cell.width()) {
                    cut << QStringLiteral("cell (%1, %2) of %3: '%4' needs %5 px, has %6")
                               .arg(r)
                               .arg(c)
                               .arg(where(*view), text)
                               .arg(needed)
                               .arg(cell.width());
                }
            }
        }
    }
    return cut;
}

/// Heatmaps whose title (wrapped) does not fit above the matrix, or whose query caption is
/// longer than the matrix it runs along.
QStringList cutHeatmapTexts(const QWidget& root) {
    QStringList cut;
    for (const HeatmapWidget* heatmap : root.findChildren<HeatmapWidget*>()) {
        if (!heatmap->isVisible() || heatmap->rowCount() == 0) continue;
        const QRect room = heatmap->titleRect();
        const QRect needed =
            QFontMetrics(heatmap->titleFont())
                .boundingRect(room, Qt::AlignLeft | Qt::TextWordWrap, heatmap->title());
        const QRectF matrix = heatmap->matrixRect();
        if (needed.width() > room.width() || needed.height() > room.height() ||
            room.bottom() >= matrix.top() || room.right() >= heatmap->width()) {
            cut << QStringLiteral("heatmap %1: title '%2' needs %3x%4 px, has %5x%6")
                       .arg(where(*heatmap), heatmap->title())
                       .arg(needed.width())
                       .arg(needed.height())
                       .arg(room.width())
                       .arg(room.height());
        }
        const int caption =
            QFontMetrics(heatmap->captionFont()).horizontalAdvance(heatmap->queryCaption());
        if (caption > matrix.height()) {
            cut << QStringLiteral("heatmap %1: caption '%2' is %3 px along a %4 px matrix")
                       .arg(where(*heatmap), heatmap->queryCaption())
                       .arg(caption)
                       .arg(matrix.height());
        }
    }
    return cut;
}

QString everythingCut(const QWidget& page) {
    return (truncatedChartTexts(page) + cutComboTexts(page) + cutCellTexts(page) +
            cutHeatmapTexts(page))
        .join('\n');
}

/// Shows every tab of `window` at 1280x800 and requires every text on it to be shown whole.
void requireNothingCut(MainWindow& window, const QString& tag) {
    window.setAttribute(Qt::WA_DontShowOnScreen, true);
    window.resize(1280, 800);
    window.show();
    QTabWidget& tabs = *window.views();
    for (int i = 0; i < tabs.count(); ++i) {
        tabs.setCurrentIndex(i);
        for (int pass = 0; pass < 20; ++pass) {  // charts lay out, re-tick, lay out again
            QApplication::processEvents();
            // No event loop runs in the tests: flush the chart items Qt deletes later (replaced
            // axes), as the running application does, or they would count as shown.
            QApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        }
        INFO("view " << tabs.tabText(i).toStdString());
        // KVSCOPE_FIT_SHOTS=DIR saves what was checked, to look at: DIR/<tag>-<tab>.png.
        const QString shots = qEnvironmentVariable("KVSCOPE_FIT_SHOTS");
        if (!shots.isEmpty()) {
            window.grab().save(QStringLiteral("%1/%2-%3.png").arg(shots, tag).arg(i));
        }
        CHECK(everythingCut(*tabs.widget(i)).toStdString() == "");
    }
}

}  // namespace

TEST_CASE("no text is cut short at 1280x800 with the left docks shown", "[ui][window][fit]") {
    freshInstall();
    MainWindow window;
    runScenario(window, "builtin:demo", "KVScope KVScope KVSc", 12);
    requireNothingCut(window, QStringLiteral("docks"));
}

TEST_CASE("no text is cut short at 1280x800 beside a lesson dock", "[ui][window][fit]") {
    for (const char* lesson : {"1", "2", "3", "4", "5", "6"}) {
        INFO("lesson " << lesson);
        freshInstall();
        MainWindow window;
        openLessonSecondStep(window, lesson);
        requireNothingCut(window, QStringLiteral("lesson%1").arg(lesson));
    }
}

TEST_CASE("the cache chart's axis titles fit along their axes at 1280x800", "[ui][generate]") {
    freshInstall();
    MainWindow window;
    runScenario(window, "builtin:demo", "KVScope KVScope KVSc", 12);
    window.setAttribute(Qt::WA_DontShowOnScreen, true);
    window.resize(1280, 800);
    window.show();
    QApplication::processEvents();
    QApplication::processEvents();
    const CacheGrowthChart& chart = *window.views()->generate()->findChild<CacheGrowthChart*>();
    const QRectF plot = chart.chart()->plotArea();
    const QValueAxis& y = *chart.yAxis();
    const QValueAxis& x = *chart.xAxis();
    // The y title reads along the plot's height, the x title along its width.
    CHECK(QFontMetrics(y.titleFont()).horizontalAdvance(y.titleText()) <= plot.height());
    CHECK(QFontMetrics(x.titleFont()).horizontalAdvance(x.titleText()) <= plot.width());
    // 33 positions of the demo model (4 layers, 4 KV heads, head_dim 16, fp32): 2 KiB a
    // position, 66 KiB held; in KiB, so the unit is named in the y title.
    CHECK(y.titleText().contains(QLatin1String("KiB")));
    CHECK(y.max() >= 66.0);
}

TEST_CASE("the Memory view shows its charts as tabs beside a lesson's dock, 2 x 2 without",
          "[ui][window][fit][memory]") {
    freshInstall();
    MainWindow window;
    window.setAttribute(Qt::WA_DontShowOnScreen, true);
    window.resize(1280, 800);
    window.show();
    requireIdle(window);
    const auto settle = [] {
        for (int pass = 0; pass < 5; ++pass)
            QApplication::processEvents();
    };
    MemoryView& memory = *window.views()->memory();
    REQUIRE(window.views()->showView("memory"));
    settle();
    // 1280 px without docks: every chart and the table side by side.
    CHECK_FALSE(memory.isCompact());
    CHECK(memory.variantChart()->isVisible());
    CHECK(memory.dtypeChart()->isVisible());
    CHECK(memory.capacityChart()->isVisible());

    // Lesson 2, step 4 talks about the capacity chart: beside the lesson's dock it is in front.
    REQUIRE(window.openLesson(lessonPathFor(QStringLiteral("2"))));
    LessonPlayer& player = *window.lessonPlayer();
    REQUIRE(player.waitUntilIdle());
    while (player.stepIndex() < 3) {
        player.next();
        REQUIRE(player.waitUntilIdle());
    }
    settle();
    REQUIRE(window.views()->currentWidget() == &memory);
    CHECK(memory.isCompact());
    CHECK(memory.capacityChart()->isVisible());
    CHECK_FALSE(memory.variantChart()->isVisible());
    CHECK(memory.variantsTable()->isVisible());
    // Step 3 names the variants chart.
    player.back();
    REQUIRE(player.waitUntilIdle());
    settle();
    CHECK(memory.variantChart()->isVisible());
    CHECK_FALSE(memory.capacityChart()->isVisible());
    CHECK(memory.showChart(QStringLiteral("dtypes")));
    CHECK(memory.dtypeChart()->isVisible());
    CHECK_FALSE(memory.showChart(QStringLiteral("bars")));  // no such chart: nothing changes
    CHECK(memory.dtypeChart()->isVisible());
}
