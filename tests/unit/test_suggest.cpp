#include <doctest/doctest.h>

#include "suggest.h"

using outcomes::did_you_mean;
using outcomes::edit_distance;

TEST_CASE("edit_distance counts insertions, deletions and substitutions") {
  CHECK(edit_distance("", "") == 0);
  CHECK(edit_distance("abc", "") == 3);
  CHECK(edit_distance("", "ab") == 2);
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("licence", "license") == 1);
  CHECK(edit_distance("nature", "nautre") == 2);
}

TEST_CASE("did_you_mean suggests the closest candidate within the threshold") {
  const std::vector<std::string> keys{"id", "name", "version", "source", "licence", "domains"};
  CHECK(did_you_mean("license", keys) == " (did you mean 'licence'?)");
  CHECK(did_you_mean("domain", keys) == " (did you mean 'domains'?)");
  CHECK(did_you_mean("nmae", keys) == " (did you mean 'name'?)");
}

TEST_CASE("did_you_mean gives nothing when no candidate is close") {
  const std::vector<std::string> keys{"status", "scale", "milestone", "signal", "goal"};
  CHECK(did_you_mean("questionnaire", keys).empty());
  CHECK(did_you_mean("x", {}).empty());
  // Threshold is max(2, length / 3): "abcdef" allows 2 edits, so 3 is too many.
  CHECK(did_you_mean("abcdef", {"abcxyz"}).empty());
  CHECK(did_you_mean("abcdef", {"abcdxy"}) == " (did you mean 'abcdxy'?)");
}

TEST_CASE("did_you_mean scales the threshold with the length and prefers the earliest tie") {
  // 12 characters allow 4 edits.
  CHECK(did_you_mean("feeling_safe", {"feelingXXXXe"}) == " (did you mean 'feelingXXXXe'?)");
  CHECK(did_you_mean("feeling_safe", {"feelingXXXXX"}).empty());
  CHECK(did_you_mean("cat", {"bat", "cap"}) == " (did you mean 'bat'?)");
}

TEST_CASE("did_you_mean never suggests the given word itself") {
  CHECK(did_you_mean("scale", {"scale", "scales"}) == " (did you mean 'scales'?)");
}
