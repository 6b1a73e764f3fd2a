#include "app/cli/text_format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/util/utf8.h"

namespace kvscope::cli {

std::string fixed(double number, int decimals) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, number);
    return buffer;
}

std::string terminalSafe(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    auto hex = [&](const char* format, unsigned value) {
        char buffer[12];
        std::snprintf(buffer, sizeof buffer, format, value);
        out += buffer;
    };
    for (std::size_t i = 0; i < text.size();) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte < 0x20 || byte == 0x7f) {
            hex("\\x%02X", byte);
            ++i;
            continue;
        }
        if (byte < 0x80) {
            out += char(byte);
            ++i;
            continue;
        }
        const std::size_t length = utf8SequenceLength(text.substr(i));
        if (length == 0) {  // not UTF-8: show the byte
            hex("\\x%02X", byte);
            ++i;
            continue;
        }
        const auto second = static_cast<unsigned char>(text[i + 1]);
        if (byte == 0xC2 && second >= 0x80 && second <= 0x9F) {  // a C1 control
            hex("\\u%04X", second);
        } else {
            out.append(text.substr(i, length));
        }
        i += length;
    }
    return out;
}

std::string groupDigits(std::int64_t n) {
    const std::string digits = std::to_string(n);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        const std::size_t left = digits.size() - i;
        if (i > 0 && left % 3 == 0 && digits[i - 1] != '-') out += ',';
        out += digits[i];
    }
    return out;
}

std::string threadCount(int n) {
    return counted(n, "thread");
}

std::string counted(std::int64_t n, std::string_view noun) {
    return std::to_string(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
}

std::string errorFigure(double x) {
    if (x == 0) return "0";
    char buf[32];
    std::snprintf(buf, sizeof buf, x < 1e-2 ? "%.2e" : "%.4f", x);
    return buf;
}

namespace {
bool isContinuationByte(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}
}  // namespace

std::size_t displayWidth(std::string_view text) {
    std::size_t n = 0;
    for (char c : text)
        n += isContinuationByte(c) ? 0 : 1;
    return n;
}

std::string truncateDisplay(std::string_view text, std::size_t max_chars) {
    std::size_t chars = 0, end = 0;
    for (; end < text.size(); ++end) {
        if (!isContinuationByte(text[end]) && chars++ == max_chars) break;
    }
    return std::string(text.substr(0, end));
}

std::string padLeft(std::string_view text, std::size_t width) {
    const std::size_t shown = displayWidth(text);
    std::string out(shown < width ? width - shown : 0, ' ');
    out += text;
    return out;
}

std::string padRight(std::string_view text, std::size_t width) {
    std::string out(text);
    const std::size_t shown = displayWidth(text);
    if (shown < width) out.append(width - shown, ' ');
    return out;
}

void writeMarkdownTable(const std::vector<std::vector<std::string>>& rows, std::ostream& out) {
    if (rows.empty()) return;
    std::vector<std::size_t> width(rows.front().size(), 0);
    for (const auto& row : rows)
        for (std::size_t c = 0; c < row.size() && c < width.size(); ++c)
            width[c] = std::max(width[c], displayWidth(row[c]));
    for (std::size_t r = 0; r < rows.size(); ++r) {
        out << "| ";
        for (std::size_t c = 0; c < width.size(); ++c) {
            const std::string_view cell = c < rows[r].size() ? rows[r][c] : std::string_view();
            out << (c == 0 ? padRight(cell, width[c]) : padLeft(cell, width[c])) << " |"
                << (c + 1 < width.size() ? " " : "");
        }
        out << "\n";
        if (r == 0) {
            out << "|";
            for (std::size_t c = 0; c < width.size(); ++c)
                out << (c == 0 ? ":" : "-") << std::string(width[c], '-') << (c == 0 ? "-" : ":")
                    << "|";
            out << "\n";
        }
    }
}

}  // namespace kvscope::cli
