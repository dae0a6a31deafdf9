// "Did you mean …?" suggestions for mistyped ids and keys.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace outcomes {

// Levenshtein edit distance between two strings (byte-wise).
std::size_t edit_distance(std::string_view a, std::string_view b);

// " (did you mean 'x'?)" for the candidate closest to `given` by edit distance when it
// is within max(2, |given| / 3) edits (ties go to the earliest candidate); else "".
std::string did_you_mean(std::string_view given, const std::vector<std::string>& candidates);

}  // namespace outcomes
