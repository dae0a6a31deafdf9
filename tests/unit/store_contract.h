// The contract every journey store keeps (lib/store.h), written once and run against each
// backend: tests/unit/test_store.cpp (SQLite) and tests/unit/test_store_pg.cpp (PostgreSQL)
// each give a StoreMaker and say OUTCOMES_STORE_CONTRACT(TheirMaker). What only one backend
// has (files, WAL and indexes; COPY, schemas and the advisory lock) stays in its own file.
#pragma once
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "store.h"
#include "test_support.h"

namespace outcomes::testing::contract {

// Makes stores of one backend for a test case, and removes them when it ends.
class StoreMaker {
 public:
  virtual ~StoreMaker() = default;
  // A new, empty store called `name` (unique among this maker's stores).
  virtual std::unique_ptr<JourneyStore> create(const std::string& name) = 0;
  // The store `name` opened again, on a connection of its own.
  virtual std::unique_ptr<JourneyStore> open(const std::string& name, bool read_only = false) = 0;
};

inline const std::string kWhen = "2026-11-15T10:00:00Z";

// An answer of the ndt framework: `measure` scored `value`.
inline NewEntry item(const std::string& person, const char* date, const std::string& measure,
                     int value, const std::string& hash = "h1") {
  NewEntry e = make(person, date, EntryKind::Assessment);
  e.framework = "ndt";
  e.framework_version = "2008";
  e.framework_hash = hash;
  e.measure = measure;
  e.value = value;
  return e;
}

// A query set up by `set`.
template <class Set>
EntryQuery query(Set set) {
  EntryQuery q;
  set(q);
  return q;
}

inline std::vector<int64_t> ids(const std::vector<Entry>& entries) {
  std::vector<int64_t> out;
  for (const auto& e : entries) out.push_back(e.id);
  return out;
}

// Every field of an entry as one line, to compare two reads.
inline std::string describe(const Entry& e) {
  return fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", e.id, e.person,
                     e.date.days, static_cast<int>(e.kind), e.framework, e.framework_version,
                     e.framework_hash, e.measure, e.value ? std::to_string(*e.value) : "-",
                     e.status, e.text, e.by, e.ref, e.supersedes, e.reason, e.seq, e.recorded_at,
                     e.batch, e.superseded);
}
inline std::vector<std::string> describe(const std::vector<Entry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(describe(e));
  return out;
}

inline void append_reads_back_every_field(StoreMaker& maker) {
  auto store = maker.create("s");
  NewEntry e;
  e.person = "P017";
  e.date = day("2026-10-03");
  e.kind = EntryKind::Goal;
  e.framework = "goals";
  e.framework_version = "1.2";
  e.framework_hash = "abcdef0123456789";
  e.measure = "housing";
  e.value = -2;
  e.status = "set";
  e.text = "Get my own flat, with \"a garden\",\nnear my sister\t\\ \xC3\xA9";
  e.by = "worker.a";
  e.ref = "crm-42";
  int64_t batch = 0, id = 0;
  {
    auto tx = store->begin();
    batch = tx->add_batch({0, "goals.csv", "hash-of-file", "2026-11-15T09:00:00Z", "officer", 1});
    id = tx->append(e, kWhen, batch);
    tx->commit();
  }
  CHECK(id == 1);
  CHECK(batch == 1);
  auto all = store->entries({});
  REQUIRE(all.size() == 1);
  const Entry& got = all[0];
  CHECK(got.id == 1);
  CHECK(got.seq == 1);
  CHECK(got.person == "P017");
  CHECK(got.date == day("2026-10-03"));
  CHECK(got.kind == EntryKind::Goal);
  CHECK(got.framework == "goals");
  CHECK(got.framework_version == "1.2");
  CHECK(got.framework_hash == "abcdef0123456789");
  CHECK(got.measure == "housing");
  CHECK(got.value == -2);
  CHECK(got.status == "set");
  CHECK(got.text == e.text);
  CHECK(got.by == "worker.a");
  CHECK(got.ref == "crm-42");
  CHECK(got.batch == batch);
  CHECK(got.recorded_at == kWhen);
  CHECK(got.supersedes == 0);
  CHECK(got.reason.empty());
  CHECK_FALSE(got.superseded);
  REQUIRE(store->entry(1).has_value());
  CHECK(describe(*store->entry(1)) == describe(got));
  CHECK_FALSE(store->entry(2).has_value());

  // Every kind, and an entry without optional parts, reads back empty, with no value.
  {
    auto tx = store->begin();
    for (int k = 0; k < kEntryKindCount; ++k)
      tx->append(make("P018", "2026-10-04", static_cast<EntryKind>(k)), kWhen);
    tx->commit();
  }
  auto bare =
      store->entries(query([](EntryQuery& q) { q.people = std::vector<std::string>{"P018"}; }));
  REQUIRE(bare.size() == kEntryKindCount);
  for (int k = 0; k < kEntryKindCount; ++k) {
    const Entry& b = bare[static_cast<size_t>(k)];
    CHECK(b.kind == static_cast<EntryKind>(k));
    CHECK(b.framework.empty());
    CHECK(b.measure.empty());
    CHECK_FALSE(b.value.has_value());
    CHECK(b.status.empty());
    CHECK(b.text.empty());
    CHECK(b.ref.empty());
    CHECK(b.batch == 0);
  }
  CHECK(store->entry_count() == 1 + kEntryKindCount);
  CHECK(store->people() == std::vector<std::string>{"P017", "P018"});
}

