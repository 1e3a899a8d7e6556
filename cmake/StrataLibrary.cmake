# strata_library(NAME SOURCES a.cc ... DEPS lib ... PRIVATE_DEPS lib ...)
# One static library per folder; third-party libraries linked PRIVATE by the
# folder that adapts them (see STYLE.md).
function(strata_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# strata_test(NAME SOURCES a_test.cc ... DEPS lib ...)
# A GoogleTest binary whose tests are registered with ctest one by one.
function(strata_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main Threads::Threads)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
    PROPERTIES ENVIRONMENT "STRATA_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
endfunction()

# strata_fuzz(NAME SOURCES a_fuzz.cc ... DEPS lib ...)
# A libFuzzer target (only with -DSTRATA_FUZZ=ON, see docs/fuzzing.md).
function(strata_fuzz name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
endfunction()
