option(OUTCOMES_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
add_library(outcomes_sanitizers INTERFACE)
if(OUTCOMES_SANITIZE)
  target_compile_options(outcomes_sanitizers INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(outcomes_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
