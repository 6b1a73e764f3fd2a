#pragma once
// Small helpers shared by the core tests.
#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/model.h"
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

/// BOS followed by the tokens of `text`: what a session is prefilled with.
inline std::vector<TokenId> promptIds(const Model& model, std::string_view text) {
    std::vector<TokenId> ids{model.tokenizer->bos()};
    for (TokenId id : model.tokenizer->encode(text))
        ids.push_back(id);
    return ids;
}

}  // namespace kvscope::test
