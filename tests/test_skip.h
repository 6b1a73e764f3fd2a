#pragma once
// Tests that cannot do their work here (a shared real model is missing and
// KVSCOPE_ALLOW_MISSING_MODELS=1 allows it) say so with skipTest(): the test binary then exits
// with kSkipExitCode instead of 0, and CTest (SKIP_RETURN_CODE) reports the test as skipped,
// never as passed.
#include <atomic>
#include <catch2/catch.hpp>
#include <string>

namespace kvscope::test {

/// SKIP_RETURN_CODE of every discovered test (tests/CMakeLists.txt); 77 as in automake.
inline constexpr int kSkipExitCode = 77;

inline std::atomic<int>& skippedCount() {
    static std::atomic<int> count{0};
    return count;
}

/// Records that the running test skipped its work, with the reason in the test's output.
inline void skipTest(const std::string& reason) {
    WARN("SKIPPED: " << reason);
    ++skippedCount();
}

/// The exit code of a test run that returned `catch_result`: a failure stays a failure, a run
/// in which some test skipped its work is a skip, anything else 0.
inline int exitCodeAfter(int catch_result) {
    if (catch_result != 0) return catch_result;
    return skippedCount() > 0 ? kSkipExitCode : 0;
}

}  // namespace kvscope::test
