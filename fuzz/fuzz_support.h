// Shared by the libFuzzer harnesses: what counts as an expected outcome.
#pragma once
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>
#include <typeinfo>

#include "error.h"

namespace outcomes::fuzz {

// Runs `body`: an outcomes::Error is the library rejecting the input (expected); any other
// exception is a finding, reported with its type and aborting so libFuzzer keeps the input.
template <typename Body>
void expect_only_library_errors(Body&& body) {
  try {
    body();
  } catch (const Error&) {
    // The input was refused the documented way.
  } catch (const std::exception& e) {
    std::fprintf(stderr, "FINDING: uncaught %s: %s\n", typeid(e).name(), e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "FINDING: uncaught exception of unknown type\n");
    std::abort();
  }
}

// Aborts, naming the broken property, when `ok` is false.
inline void require(bool ok, const char* property) {
  if (ok) return;
  std::fprintf(stderr, "FINDING: property broken: %s\n", property);
  std::abort();
}

inline std::string_view as_text(const unsigned char* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace outcomes::fuzz
