#include <doctest/doctest.h>

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "record.h"
#include "store.h"

#include "record_internal.h"
#include "store_sqlite.h"
#include "test_support.h"

using namespace outcomes::record_detail;

namespace {

// Every ref hashes alike: the search can only tell refs apart by comparing them.
std::uint64_t same_hash(std::string_view) {
  return 42;
}

using Pairs = std::vector<std::pair<std::uint64_t, std::uint64_t>>;

// The repeats of `refs` as (line, first line), in the order given.
Pairs repeats_of(RefList& refs) {
  Pairs out;
  refs.take_repeats([&](const RefList::Repeat& r) { out.emplace_back(r.line, r.first); });
  return out;
}

}  // namespace

TEST_CASE("distinct refs are not repeats, even when their hashes collide") {
  for (RefList::Hash hash : {&RefList::default_hash, &same_hash}) {
    RefList refs(hash);
    refs.add("a-1", 2);
    refs.add("a-2", 3);
    refs.add("b", 4);
    CHECK(repeats_of(refs).empty());
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
  auto found = repeats_of(refs);
  std::sort(found.begin(), found.end());
  CHECK(found == Pairs{{4, 2}, {7, 2}, {9, 3}});
}

TEST_CASE("with every hash equal, repeats are still matched to their own first row") {
  RefList refs(same_hash);
  refs.add("x", 2);
  refs.add("y", 3);
  refs.add("y", 5);
  refs.add("x", 6);
  refs.add("z", 7);
  // Lines in order within one hash: each repeat names the first row of its own ref, not
  // the first row with the same hash.
  CHECK(repeats_of(refs) == Pairs{{5, 3}, {6, 2}});
}

TEST_CASE("take_repeats empties the list") {
  RefList refs;
  refs.add("r", 2);
  refs.add("r", 3);
  CHECK(repeats_of(refs).size() == 1);
  CHECK(refs.empty());
  CHECK(repeats_of(refs).empty());
}

TEST_CASE("refs set aside in scratch files give the same repeats in the same order") {
  for (RefList::Hash hash : {&RefList::default_hash, &same_hash}) {
    auto fill = [&](RefList& refs, std::size_t from, std::size_t to) {
      for (std::size_t i = from; i < to; ++i) refs.add("r-" + std::to_string(i % 700), i + 2);
    };
    RefList held(hash);
    fill(held, 0, 2000);
    const Pairs expected = repeats_of(held);
    REQUIRE(expected.size() == 1300);
    for (std::size_t parts : {1, 2, 5, 64}) {
      CAPTURE(parts);
      RefList refs(hash);
      fill(refs, 0, 100);  // held until set aside, then moved into the files
      refs.set_aside(parts);
      CHECK(refs.held_bytes() == 0);
      fill(refs, 100, 2000);
      CHECK(repeats_of(refs) == expected);
      CHECK(refs.empty());
    }
  }
}

namespace {

// The listing of `problems` when thrown, with up to 200000 problems named.
std::vector<std::string> listing(Problems& problems) {
  try {
    problems.throw_if_any("f.csv", 200000, "nothing was written");
  } catch (const outcomes::InvalidInput& e) {
    auto list = e.problems();
    list.push_back(e.what());
    return list;
  }
  return {};
}

}  // namespace

namespace {

// Each fact as "person date order" (the fields timeline order is decided by).
std::vector<std::string> timeline_listing(const std::vector<Fact>& facts) {
  std::vector<std::string> out;
  for (const Fact& f : facts) out.push_back(fmt::format("{} {} {}", f.person, f.date, f.order));
  return out;
}

Fact fact(std::uint32_t person, std::int32_t date, std::uint32_t order, Origin origin) {
  Fact f;
  f.person = person;
  f.date = date;
  f.order = order;
  f.origin = origin;
  return f;
}

}  // namespace

TEST_CASE("merge_stored_facts puts new and stored facts in timeline order") {
  // New facts in timeline order, people numbered as a file met them; stored facts as a
  // store gives them: by name (here people 9, 2, 5, 4), each in date order.
  std::vector<Fact> facts = {
      fact(2, 10, kNewOrder + 3, Origin::New), fact(2, 30, kNewOrder + 1, Origin::New),
      fact(4, 5, kNewOrder + 7, Origin::New),  fact(5, 20, kNewOrder + 2, Origin::New),
      fact(9, 1, kNewOrder + 5, Origin::New),  fact(9, 40, kNewOrder + 4, Origin::New)};
  const std::size_t fresh = facts.size();
  std::uint32_t order = 0;
  for (auto [person, date] :
       {std::pair{9u, 1}, {9u, 2}, {9u, 50}, {2u, 10}, {2u, 10}, {2u, 31}, {5u, 1}, {4u, 6}})
    facts.push_back(fact(person, date, order++, Origin::Stored));
  SUBCASE("in the store's order") {}
  SUBCASE("a store out of its own order is still put right") {
    std::swap(facts[fresh], facts[fresh + 2]);
    std::swap(facts[fresh + 3], facts.back());
  }
  std::vector<Fact> sorted = facts;
  std::sort(sorted.begin(), sorted.end(), timeline_before);
  std::vector<Fact> spare = {fact(1, 1, 1, Origin::New)};  // left over from an earlier call
  merge_stored_facts(facts, fresh, spare);
  CHECK(timeline_listing(facts) == timeline_listing(sorted));
  CHECK(std::is_sorted(facts.begin(), facts.end(), timeline_before));
}

TEST_CASE("problems found a part of the people at a time are kept and counted as in one pass") {
  // More problems than are kept for listing, the people numbered in the reverse order of
  // their lines: which ones are kept shows in the listing. Every 1000th person has two
  // problems at one place, listed in the order found.
  constexpr std::uint32_t kPeople = 150000;
  auto line = [](std::uint32_t person) { return std::uint64_t{kPeople - person} + 10; };
  auto each = [&](std::uint32_t person, const auto& add) {
    add(person, line(person), 2, "person " + std::to_string(person));
    if (person % 1000 == 0) add(person, line(person), 2, "again " + std::to_string(person));
  };
  Problems one;
  one.add(1, 1, "a row problem");
  for (std::uint32_t p = 0; p < kPeople; ++p)
    each(p, [&](std::uint32_t, std::uint64_t l, std::uint32_t c, std::string t) {
      one.add(l, c, std::move(t));
    });
  for (std::uint32_t parts : {1u, 7u}) {
    CAPTURE(parts);
    Problems in_parts;
    in_parts.add(1, 1, "a row problem");
    PartedProblems parted(in_parts);
    for (std::uint32_t part = 0; part < parts; ++part) {
      for (std::uint32_t p = part; p < kPeople; p += parts)
        each(p, [&](std::uint32_t person, std::uint64_t l, std::uint32_t c, std::string t) {
          parted.add(person, l, c, std::move(t));
        });
      parted.end_part();
    }
    parted.pass_to(in_parts);
    CHECK(in_parts.total() == one.total());
    CHECK(in_parts.room() == 0);
    Problems copy = one;
    auto expected = listing(copy);
    CHECK(expected.size() == 100000 + 2);  // the kept ones, "… and N more", the summary
    CHECK(listing(in_parts) == expected);
  }
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

namespace {

using outcomes::testing::TempDir;

const char* const kHeader = "person,date,kind,framework,measure,value,status,text,by,ref\n";

// A workspace with no frameworks and an empty store; today is 2026-11-15.
struct ImportWorkspace {
  TempDir dir;
  outcomes::Workspace ws;
  std::unique_ptr<outcomes::JourneyStore> store;

  ImportWorkspace() : store(outcomes::create_store(dir.path / "outcomes.db")) {
    ws.root = dir.path;
    ws.settings = outcomes::default_settings("Test");
  }

  // The import of `text`, holding no more than `memory` says: its counts, or its problems
  // and their summary.
  std::vector<std::string> import(const std::string& text, const ImportMemory& memory,
                                  bool dry_run = false) {
    const auto file = dir.path / "entries.csv";
    std::ofstream(file, std::ios::binary) << text;
    outcomes::ImportOptions o;
    o.file = file;
    o.source = "entries.csv";
    o.today = outcomes::testing::day("2026-11-15");
    o.recorded_at = "2026-11-15T00:00:00Z";
    o.dry_run = dry_run;
    o.max_problems = 1000;
    const auto before = store->entry_count();
    try {
      auto r = import_entries_within(ws, *store, o, memory);
      return {"rows " + std::to_string(r.rows) + ", added " + std::to_string(r.added) +
              ", skipped " + std::to_string(r.skipped) + ", already stored " +
              std::to_string(r.already_stored)};
    } catch (const outcomes::InvalidInput& e) {
      CHECK(store->entry_count() == before);
      auto list = e.problems();
      list.push_back(e.what());
      return list;
    }
  }

  // Every stored entry as "id person date kind status ref".
  std::vector<std::string> stored() const {
    std::vector<std::string> out;
    store->for_each_entry(outcomes::EntryQuery{}, [&](const outcomes::Entry& e) {
      out.push_back(fmt::format("{} {} {} {} {} {}", e.id, e.person,
                                outcomes::format_date(e.date), outcomes::to_string(e.kind),
                                e.status, e.ref));
    });
    return out;
  }
};

// Everything set aside at once, in `parts` files, and stored entries read a person at a
// time.
ImportMemory in_parts(std::size_t parts) {
  ImportMemory m;
  m.facts = 0;
  m.ref_bytes = 0;
  m.parts = parts;
  m.people_per_read = 1;
  return m;
}

std::string person(int k) {
  return fmt::format("P{:02}", k);
}

// 30 people enrolled on 2026-01-05 (ref s-K) with a contact on 2026-02-01; every fifth
// left on 2026-03-01.
std::string stored_file() {
  std::string text = kHeader;
  for (int k = 1; k <= 30; ++k) {
    text += fmt::format("{},2026-01-05,enrol,,,,,,,s-{}\n", person(k), k);
    text += fmt::format("{},2026-02-01,contact,,,,attended,,,\n", person(k));
    if (k % 5 == 0) text += fmt::format("{},2026-03-01,exit,,,,moved_out_of_area,,,\n", person(k));
  }
  return text;
}

}  // namespace

TEST_CASE("an import set aside in parts finds the same problems, in the same order") {
  ImportWorkspace w;
  REQUIRE(w.import(stored_file(), ImportMemory{}) ==
          std::vector<std::string>{"rows 66, added 66, skipped 0, already stored 0"});
  // People come in an order of their own (the file's), not by name; every problem kind
  // that reaches a timeline is here.
  std::string text = kHeader;
  for (int k = 30; k >= 1; k -= 3) {
    // Stored already: by ref, and by content.
    text += fmt::format("{},2026-01-05,enrol,,,,,,,s-{}\n", person(k), k);
    text += fmt::format("{},2026-02-01,contact,,,,attended,,,\n", person(k));
  }
  for (int k = 1; k <= 30; ++k) {
    // An earlier enrolment makes the stored one an enrol within an episode; an exit before
    // the stored one leaves it with no open episode.
    if (k % 4 == 0) text += fmt::format("{},2025-12-01,enrol,,,,,,,\n", person(k));
    if (k % 5 == 0) text += fmt::format("{},2026-02-15,exit,,,,moved_out_of_area,,,\n", person(k));
    text += fmt::format("{},2026-04-0{},contact,,,,attended,,,r-{}\n", person(k), 1 + k % 3, k % 7);
  }
  // A row problem: that person's timeline is not checked.
  text += "P08,2026-13-01,contact,,,,attended,,,\n";
  // New people without an enrolment, one with two rows.
  for (int k = 40; k < 46; ++k)
    text += fmt::format("N{},2026-05-01,contact,,,,attended,,,\n", k);
  text += "N41,2026-05-02,contact,,,,missed,,,\n";
  const auto expected = w.import(text, ImportMemory{});
  REQUIRE(expected.size() > 30);
  auto count = [&](const std::string& part) {
    return std::count_if(expected.begin(), expected.end(), [&](const std::string& p) {
      return p.find(part) != std::string::npos;
    });
  };
  CHECK(count("repeats the ref of line") == 23);
  CHECK(count("no longer fits") == 12);  // P08 left out
  CHECK(count("has no enrolment") == 7);
  CHECK(count("2026-13-01") == 1);
  for (std::size_t parts : {1, 2, 3, 7, 64}) {
    CAPTURE(parts);
    CHECK(w.import(text, in_parts(parts)) == expected);
  }
  ImportMemory read_in_groups;
  read_in_groups.people_per_read = 4;
  CHECK(w.import(text, read_in_groups) == expected);
}

TEST_CASE("an import set aside in parts counts and stores the same entries") {
  ImportWorkspace held, parted;
  for (ImportWorkspace* w : {&held, &parted})
    REQUIRE(w->import(stored_file(), ImportMemory{}).size() == 1);
  std::string text = kHeader;
  for (int k = 1; k <= 30; ++k) {
    text += fmt::format("{},2026-01-05,enrol,,,,,,,s-{}\n", person(k), k);
    if (k % 2 == 0) text += fmt::format("{},2026-02-01,contact,,,,attended,,,\n", person(k));
    text += fmt::format("{},2026-04-01,contact,,,,missed,,,n-{}\n", person(k), k);
    text += fmt::format("{},2026-04-02,contact,,,,attended,,,\n", person(k));
  }
  const auto counts = held.import(text, ImportMemory{}, true);
  REQUIRE(counts ==
          std::vector<std::string>{"rows 105, added 60, skipped 30, already stored 15"});
  CHECK(parted.import(text, in_parts(5), true) == counts);
  CHECK(held.import(text, ImportMemory{}) == counts);
  CHECK(parted.import(text, in_parts(5)) == counts);
  CHECK(parted.stored() == held.stored());
}

TEST_CASE("refs stored before are skipped across windows of rows, and rows stay in file order") {
  ImportWorkspace w;
  // 2,500 people enrolled, each by ref e-K.
  std::string stored = kHeader;
  for (int k = 1; k <= 2500; ++k) stored += fmt::format("P{},2026-01-05,enrol,,,,,,,e-{}\n", k, k);
  REQUIRE(w.import(stored, ImportMemory{}) ==
          std::vector<std::string>{"rows 2500, added 2500, skipped 0, already stored 0"});
  // 6,000 rows, several windows: each stored enrolment again (skipped by its ref) and a new
  // contact, then 500 new people.
  std::string text = kHeader;
  for (int k = 1; k <= 3000; ++k) {
    text += fmt::format("P{},2026-01-05,enrol,,,,,,,e-{}\n", k, k);
    text += fmt::format("P{},2026-02-01,contact,,,,attended,,,c-{}\n", k, k);
  }
  CHECK(w.import(text, ImportMemory{}) ==
        std::vector<std::string>{"rows 6000, added 3500, skipped 2500, already stored 0"});
  std::vector<std::string> expected;
  for (int k = 1; k <= 3000; ++k) {
    expected.push_back(fmt::format("P{} 2026-01-05 enrol  e-{}", k, k));
    expected.push_back(fmt::format("P{} 2026-02-01 contact attended c-{}", k, k));
  }
  auto without_ids = [&] {
    auto all = w.stored();
    for (auto& e : all) e.erase(0, e.find(' ') + 1);
    std::sort(all.begin(), all.end());
    return all;
  };
  std::sort(expected.begin(), expected.end());
  CHECK(without_ids() == expected);
  // The same rows in another order (another file): every one skipped by its ref.
  std::string reversed = kHeader;
  for (int k = 3000; k >= 1; --k) {
    reversed += fmt::format("P{},2026-02-01,contact,,,,attended,,,c-{}\n", k, k);
    reversed += fmt::format("P{},2026-01-05,enrol,,,,,,,e-{}\n", k, k);
  }
  CHECK(w.import(reversed, ImportMemory{}) ==
        std::vector<std::string>{"rows 6000, added 0, skipped 6000, already stored 0"});
  // A ref given twice, windows apart, is still a repeat.
  text += "P7,2026-03-01,contact,,,,attended,,,n-1\n";
  for (int k = 1; k <= 4000; ++k) text += fmt::format("P{},2026-03-02,contact,,,,attended,,,\n", 1 + k % 50);
  text += "P9,2026-03-03,contact,,,,attended,,,n-1\n";
  const auto problems = w.import(text, ImportMemory{});
  REQUIRE(problems.size() == 2);
  CHECK(problems[0].find("repeats the ref of line 6002") != std::string::npos);
  CHECK(without_ids() == expected);
}
