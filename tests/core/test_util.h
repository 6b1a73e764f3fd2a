#pragma once
// Small helpers shared by the core tests.
#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/cache/kv_cache_spec.h"
#include "core/model/model.h"
#include "core/model/prompt_tokens.h"
#include "core/util/error.h"

namespace kvscope::test {

/// The message of the InputError that `f` throws; fails the test when it throws none.
template <class F>
std::string inputErrorOf(F&& f) {
    try {
        f();
    } catch (const InputError& e) {
        return e.what();
    }
    FAIL("expected an InputError");
    return {};
}

/// Cache specs from their CLI spellings ("int8", "q8_0/q4_0", "kivi2+r32").
inline std::vector<KvCacheSpec> cacheSpecs(std::initializer_list<const char*> texts) {
    std::vector<KvCacheSpec> out;
    for (const char* text : texts)
        out.push_back(parseKvCacheSpec(text, "--test"));
    return out;
}

}  // namespace kvscope::test
