// Fuzzes the framework YAML loader (parse_framework in lib/framework.cpp): any text gives
// either a framework or a list of problems, never a crash or a stray exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "framework.h"
#include "fuzz_support.h"

using namespace outcomes;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  fuzz::expect_only_library_errors([&] {
    FrameworkLoad load = parse_framework(fuzz::as_text(data, size), "fuzz.yaml");
    fuzz::require(load.framework.has_value() || !load.problems.empty(),
                  "a framework that does not load says why");
    for (const auto& problem : load.problems) (void)to_string(problem);
    if (load.ok()) {
      const Framework& fw = *load.framework;
      for (const auto& m : fw.measures) fuzz::require(fw.find_measure(m.id) != nullptr,
                                                      "every measure can be found by its id");
      (void)fw.items();
    }
  });
  return 0;
}
