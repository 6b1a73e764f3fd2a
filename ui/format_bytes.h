#pragma once
// Byte counts for people: IEC binary units (KiB = 1024 B), the unit always named, never GB.
#include <QString>
#include <cstdint>

namespace kvscope {

/// "0 B", "1023 B", "1.50 KiB", "512.00 MiB", "8.00 EiB": whole bytes below 1 KiB, otherwise two
/// decimals in the largest unit that keeps the number below 1024. Negative counts get a "-".
QString formatBytes(std::int64_t bytes);

/// An IEC unit for an axis whose largest value is `max_bytes`: the largest unit that keeps it at
/// or above 1 ("KiB" and 1024 for 5000).
struct ByteUnit {
    QString name;
    double bytes = 1;
};
ByteUnit byteUnitFor(double max_bytes);

}  // namespace kvscope