inline void entries_come_in_journey_order(StoreMaker& maker) {
  auto store = maker.create("s");
  {
    auto tx = store->begin();
    auto contact = [&](const char* person, const char* date, const char* status) {
      tx->append(make(person, date, EntryKind::Contact, status), kWhen);
    };
    contact("b", "2026-02-01", "attended");           // 1
    contact("\xC3\x85se", "2026-01-01", "attended");  // 2 "Åse"
    contact("B", "2026-03-01", "missed");             // 3
    contact("a", "2026-02-01", "missed");             // 4
    contact("a", "2026-01-15", "attended");           // 5
    contact("a", "2026-02-01", "outreach");           // 6
    contact("a-1", "2025-12-01", "attended");         // 7
    contact("10", "2026-02-01", "attended");          // 8
    contact("9", "2026-02-01", "attended");           // 9
    contact("Z", "2026-02-01", "attended");           // 10
    tx->commit();
  }
  // Code point order of the reference: digits, then upper case, then lower case, then
  // anything beyond ASCII ("Åse" starts 0xC3); within a person, date, then recording order.
  CHECK(ids(store->entries({})) == std::vector<int64_t>{8, 9, 3, 10, 5, 4, 6, 7, 1, 2});
  CHECK(store->people() ==
        std::vector<std::string>{"10", "9", "B", "Z", "a", "a-1", "b", "\xC3\x85se"});

  EntryQuery window;
  window.from = day("2026-01-15");
  window.to = day("2026-02-01");
  CHECK(ids(store->entries(window)) == std::vector<int64_t>{8, 9, 10, 5, 4, 6, 1});

  EntryQuery some;
  some.people = std::vector<std::string>{"b", "nobody", "a", "b"};
  CHECK(ids(store->entries(some)) == std::vector<int64_t>{5, 4, 6, 1});
  some.people = std::vector<std::string>{"nobody"};
  CHECK(store->entries(some).empty());
}

inline void a_correction_takes_the_place_of_what_it_corrects(StoreMaker& maker) {
  auto store = maker.create("s");
  {
    auto tx = store->begin();
    tx->append(item("P1", "2026-01-10", "housing", 2), kWhen);     // 1
    tx->append(item("P1", "2026-01-10", "engagement", 3), kWhen);  // 2
    tx->commit();
  }
  auto fix = item("P1", "2026-01-10", "housing", 3);
  fix.supersedes = 1;
  fix.reason = "typed 2 for 3";
  {
    auto tx = store->begin();
    CHECK(tx->append(fix, "2026-11-16T10:00:00Z") == 3);
    tx->commit();
  }
  auto current = store->entries({});
  REQUIRE(current.size() == 2);
  CHECK(ids(current) == std::vector<int64_t>{3, 2});
  CHECK(current[0].seq == 1);  // in the place of what it corrects
  CHECK(current[0].supersedes == 1);
  CHECK(current[0].reason == "typed 2 for 3");
  CHECK(current[0].value == 3);
  CHECK(current[0].recorded_at == "2026-11-16T10:00:00Z");

  auto history = store->entries(query([](EntryQuery& q) { q.include_superseded = true; }));
  CHECK(ids(history) == std::vector<int64_t>{1, 3, 2});
  CHECK(history[0].superseded);
  CHECK_FALSE(history[1].superseded);
  CHECK_FALSE(history[2].superseded);
  CHECK(store->entry(1)->superseded);

  // A correction of a correction keeps the chain's place.
  auto again = item("P1", "2026-01-10", "housing", 4);
  again.supersedes = 3;
  {
    auto tx = store->begin();
    CHECK(tx->append(again, kWhen) == 4);
    tx->commit();
  }
  CHECK(ids(store->entries({})) == std::vector<int64_t>{4, 2});
  CHECK(store->entry(4)->seq == 1);

  auto twice = item("P1", "2026-01-10", "housing", 1);
  twice.supersedes = 1;
  {
    auto tx = store->begin();
    CHECK(error_of([&] { tx->append(twice, kWhen); }).find("already corrected by entry 3") !=
          std::string::npos);
  }
  twice.supersedes = 99;
  auto tx = store->begin();
  CHECK(error_of([&] { tx->append(twice, kWhen); }).find("entry 99 does not exist") !=
        std::string::npos);
}

