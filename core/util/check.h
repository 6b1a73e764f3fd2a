#pragma once
#include "core/util/check.h"
// KVSCOPE_EXPECTS(condition): a precondition or invariant the code relies on, stated where it is
// relied on. Unlike KVSCOPE_EXPECTS() it is not tied to NDEBUG: it is checked whenever
// KVSCOPE_CHECKS is 1, which CMake sets for every build with tests (option KVSCOPE_CHECKS, ON with
// KVSCOPE_TESTS) and which Debug builds get by default, so every ctest run, Release included,
// exercises the checks.
//
// A failed check throws ContractViolation (a std::logic_error) naming the condition, the file and
// the line: a test reports it as a failure, the CLI as an internal failure (exit 1). Bad input is
// never a contract violation: it is an InputError (core/util/error.h) found before the work.
#include <stdexcept>

#if !defined(KVSCOPE_CHECKS)
#if defined(NDEBUG)
#define KVSCOPE_CHECKS 0
#else
#define KVSCOPE_CHECKS 1
#endif
#endif

namespace kvscope {

class ContractViolation : public std::logic_error {
public:
    using std::logic_error::logic_error;
};

/// Throws ContractViolation("check failed: CONDITION (FILE:LINE)").
[[noreturn]] void contractViolated(const char* condition, const char* file, int line);

}  // namespace kvscope

#if KVSCOPE_CHECKS
#define KVSCOPE_EXPECTS(condition) \
    ((condition) ? void(0) : ::kvscope::contractViolated(#condition, __FILE__, __LINE__))
#else
// Not evaluated, but still compiled (sizeof), so a variable used only in checks stays "used".
#define KVSCOPE_EXPECTS(condition) ((void)sizeof((condition) ? 1 : 0))
#endif
