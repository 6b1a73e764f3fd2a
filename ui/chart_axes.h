#pragma once
// Axis labels in the units people read: IEC bytes ("0", "16 GiB", "32 GiB") and tokens ("0",
// "32K", "64K", K = 1024 tokens), at round steps, on QCategoryAxis so the series keep their exact
// values (bytes, tokens) and only the labels are scaled.
#include <QtGlobal>
#include <cstdint>

QT_BEGIN_NAMESPACE
class QCategoryAxis;
QT_END_NAMESPACE

namespace kvscope {

/// Replaces the labels of `axis` with 1-2-5 steps of an IEC unit (B, KiB, MiB, GiB, TiB, PiB)
/// from 0 to the first step at or above `max_bytes` (at least one step), 4 to 8 labels; sets the
/// range to match. Labels sit on the values.
void setByteTicks(QCategoryAxis& axis, double max_bytes);
/// The same for token counts: power-of-two steps, "K" (1024) and "M" (1024^2) suffixes.
void setTokenTicks(QCategoryAxis& axis, double max_tokens);

}  // namespace kvscope