inline void a_write_not_committed_leaves_nothing(StoreMaker& maker) {
  auto store = maker.create("s");
  {
    auto tx = store->begin();
    tx->add_batch({0, "a.csv", "h", kWhen, "", 1});
    tx->append(item("P1", "2026-01-01", "housing", 2), kWhen);
    tx->append(make("P2", "2026-01-01", EntryKind::Contact, "attended"), kWhen);
    tx->append_all({}, kWhen);
  }
  CHECK(store->entry_count() == 0);
  CHECK(store->people().empty());
  CHECK(store->framework_versions().empty());
  CHECK_FALSE(store->batch_with_hash("h").has_value());

  // Ids start again where they would have: nothing of the rolled-back write is remembered.
  {
    auto tx = store->begin();
    CHECK(tx->add_batch({0, "b.csv", "h2", kWhen, "me", 0}) == 1);
    CHECK(tx->append(item("P1", "2026-01-01", "housing", 2), kWhen) == 1);
    tx->commit();
    CHECK(error_of([&] {
            tx->append(make("P2", "2026-01-01", EntryKind::Note), kWhen);
          }).find("after the write was committed") != std::string::npos);
  }
  auto all = store->entries({});
  REQUIRE(all.size() == 1);
  CHECK(all[0].person == "P1");
  CHECK(all[0].framework == "ndt");

  // A second write on the same store while one is open is refused.
  auto tx = store->begin();
  CHECK(error_of([&] { store->begin(); }).find("already in progress") != std::string::npos);
  CHECK(tx->append(make("P2", "2026-01-02", EntryKind::Note), kWhen) == 2);
  tx->commit();
}

inline void entries_survive_reopening_and_ids_continue(StoreMaker& maker) {
  {
    auto store = maker.create("s");
    auto tx = store->begin();
    tx->append(make("P1", "2026-01-01", EntryKind::Contact, "attended"), kWhen);
    tx->commit();
  }
  auto store = maker.open("s");
  {
    auto tx = store->begin();
    CHECK(tx->append(make("P1", "2026-01-02", EntryKind::Contact, "missed"), kWhen) == 2);
    tx->commit();
  }
  auto all = maker.open("s")->entries({});
  REQUIRE(all.size() == 2);
  CHECK(all[1].status == "missed");
  CHECK(all[1].seq == 2);
}

inline void refs_and_batches_are_found(StoreMaker& maker) {
  auto store = maker.create("s");
  CHECK_FALSE(store->has_legacy_batches());
  {
    auto tx = store->begin();
    auto batch = tx->add_batch({0, "visits.csv", "c0ffee", "2026-11-01T08:00:00Z", "ana", 2});
    CHECK(batch == 1);
    auto a = make("P1", "2026-01-01", EntryKind::Contact, "attended");
    a.ref = "r1";
    auto b = make("P1", "2026-01-02", EntryKind::Contact, "missed");
    b.ref = "r2";
    tx->append(a, kWhen, batch);
    tx->append(b, kWhen, batch);
    tx->append(make("P1", "2026-01-03", EntryKind::Contact, "missed"), kWhen);  // no ref
    tx->commit();
  }
  CHECK(store->has_ref("r1"));
  CHECK_FALSE(store->has_ref("r3"));
  CHECK_FALSE(store->has_ref(""));
  CHECK(store->existing_refs({"r3", "r2", "", "r1", "r2"}) ==
        std::vector<std::string>{"r2", "r1"});
  CHECK(store->existing_refs({"x", ""}).empty());
  auto found = store->batch_with_hash("c0ffee");
  REQUIRE(found.has_value());
  CHECK(found->id == 1);
  CHECK(found->source == "visits.csv");
  CHECK(found->imported_at == "2026-11-01T08:00:00Z");
  CHECK(found->by == "ana");
  CHECK(found->rows == 2);
  CHECK_FALSE(store->batch_with_hash("other").has_value());
  CHECK_FALSE(store->has_legacy_batches());

  // A file imported before digests were SHA-256 is seen as such.
  {
    auto tx = store->begin();
    tx->add_batch({0, "old.csv", "fnv1a64:0123456789abcdef", kWhen, "me", 0});
    tx->commit();
  }
  CHECK(store->has_legacy_batches());
  CHECK(store->batch_with_hash("fnv1a64:0123456789abcdef")->source == "old.csv");

  auto tx = store->begin();
  auto dup = make("P2", "2026-01-01", EntryKind::Contact, "attended");
  dup.ref = "r1";
  CHECK(error_of([&] { tx->append(dup, kWhen); }) ==
        "ref 'r1' is already stored; nothing was written");
}

