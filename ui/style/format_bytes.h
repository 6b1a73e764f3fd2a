#pragma once
// core/util/format_bytes.h for widgets: the same text as the CLI, as a QString.
#include <QString>
#include <cstdint>

#include "core/util/format_bytes.h"

namespace kvscope {

/// formatBytes(bytes) as a QString: "1.50 KiB".
inline QString bytesText(std::int64_t bytes) {
    return QString::fromStdString(formatBytes(bytes));
}

}  // namespace kvscope
