#include "core/cache/kv_cache_spec.h"

#include <algorithm>
#include <charconv>
#include <string>

#include "core/util/error.h"

namespace kvscope {

namespace {

std::int64_t parseWindow(std::string_view digits, std::string_view text, std::string_view flag) {
    std::int64_t n = -1;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || n < 0) {
        throw InputError(std::string(flag) + ": bad window in '" + std::string(text) +
                         "' (expected a number of tokens >= 0 after +w or +r)");
    }
    return n;
}

KvDtype parseDtypeIn(std::string_view name, std::string_view text, std::string_view flag) {
    std::string spelled(name);  // "fp8-e4m3" as the issue writes it: fp8_e4m3
    std::replace(spelled.begin(), spelled.end(), '-', '_');
    try {
        return parseKvDtype(spelled);
    } catch (const InputError& e) {
        throw InputError(std::string(flag) + ": in '" + std::string(text) + "': " + e.what());
    }
}

}  // namespace

std::string KvCacheSpec::label() const {
    // Appended piece by piece (GCC 12 warns falsely on "literal" + std::string here).
    std::string out(toString(k_dtype));
    if (v_dtype != k_dtype) out.append("/").append(toString(v_dtype));
    if (recent_window > 0) {
        out.append("+w").append(std::to_string(recent_window));
        if (recent_dtype != KvDtype::F16) out.append(":").append(toString(recent_dtype));
    }
    if ((k_dtype == KvDtype::KIVI2 || v_dtype == KvDtype::KIVI2) &&
        kivi_window != kKiviDefaultWindow)
        out.append("+r").append(std::to_string(kivi_window));
    return out;
}

void checkKvCacheSpec(const KvCacheSpec& spec, const char* what) {
    checkKvRoleFormat(spec.keyFormat(), what);
    checkKvRoleFormat(spec.valueFormat(), what);
    if (spec.recent_window > 0 && spec.k_dtype == KvDtype::KIVI2 &&
        spec.v_dtype == KvDtype::KIVI2) {
        throw InputError(std::string(what) +
                         ": a mixed-precision window does not apply to kivi2 (it keeps its own "
                         "fp16 window, kivi_window)");
    }
}

KvCacheSpec parseKvCacheSpec(std::string_view text, std::string_view flag) {
    KvCacheSpec spec;
    std::string_view dtypes = text;
    const std::size_t plus = text.find('+');
    if (plus != std::string_view::npos) {
        dtypes = text.substr(0, plus);
        std::string_view window = text.substr(plus + 1);
        if (window.size() < 2 || (window[0] != 'w' && window[0] != 'r')) {
            throw InputError(std::string(flag) + ": bad suffix in '" + std::string(text) +
                             "' (expected +wN, +wN:DTYPE or +rN)");
        }
        const bool kivi = window[0] == 'r';
        window.remove_prefix(1);
        const std::size_t colon = window.find(':');
        if (colon != std::string_view::npos) {
            if (kivi) {
                throw InputError(std::string(flag) + ": '" + std::string(text) +
                                 "': the KIVI window (+r) is always fp16");
            }
            spec.recent_dtype = parseDtypeIn(window.substr(colon + 1), text, flag);
            window = window.substr(0, colon);
        }
        (kivi ? spec.kivi_window : spec.recent_window) = parseWindow(window, text, flag);
    }
    const std::size_t slash = dtypes.find('/');
    spec.k_dtype = parseDtypeIn(dtypes.substr(0, slash), text, flag);
    spec.v_dtype = slash == std::string_view::npos
                       ? spec.k_dtype
                       : parseDtypeIn(dtypes.substr(slash + 1), text, flag);
    const bool has_kivi = spec.k_dtype == KvDtype::KIVI2 || spec.v_dtype == KvDtype::KIVI2;
    if (plus != std::string_view::npos && text[plus + 1] == 'r' && !has_kivi) {
        throw InputError(std::string(flag) + ": '" + std::string(text) +
                         "': +rN is the kivi2 window; use +wN for a mixed-precision window");
    }
    checkKvCacheSpec(spec, std::string(flag).c_str());
    return spec;
}

}  // namespace kvscope
