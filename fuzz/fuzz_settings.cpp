// Fuzzes the workspace settings reader (load_settings of outcomes.yaml, lib/workspace.cpp):
// any text gives settings or InvalidInput, and settings it accepts, written back by
// settings_to_yaml, read back the same.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "fuzz_support.h"
#include "workspace.h"

using namespace outcomes;

namespace {

// load_settings reads a file: each input goes through one per process.
const std::filesystem::path& scratch_file() {
  static const std::filesystem::path path =
      std::filesystem::temp_directory_path() /
      ("outcomes-fuzz-settings-" + std::to_string(::getpid()) + ".yaml");
  return path;
}

Settings load_text(std::string_view text) {
  {
    std::ofstream out(scratch_file(), std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
  }
  return load_settings(scratch_file());
}

bool same(const Settings& a, const Settings& b) {
  if (a.service_name != b.service_name || a.small_number_threshold != b.small_number_threshold ||
      a.review_interval_days != b.review_interval_days ||
      a.stories_per_report != b.stories_per_report ||
      a.attributes.size() != b.attributes.size() || a.exit_reasons.size() != b.exit_reasons.size())
    return false;
  for (std::size_t i = 0; i < a.attributes.size(); ++i)
    if (a.attributes[i].id != b.attributes[i].id || a.attributes[i].name != b.attributes[i].name ||
        a.attributes[i].values != b.attributes[i].values)
      return false;
  for (std::size_t i = 0; i < a.exit_reasons.size(); ++i)
    if (a.exit_reasons[i].id != b.exit_reasons[i].id ||
        a.exit_reasons[i].name != b.exit_reasons[i].name)
      return false;
  return true;
}

struct RemoveScratch {
  ~RemoveScratch() {
    std::error_code ec;
    std::filesystem::remove(scratch_file(), ec);
  }
} remove_scratch_at_exit;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  fuzz::expect_only_library_errors([&] {
    Settings settings = load_text(fuzz::as_text(data, size));
    Settings again = load_text(settings_to_yaml(settings));
    fuzz::require(same(settings, again), "settings written by settings_to_yaml read back the same");
  });
  return 0;
}