inline void each_store_has_its_own_pseudonym_secret(StoreMaker& maker) {
  auto a = maker.create("a")->setting("pseudonym_secret");
  auto b = maker.create("b")->setting("pseudonym_secret");
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  CHECK(a->size() == 64);
  CHECK(a->find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(*a != *b);
  CHECK(maker.open("a")->setting("pseudonym_secret") == a);
  CHECK_FALSE(maker.open("a")->setting("nothing").has_value());
}

inline void readers_see_the_store_as_last_committed(StoreMaker& maker) {
  auto store = maker.create("s");
  auto reader = store->open_reader();
  {
    auto tx = store->begin();
    tx->append(make("P1", "2026-01-01", EntryKind::Note), kWhen);
    CHECK(store->entry_count() == 1);    // the writer sees its own write
    CHECK(reader->entry_count() == 0);  // the reader, the store as last committed
    tx->commit();
  }
  CHECK(reader->entry_count() == 1);
  CHECK(error_of([&] { reader->begin(); }).find("read-only") != std::string::npos);
  auto read_only = maker.open("s", true);
  CHECK(read_only->entries({}).size() == 1);
  CHECK(error_of([&] { read_only->begin(); }).find("read-only") != std::string::npos);
}

// A store marked as moved refuses every later write, from any connection, and says where
// it went; a write that marks it but is not committed leaves it writable; reads go on.
inline void a_moved_store_refuses_writes(StoreMaker& maker) {
  auto store = maker.create("s");
  auto waiting = maker.open("s");  // a writer that opened the store before it moved
  {
    auto tx = store->begin();
    tx->append(make("P1", "2026-01-01", EntryKind::Note), kWhen);
    tx->mark_moved("somewhere else");
    // not committed
  }
  {
    auto tx = store->begin();
    tx->mark_moved("the new store");
    tx->commit();
  }
  const std::string refused = error_of([&] { waiting->begin(); });
  CHECK(refused.find("this store was moved to the new store by 'outcomes store migrate'") !=
        std::string::npos);
  CHECK(refused.find("nothing was written") != std::string::npos);
  CHECK(error_of([&] { store->begin(); }) == refused);
  CHECK(error_of([&] { maker.open("s")->begin(); }) == refused);
  // Nothing was written, and what was stored can still be read.
  CHECK(maker.open("s", true)->entry_count() == 0);
  CHECK(waiting->setting("moved_to") == std::optional<std::string>("the new store"));
}

}  // namespace outcomes::testing::contract

// The contract's test cases, run with stores that `Maker` (a StoreMaker) makes.
#define OUTCOMES_STORE_CONTRACT_CASE(Maker, name, check)   \
  TEST_CASE("contract: " name) {                           \
    Maker maker;                                           \
    ::outcomes::testing::contract::check(maker);           \
  }
#define OUTCOMES_STORE_CONTRACT(Maker)                                                          \
  OUTCOMES_STORE_CONTRACT_CASE(Maker, "append stores every field and reads it back",            \
                               append_reads_back_every_field)                                    \
  OUTCOMES_STORE_CONTRACT_CASE(Maker, "entries come ordered by person code point, date, seq",   \
                               entries_come_in_journey_order)                                    \
  OUTCOMES_STORE_CONTRACT_CASE(Maker, "a correction takes the place of what it corrects",       \
                               a_correction_takes_the_place_of_what_it_corrects)                 \
  OUTCOMES_STORE_CONTRACT_CASE(Maker, "a write not committed leaves nothing behind",            \
                               a_write_not_committed_leaves_nothing)                             \
  OUTCOMES_STORE_CONTRACT_CASE(Maker, "entries survive reopening, and ids continue",            \
                               entries_survive_reopening_and_ids_continue)                       \
  OUTCOMES_STORE_CONTRACT_CASE(Maker, "refs are unique and found; batches by content hash",     \
                               refs_and_batches_are_found)                                       \
  OUTCOMES_STORE_CONTRACT_CASE(Maker, "each store gets its own random pseudonym secret",        \
                               each_store_has_its_own_pseudonym_secret)                          \
  OUTCOMES_STORE_CONTRACT_CASE(Maker, "readers see the store as last committed",                \
                               readers_see_the_store_as_last_committed)                          \
  OUTCOMES_STORE_CONTRACT_CASE(Maker, "a store moved elsewhere refuses every later write",      \
                               a_moved_store_refuses_writes)
