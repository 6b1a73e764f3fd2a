# A real-model test without its model file: skipped (exit 77) with KVSCOPE_ALLOW_MISSING_MODELS=1,
# failed (exit 1) without it, never passed.
#   cmake -DTEST_BINARY=<test_core> -DTEST_NAME=<a test case using realModelPath> -P check_skip.cmake
set(ENV{KVSCOPE_TEST_MODELS_DIR} "/nonexistent/kvscope-models")
set(ENV{KVSCOPE_ALLOW_MISSING_MODELS} "1")
execute_process(COMMAND ${TEST_BINARY} ${TEST_NAME} RESULT_VARIABLE allowed OUTPUT_VARIABLE out
                ERROR_VARIABLE out)
if(NOT allowed EQUAL 77 OR NOT out MATCHES "SKIPPED: model file not found")
  message(FATAL_ERROR "allowed missing model: expected exit 77 and SKIPPED, got ${allowed}:\n${out}")
endif()
unset(ENV{KVSCOPE_ALLOW_MISSING_MODELS})
execute_process(COMMAND ${TEST_BINARY} ${TEST_NAME} RESULT_VARIABLE refused OUTPUT_VARIABLE out
                ERROR_VARIABLE out)
if(refused EQUAL 0 OR refused EQUAL 77 OR NOT out MATCHES "model file not found")
  message(FATAL_ERROR "missing model: expected a failure, got ${refused}:\n${out}")
endif()
message(STATUS "missing model: skipped (77) when allowed, failed (${refused}) otherwise")
