#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "record_internal.h"
#include "store_sqlite.h"
#include "test_support.h"

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

namespace {

ContentKey key_of(const outcomes::NewEntry& e) {
  std::string scratch;
  return content_key(e, scratch);
}

}  // namespace

TEST_CASE("content_key: the fact's fields count; the worker, the ref and the version do not") {
  using outcomes::EntryKind;
  auto base = outcomes::testing::make("P1", "2026-10-01", EntryKind::Assessment);
  base.framework = "ndt";
  base.measure = "engagement";
  base.value = 3;
  base.text = "line one\nline two";
  const ContentKey k = key_of(base);

  auto same = base;
  same.by = "someone else";
  same.ref = "r-9";
  same.framework_version = "2";
  same.framework_hash = "abc";
  same.text = "line one\r\nline two";  // saved with Windows line ends
  CHECK(key_of(same) == k);

  auto changed = [&](auto change) {
    auto e = base;
    change(e);
    return key_of(e);
  };
  CHECK(changed([](auto& e) { e.person = "P2"; }) != k);
  CHECK(changed([](auto& e) { e.date.days += 1; }) != k);
  CHECK(changed([](auto& e) { e.kind = EntryKind::Signal; }) != k);
  CHECK(changed([](auto& e) { e.framework = "nd"; }) != k);
  CHECK(changed([](auto& e) { e.measure = "engagemen"; }) != k);
  CHECK(changed([](auto& e) { e.value = 4; }) != k);
  CHECK(changed([](auto& e) { e.value.reset(); }) != k);
  CHECK(changed([](auto& e) { e.status = "x"; }) != k);
  CHECK(changed([](auto& e) { e.text += " "; }) != k);
  // Fields do not run into one another.
  CHECK(changed([](auto& e) { e.framework = "ndte"; e.measure = "ngagement"; }) != k);
}

TEST_CASE("StoredContents matches each current stored entry once") {
  using outcomes::EntryKind;
  outcomes::testing::TempDir dir;
  auto store = outcomes::SqliteStore::create(dir / "outcomes.db");
  auto contact = outcomes::testing::make("P1", "2026-10-01", EntryKind::Contact, "attended");
  auto missed = outcomes::testing::make("P1", "2026-10-02", EntryKind::Contact, "missed");
  std::int64_t missed_id = 0;
  {
    auto tx = store.begin();
    tx->append(contact, "2026-10-03T00:00:00Z");
    missed_id = tx->append(missed, "2026-10-03T00:00:00Z");
    tx->commit();
  }
  {
    // A correction replaces the missed contact: only the correction is current.
    auto outreach = missed;
    outreach.status = "outreach";
    outreach.supersedes = missed_id;
    outreach.reason = "typo";
    auto tx = store.begin();
    tx->append(outreach, "2026-10-04T00:00:00Z");
    tx->commit();
  }
  StoredContents stored(store);
  CHECK(stored.take(0, contact, key_of(contact)));
  CHECK_FALSE(stored.take(0, contact, key_of(contact)));  // one stored entry matches one row
  CHECK_FALSE(stored.take(0, missed, key_of(missed)));    // superseded
  auto outreach = missed;
  outreach.status = "outreach";
  CHECK(stored.take(0, outreach, key_of(outreach)));
}

TEST_CASE("StoredContents reads each person's entries, corrections onto them included") {
  using outcomes::EntryKind;
  outcomes::testing::TempDir dir;
  auto store = outcomes::SqliteStore::create(dir / "outcomes.db");
  auto p1 = outcomes::testing::make("P1", "2026-10-01", EntryKind::Contact, "attended");
  auto p2 = outcomes::testing::make("P2", "2026-10-01", EntryKind::Contact, "attended");
  auto wrong = outcomes::testing::make("P1", "2026-10-02", EntryKind::Contact, "missed");
  std::int64_t wrong_id = 0;
  {
    auto tx = store.begin();
    tx->append(p1, "2026-10-03T00:00:00Z");
    tx->append(p2, "2026-10-03T00:00:00Z");
    wrong_id = tx->append(wrong, "2026-10-03T00:00:00Z");
    tx->commit();
  }
  // The missed contact was P2's, recorded under P1 by mistake.
  auto moved = wrong;
  moved.person = "P2";
  moved.supersedes = wrong_id;
  moved.reason = "wrong person";
  {
    auto tx = store.begin();
    tx->append(moved, "2026-10-04T00:00:00Z");
    tx->commit();
  }
  moved.supersedes = 0;
  moved.reason.clear();
  StoredContents stored(store);
  CHECK_FALSE(stored.take(0, wrong, key_of(wrong)));  // no longer P1's
  CHECK(stored.take(0, p1, key_of(p1)));
  CHECK(stored.take(1, moved, key_of(moved)));
  CHECK(stored.take(1, p2, key_of(p2)));
  CHECK_FALSE(stored.take(1, p2, key_of(p2)));
  // A person the store does not know has nothing stored.
  auto p3 = outcomes::testing::make("P3", "2026-10-01", EntryKind::Contact, "attended");
  CHECK_FALSE(stored.take(2, p3, key_of(p3)));
}
