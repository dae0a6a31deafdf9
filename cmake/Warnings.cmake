option(OUTCOMES_WERROR "Treat compiler warnings as errors" OFF)
add_library(outcomes_warnings INTERFACE)
target_compile_options(outcomes_warnings INTERFACE -Wall -Wextra -Wpedantic)
# GCC 12 at -O2 reports overlapping copies inside std::string's own code (assigning or
# prepending a literal) that cannot happen; which lines it names changes with inlining, so
# the warning is off for that compiler only. Other compilers keep it.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12
   AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(outcomes_warnings INTERFACE -Wno-restrict)
endif()
if(OUTCOMES_WERROR)
  target_compile_options(outcomes_warnings INTERFACE -Werror)
endif()
