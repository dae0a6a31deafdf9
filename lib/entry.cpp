#include "entry.h"

#include <array>

namespace outcomes {
namespace {
constexpr std::array<std::string_view, kEntryKindCount> kNames = {
    "enrol", "exit", "contact", "assessment", "status", "need",
    "milestone", "signal", "goal", "note", "attribute"};
}

std::string_view to_string(EntryKind kind) { return kNames[static_cast<size_t>(kind)]; }

std::optional<EntryKind> parse_entry_kind(std::string_view text) {
  for (size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == text) return static_cast<EntryKind>(i);
  return std::nullopt;
}

}  // namespace outcomes
