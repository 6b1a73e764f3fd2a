// The one Catch2 main shared by the core and CLI test executables. A run in which a test skipped
// its work (tests/test_skip.h) exits with kSkipExitCode so that CTest reports it as skipped.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "test_skip.h"

int main(int argc, char** argv) {
    return kvscope::test::exitCodeAfter(Catch::Session().run(argc, argv));
}
