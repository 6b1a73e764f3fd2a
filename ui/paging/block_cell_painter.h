#pragma once
// How one cell of the Paging view's block grid looks, shared by the grid and its legend: a
// sequence's colour (a generated categorical palette), the filled part of a block solid and the
// unwritten rest pale, shared blocks striped with their owners' colours under a reference-count
// badge, cached-free blocks hatched, plain free blocks faint, and a corner mark on blocks that
// hold a cached prefix.
#include <QColor>
#include <QPalette>
#include <QRectF>
#include <QString>
#include <cstdint>
#include <vector>

#include "core/sim/pool_snapshot.h"

class QPainter;

namespace kvscope {

/// The colour of request `request`'s sequences: hues a golden angle apart, so requests admitted
/// one after another differ clearly; three lightness levels separate hues that come back close.
QColor sequenceColor(std::int64_t request);

/// What to draw in one cell.
struct CellLook {
    sim::CellState state = sim::CellState::Free;
    std::vector<QColor> owners;  // one colour per holder (shared: several)
    std::int64_t ref_count = 0;
    double filled = 0;    // fraction of the cell's slots holding a token, 0..1 (from the snapshot)
    bool cached = false;  // holds a cached prefix (in use or free)
    bool selected = false;  // belongs to the sequence whose table is shown
};

/// The look of `cell`; `selected` marks the sequence shown in the block table.
CellLook cellLook(const sim::PoolCell& cell, bool selected);

/// Paints `look` into `rect` with colours from `palette`.
void paintCell(QPainter& painter, const QRectF& rect, const CellLook& look,
               const QPalette& palette);

}  // namespace kvscope
