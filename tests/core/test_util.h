#pragma once
// Small helpers shared by the core tests.
#include <catch2/catch.hpp>
#include <string>

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

}  // namespace kvscope::test
