#pragma once
// Axis labels in the units people read: IEC bytes ("0", "16 GiB", "32 GiB"), tokens ("0",
// "32K", "64K", K = 1024 tokens), FLOPs ("0", "500 MFLOP", "1 GFLOP") and times ("0", "250 ms",
// "1.5 s"), at round steps, on QCategoryAxis so the series keep their exact values (bytes,
// tokens, FLOPs, milliseconds) and only the labels are scaled.
#include <QString>
#include <QtGlobal>
#include <cstdint>

QT_BEGIN_NAMESPACE
class QCategoryAxis;
QT_END_NAMESPACE

namespace kvscope {

/// Replaces the labels of `axis` with 1-2-5 steps of an IEC unit (B, KiB, MiB, GiB, TiB, PiB)
/// from 0 to the first step at or above `max_bytes` (at least one step), 4 to 8 labels; sets the
/// range to match. Labels sit on the values. `max_steps` (1 to 8) caps the steps, for an axis
/// too short for 8 (see tickStepsFor in chart_style.h).
void setByteTicks(QCategoryAxis& axis, double max_bytes, int max_steps = 8);
/// The same for token counts: power-of-two steps, "K" (1024) and "M" (1024^2) suffixes.
void setTokenTicks(QCategoryAxis& axis, double max_tokens, int max_steps = 8);
/// The same for FLOP counts: 1-2-5 steps labelled by formatFlops.
void setFlopTicks(QCategoryAxis& axis, double max_flops, int max_steps = 8);
/// The same for durations in milliseconds: 1-2-5 steps labelled by formatMilliseconds.
void setMillisecondTicks(QCategoryAxis& axis, double max_ms, int max_steps = 8);

/// A FLOP count with an SI prefix (1000s) and up to 3 significant digits, never an exponent:
/// "0", "750 FLOP", "5.2 MFLOP", "1.25 GFLOP", "20 TFLOP". Negative counts get a "-".
QString formatFlops(double flops);
/// A duration given in milliseconds, up to 3 significant digits, never an exponent: "0",
/// "0.05 ms", "12.5 ms", "250 ms"; from 1000 ms on in seconds: "1.5 s", "5 s", "120 s".
QString formatMilliseconds(double ms);

}  // namespace kvscope
