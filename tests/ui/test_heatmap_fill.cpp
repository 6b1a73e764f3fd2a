// The attention heatmap fills its panel whatever the number of positions: cells are scaled to
// fractional sizes (nearest neighbour), not rounded down to whole pixels, and clicks still land
// on the cell drawn under the pointer.
#include <catch2/catch.hpp>

#include <QApplication>
#include <QMouseEvent>
#include <cmath>

#include "ui/generate/heatmap_widget.h"

using namespace kvscope;

namespace {

Matrix lowerTriangle(int n) {
    Matrix weights = Matrix::Zero(n, n);  // [n_query][n_key]
    for (int q = 0; q < n; ++q) {
        for (int k = 0; k <= q; ++k)
            weights(q, k) = 1.0f / float(q + 1);
    }
    return weights;
}

/// Clicks the widget at `at` (a press and a release, as a user would).
void click(HeatmapWidget& heatmap, QPointF at) {
    QMouseEvent press(QEvent::MouseButtonPress, at, heatmap.mapToGlobal(at), Qt::LeftButton,
                      Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&heatmap, &press);
    QMouseEvent release(QEvent::MouseButtonRelease, at, heatmap.mapToGlobal(at), Qt::LeftButton,
                        Qt::NoButton, Qt::NoModifier);
    QApplication::sendEvent(&heatmap, &release);
}

}  // namespace

TEST_CASE("the heatmap's matrix is as large for 12 positions as for 64 or 69", "[ui][heatmap]") {
    HeatmapWidget heatmap;
    heatmap.resize(520, 560);
    heatmap.setMatrix(lowerTriangle(64), {});
    const QRectF at64 = heatmap.matrixRect();
    // Position labels of two digits throughout, so the room is the same for every n. When cells
    // were rounded down to whole pixels the matrix shrank by up to a cell per side (69 positions
    // in 360 px: 5.2 -> 5 px cells, a 345 px matrix).
    INFO("64 positions: " << at64.width() << " px");
    REQUIRE(at64.width() > 300);
    for (int n : {12, 33, 69, 99}) {
        INFO(n << " positions");
        heatmap.setMatrix(lowerTriangle(n), {});
        const QRectF rect = heatmap.matrixRect();
        CHECK(rect.width() == rect.height());  // square: as many keys as queries
        CHECK(std::abs(rect.width() - at64.width()) <= 1.0);
        CHECK(heatmap.cellSize() == Approx(rect.width() / n));
    }
}

TEST_CASE("a click on the heatmap selects the row drawn under the pointer", "[ui][heatmap]") {
    HeatmapWidget heatmap;
    heatmap.resize(520, 560);
    heatmap.setMatrix(lowerTriangle(69), {});
    const QRectF rect = heatmap.matrixRect();
    const double cell = rect.height() / 69;  // fractional: about 5.3 px
    REQUIRE(cell != std::floor(cell));
    for (int row : {0, 1, 34, 50, 68}) {
        INFO("row " << row);
        // Near the top and bottom edge of the row, inside it by a quarter of a cell.
        for (double inside : {0.25, 0.75}) {
            click(heatmap, QPointF(rect.left() + 2, rect.top() + (row + inside) * cell));
            CHECK(heatmap.selectedRow() == row);
        }
    }
    // Zoomed in, the same holds for the rows in view.
    heatmap.zoomTo(40, 0, 20);
    const double zoomed = heatmap.matrixRect().height() / 20;
    click(heatmap, QPointF(rect.left() + 2, heatmap.matrixRect().top() + 5.5 * zoomed));
    CHECK(heatmap.selectedRow() == 45);
}
