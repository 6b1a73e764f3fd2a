#pragma once
// Byte counts for people: IEC binary units (KiB = 1024 B), the unit always named, never GB. The
// one formatter of the CLI and the GUI, so a count reads the same everywhere.
#include <cstdint>
#include <string>
#include <string_view>

namespace kvscope {

/// "0 B", "1023 B", "1.50 KiB", "512.00 MiB", "8.00 EiB": whole bytes below 1 KiB, otherwise two
/// decimals in the largest unit that keeps the rounded number below 1024 (1,048,575 B is
/// "1.00 MiB", never "1024.00 KiB"). Negative counts get a "-".
std::string formatBytes(std::int64_t bytes);

/// An IEC unit for an axis whose largest value is `max_bytes`: the largest unit that keeps it at
/// or above 1 ("KiB" and 1024 for 5000).
struct ByteUnit {
    std::string_view name;
    double bytes = 1;
};
ByteUnit byteUnitFor(double max_bytes);

}  // namespace kvscope
