#include "suggest.h"

#include <algorithm>

namespace outcomes {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Two-row dynamic programme: row[j] is the distance between a[0..i) and b[0..j).
  std::vector<std::size_t> prev(b.size() + 1);
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitute = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({prev[j] + 1, row[j - 1] + 1, substitute});
    }
    std::swap(prev, row);
  }
  return prev[b.size()];
}

std::string did_you_mean(std::string_view given, const std::vector<std::string>& candidates) {
  const std::size_t threshold = std::max<std::size_t>(2, given.size() / 3);
  const std::string* best = nullptr;
  std::size_t best_distance = threshold + 1;
  for (const auto& candidate : candidates) {
    if (candidate == given) continue;  // an exact match is not a suggestion
    const std::size_t d = edit_distance(given, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = &candidate;
    }
  }
  if (best == nullptr) return "";
  return " (did you mean '" + *best + "'?)";
}

}  // namespace outcomes
