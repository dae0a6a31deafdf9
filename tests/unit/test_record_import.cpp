#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "record_internal.h"

using namespace outcomes::record_detail;

namespace {

// Every ref hashes alike: the search can only tell refs apart by comparing them.
std::uint64_t same_hash(std::string_view) {
  return 42;
}

std::vector<std::pair<std::uint64_t, std::uint64_t>> pairs(
    const std::vector<RefList::Repeat>& repeats) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
  for (const auto& r : repeats) out.emplace_back(r.line, r.first);
  return out;
}

using Pairs = std::vector<std::pair<std::uint64_t, std::uint64_t>>;

}  // namespace

TEST_CASE("distinct refs are not repeats, even when their hashes collide") {
  for (RefList::Hash hash : {&RefList::default_hash, &same_hash}) {
    RefList refs;
    refs.add("a-1", 2);
    refs.add("a-2", 3);
    refs.add("b", 4);
    CHECK(refs.take_repeats(hash).empty());
  }
}

TEST_CASE("a ref given again is a repeat of the first row that gave it") {
  RefList refs;
  refs.add("r1", 2);
  refs.add("r2", 3);
  refs.add("r1", 4);
  refs.add("r1", 7);
  refs.add("r3", 8);
  refs.add("r2", 9);
  auto found = pairs(refs.take_repeats());
  std::sort(found.begin(), found.end());
  CHECK(found == Pairs{{4, 2}, {7, 2}, {9, 3}});
}

TEST_CASE("with every hash equal, repeats are still matched to their own first row") {
  RefList refs;
  refs.add("x", 2);
  refs.add("y", 3);
  refs.add("y", 5);
  refs.add("x", 6);
  refs.add("z", 7);
  // Lines in order within one hash: each repeat names the first row of its own ref, not
  // the first row with the same hash.
  CHECK(pairs(refs.take_repeats(same_hash)) == Pairs{{5, 3}, {6, 2}});
}

TEST_CASE("take_repeats empties the list") {
  RefList refs;
  refs.add("r", 2);
  refs.add("r", 3);
  CHECK(refs.take_repeats().size() == 1);
  CHECK(refs.empty());
  CHECK(refs.take_repeats().empty());
}
