// Reading the store: the per-person read path agrees with the whole-store one, and the
// report read from a store (build_report) agrees with the report of the same journeys.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "report.h"
#include "store_sqlite.h"
#include "test_support.h"
#include "workspace.h"

using namespace outcomes;

namespace {

using outcomes::testing::day;
using outcomes::testing::TempDir;

using outcomes::testing::make;

NewEntry item(const std::string& person, const char* date, const std::string& framework,
              const std::string& measure, int value) {
  NewEntry e = make(person, date, EntryKind::Assessment);
  e.framework = framework;
  e.framework_version = framework + "-v1";
  e.framework_hash = framework + "-hash-long-enough-not-to-fit-a-short-string-buffer";
  e.measure = measure;
  e.value = value;
  return e;
}

// Every stored field of an entry, to compare reads.
std::string describe(const Entry& e) {
  std::ostringstream out;
  out << e.person << '|' << e.id << '|' << format_date(e.date) << '|' << static_cast<int>(e.kind)
      << '|' << e.framework << '|' << e.framework_version << '|' << e.framework_hash << '|'
      << e.measure << '|' << (e.value ? std::to_string(*e.value) : "-") << '|' << e.status << '|'
      << e.text << '|' << e.by << '|' << e.ref << '|' << e.batch << '|' << e.recorded_at << '|'
      << e.supersedes << '|' << e.reason << '|' << e.seq << '|' << e.superseded;
  return out.str();
}

std::vector<std::string> read_all(const JourneyStore& store, const EntryQuery& q) {
  std::vector<std::string> out;
  store.for_each_entry(q, [&](const Entry& e) { out.push_back(describe(e)); });
  return out;
}

// What `reader` reads with `query` inside a read of `outer_person` already under way, after
// `writer` appended `added` and, when `erased` is set, erased that person: a second
// connection opened by the inner read would see those writes.
std::vector<std::string> read_after_writes(SqliteStore& reader, SqliteStore& writer,
                                           const std::string& outer_person,
                                           const EntryQuery& query, const NewEntry& added,
                                           const std::optional<std::string>& erased) {
  std::vector<std::string> inner;
  EntryQuery outer;
  outer.people = std::vector<std::string>{outer_person};
  bool done = false;
  reader.for_each_entry(outer, [&](const Entry&) {
    if (done) return;
    done = true;
    auto tx = writer.begin();
    tx->append(added, "2026-12-01T00:00:00Z");
    if (erased) tx->erase_person(*erased, {"2026-12-01T00:00:00Z", "officer", "asked", 0, "dg"});
    tx->commit();
    inner = read_all(reader, query);
  });
  return inner;
}

}  // namespace

TEST_CASE("reading selected people gives every field as the whole-store read does") {
  TempDir dir("store-read");
  auto store = SqliteStore::create(dir / "outcomes.db");
  {
    auto tx = store.begin();
    // Consecutive rows change framework, measure and status, or drop them (NULL), within a
    // person and across people, so a row never keeps a value from the row before.
    tx->append(item("b", "2026-01-01", "ndt", "risk", 3), "2026-01-02T00:00:00Z");
    tx->append(item("b", "2026-01-01", "ndt", "risk", 2), "2026-01-02T00:00:00Z");
    tx->append(item("b", "2026-01-02", "other", "risk", 1), "2026-01-02T00:00:00Z");
    tx->append(make("b", "2026-01-03", EntryKind::Contact, "attended"), "2026-01-04T00:00:00Z");
    auto note = make("b", "2026-01-04", EntryKind::Note, "shareable");
    note.text = "A note long enough to need its own allocation, and then some.";
    note.by = "worker";
    note.ref = "ext-1";
    tx->append(note, "2026-01-05T00:00:00Z");
    tx->append(make("b", "2026-01-05", EntryKind::Contact), "2026-01-05T00:00:00Z");
    tx->append(item("a", "2026-02-01", "other", "risk", 4), "2026-02-02T00:00:00Z");
    tx->append(make("a", "2026-02-02", EntryKind::Contact, "missed"), "2026-02-02T00:00:00Z");
    tx->append(item("a", "2026-02-03", "ndt", "hope", 5), "2026-02-04T00:00:00Z");
    auto attribute = make("a", "2026-02-03", EntryKind::Attribute, "woman");
    attribute.measure = "gender";
    tx->append(attribute, "2026-02-04T00:00:00Z");
    tx->commit();
  }
  const auto whole = read_all(store, EntryQuery{});
  REQUIRE(whole.size() == 10);
  CHECK(whole.front().rfind("a|7|2026-02-01|", 0) == 0);  // person a first, in date order
  EntryQuery q;
  q.people = std::vector<std::string>{"b", "a"};
  CHECK(read_all(store, q) == whole);

  // Spot checks of fields that a stale read would get wrong.
  auto entries = store.entries(q);
  REQUIRE(entries.size() == 10);
  CHECK(entries[1].framework.empty());  // a's contact after a framework row
  CHECK(entries[1].framework_hash.empty());
  CHECK(entries[1].measure.empty());
  CHECK(entries[1].status == "missed");
  CHECK(entries[2].framework == "ndt");
  CHECK(entries[2].measure == "hope");
  CHECK(entries[2].status.empty());
  CHECK(entries[3].framework.empty());  // a's attribute, after the item of the same day
  CHECK(entries[3].measure == "gender");
  CHECK(entries[3].status == "woman");
  CHECK(entries[4].framework == "ndt");  // b's first row, after a's last
  CHECK(entries[4].framework_version == "ndt-v1");
  CHECK(entries[6].framework == "other");
  CHECK(entries[6].framework_hash == "other-hash-long-enough-not-to-fit-a-short-string-buffer");
  CHECK(entries[9].status.empty());  // a contact without a status after a note with one
  CHECK(entries[9].text.empty());
  CHECK(entries[8].by == "worker");
  CHECK(entries[8].ref == "ext-1");
}

TEST_CASE("a whole-store read in several passes gives what one pass gives") {
  TempDir dir("store-passes");
  {
    auto store = SqliteStore::create(dir / "outcomes.db");
    auto tx = store.begin();
    // Entries of five people interleaved in date order (as monthly imports store them), so
    // every pass finds its people's entries spread over the whole table; notes with text,
    // workers and refs in every pass, and one correction.
    const char* people[] = {"e", "c", "a", "d", "b"};
    for (int month = 1; month <= 3; ++month)
      for (const char* person : people) {
        const std::string date = fmt::format("2026-0{}-1{}", month, person[0] - 'a');
        tx->append(item(person, date.c_str(), "ndt", "risk", month), "2026-04-01T00:00:00Z");
        auto note = make(person, date.c_str(), EntryKind::Note, "shareable");
        note.text = fmt::format("Story of {} in month {}, long enough to allocate.", person, month);
        note.by = fmt::format("worker-{}", month);
        note.ref = fmt::format("{}-{}", person, month);
        tx->append(note, "2026-04-02T00:00:00Z");
      }
    auto fix = item("c", "2026-01-12", "ndt", "risk", 3);
    fix.supersedes = 3;  // c's first item
    fix.reason = "typed the wrong score";
    tx->append(fix, "2026-04-03T00:00:00Z");
    tx->commit();
  }
  SqliteOptions alone;
  alone.parallel_scan_rows = 0;
  auto one_pass = SqliteStore::open(dir / "outcomes.db", true, alone);
  SqliteOptions small = alone;
  small.rows_per_pass = 4;  // fewer than anyone's entries: a pass for each person
  auto passes = SqliteStore::open(dir / "outcomes.db", true, small);
  // The same, with the upper half of the table scanned on a second connection and thread
  // (on a machine with two cores), in one pass and in several.
  SqliteOptions two_parts;
  two_parts.parallel_scan_rows = 1;
  auto halves = SqliteStore::open(dir / "outcomes.db", true, two_parts);
  two_parts.rows_per_pass = 4;
  auto halves_in_passes = SqliteStore::open(dir / "outcomes.db", true, two_parts);
  for (bool superseded : {false, true}) {
    EntryQuery q;
    q.include_superseded = superseded;
    const auto whole = read_all(one_pass, q);
    CHECK(whole.size() == (superseded ? 31u : 30u));
    CHECK(read_all(passes, q) == whole);
    CHECK(read_all(halves, q) == whole);
    CHECK(read_all(halves_in_passes, q) == whole);
    q.from = day("2026-02-01");
    CHECK(read_all(passes, q) == read_all(one_pass, q));
    CHECK(read_all(halves_in_passes, q) == read_all(one_pass, q));
  }
  // Reading only what assessing needs: no notes' text, workers, refs or reasons.
  EntryQuery brief;
  brief.include_superseded = true;
  brief.text_kinds = std::vector<EntryKind>{EntryKind::Need};
  const auto entries = passes.entries(brief);
  REQUIRE(entries.size() == 31);
  for (const auto& e : entries) {
    CHECK(e.text.empty());
    CHECK(e.by.empty());
    CHECK(e.ref.empty());
    CHECK(e.reason.empty());
  }
  brief.text_kinds = std::vector<EntryKind>{EntryKind::Note};
  brief.people = std::vector<std::string>{"a"};
  const auto notes = passes.entries(brief);
  REQUIRE(notes.size() == 6);
  CHECK(notes[1].text == "Story of a in month 1, long enough to allocate.");
  CHECK(notes[1].by.empty());
}

TEST_CASE("a whole-store read in two parts reads one snapshot while others write") {
  TempDir dir("store-halves");
  const char* people[] = {"a", "b", "c", "d"};
  {
    auto store = SqliteStore::create(dir / "outcomes.db");
    auto tx = store.begin();
    for (int month = 1; month <= 4; ++month)
      for (const char* person : people) {
        const std::string date = fmt::format("2026-0{}-0{}", month, person[0] - 'a' + 1);
        tx->append(item(person, date.c_str(), "ndt", "risk", month), "2026-05-01T00:00:00Z");
      }
    tx->commit();
  }
  SqliteOptions two_parts;
  two_parts.parallel_scan_rows = 1;
  auto reader = SqliteStore::open(dir / "outcomes.db", true, two_parts);
  auto writer = SqliteStore::open(dir / "outcomes.db");
  // A whole-store read inside a read already under way sees that read's snapshot, though
  // its second connection opens after the writes below: entries appended since, and an
  // erasure (whose person has entries in the upper half of the table), are not seen.
  for (bool erase : {false, true}) {
    const auto expected = read_all(reader, EntryQuery{});
    CHECK(expected.size() == (erase ? 17u : 16u));
    CHECK(read_after_writes(reader, writer, "a", EntryQuery{},
                            item("e", "2026-05-01", "ndt", "risk", 1),
                            erase ? std::optional<std::string>("d") : std::nullopt) == expected);
  }
  CHECK(read_all(reader, EntryQuery{}).size() == 14);  // 16 - d's 4 + e's 2
}

TEST_CASE("selected people read in runs on two connections give what one connection gives") {
  TempDir dir("store-people-runs");
  std::vector<std::string> everyone;
  {
    auto store = SqliteStore::create(dir / "outcomes.db");
    auto tx = store.begin();
    // More people than a run holds, in several runs; each with an item, a contact, a note
    // with text and a worker, recorded in two writes, so that every field and the log of
    // writes are read on both connections.
    for (int month = 1; month <= 2; ++month)
      for (int p = 0; p < 150; ++p) {
        const std::string person = fmt::format("p{:03}", p);
        if (month == 1) everyone.push_back(person);
        const std::string date = fmt::format("2026-0{}-{:02}", month, 1 + p % 28);
        const std::string at = fmt::format("2026-0{}-28T00:00:00Z", month + 1);
        tx->append(item(person, date.c_str(), p % 2 ? "ndt" : "other", "risk", p % 5), at);
        tx->append(make(person, date.c_str(), EntryKind::Contact, "attended"), at);
        auto note = make(person, date.c_str(), EntryKind::Note, "shareable");
        note.text = fmt::format("Note {} of {}, long enough to allocate a buffer.", month, person);
        note.by = fmt::format("worker-{}", p % 3);
        tx->append(note, at);
      }
    tx->commit();
  }
  SqliteOptions alone;
  alone.parallel_scan_rows = 0;
  auto one = SqliteStore::open(dir / "outcomes.db", true, alone);
  SqliteOptions two_parts;
  two_parts.parallel_scan_rows = 1;
  auto two = SqliteStore::open(dir / "outcomes.db", true, two_parts);
  EntryQuery q;
  q.people = everyone;
  const auto all = read_all(one, q);
  REQUIRE(all.size() == 900);
  CHECK(read_all(two, q) == all);
  CHECK(read_all(two, q) == read_all(one, EntryQuery{}));
  // A report's reads: contacts and notes only from February on; entries recorded in March.
  q.text_kinds = std::vector<EntryKind>{EntryKind::Note};
  q.recent_kinds = {EntryKind::Contact, EntryKind::Note};
  q.kinds_from = day("2026-02-01");
  const auto recent = read_all(one, q);
  CHECK(recent.size() == 600);  // January's 150 contacts and 150 notes left out
  CHECK(read_all(two, q) == recent);
  EntryQuery late;
  late.people = everyone;
  late.recorded_from = "2026-03-01T00:00:00Z";
  CHECK(read_all(two, late) == read_all(one, late));
  CHECK(read_all(one, late).size() == 450);

  // Writes between this snapshot and the second connection's are not seen.
  auto writer = SqliteStore::open(dir / "outcomes.db");
  for (bool erase : {false, true}) {
    const auto expected = read_all(two, q);
    CHECK(read_after_writes(two, writer, "p000", q, item("p149", "2026-02-20", "ndt", "risk", 1),
                            erase ? std::optional<std::string>("p148") : std::nullopt) ==
          expected);
  }
}

TEST_CASE("reads inside a write see its entries, however many they read") {
  TempDir dir("store-read-in-write");
  SqliteOptions two_parts;
  two_parts.parallel_scan_rows = 1;
  auto store = SqliteStore::create(dir / "outcomes.db", two_parts);
  std::vector<std::string> everyone;
  {
    auto tx = store.begin();
    for (int p = 0; p < 150; ++p) {
      everyone.push_back(fmt::format("p{:03}", p));
      tx->append(item(everyone.back(), "2026-01-05", "ndt", "risk", p % 5), "2026-02-01T00:00:00Z");
    }
    tx->commit();
  }
  auto tx = store.begin();
  for (const auto& person : everyone)
    tx->append(item(person, "2026-02-05", "ndt", "risk", 1), "2026-03-01T00:00:00Z");
  // A second connection would not see the rows not yet committed: the whole store, and many
  // people, read here inside the write, hold them all.
  CHECK(read_all(store, EntryQuery{}).size() == 300);
  EntryQuery many;
  many.people = everyone;
  CHECK(read_all(store, many).size() == 300);
  tx->commit();
}

TEST_CASE("build_report from a store counts everyone the pure report counts") {
  TempDir dir("store-read-report");
  Workspace ws;
  ws.root = dir.path;
  ws.settings.service_name = "Test service";
  ws.settings.attributes = {{"gender", "Gender", {"woman", "man"}}};
  auto store = SqliteStore::create(ws.db_path());
  const std::string on_time = "2026-11-02T09:00:00Z", in_october = "2026-10-03T09:00:00Z";
  auto gender = [](const std::string& person, const char* date, const std::string& value) {
    NewEntry e = make(person, date, EntryKind::Attribute, value);
    e.measure = "gender";
    return e;
  };
  {
    auto tx = store.begin();
    // a: active, with a contact in the period and a late one recorded in October.
    tx->append(make("a", "2026-09-01", EntryKind::Enrol), on_time);
    tx->append(gender("a", "2026-09-01", "woman"), on_time);
    tx->append(make("a", "2026-09-28", EntryKind::Contact, "attended"), in_october);
    tx->append(make("a", "2026-10-02", EntryKind::Contact, "attended"), on_time);
    // … and contacts and notes before the period, one note of them recorded late.
    tx->append(make("a", "2026-09-02", EntryKind::Contact, "missed"), on_time);
    tx->append(make("a", "2026-09-03", EntryKind::Note, "shareable"), on_time);
    tx->append(make("a", "2026-09-04", EntryKind::Note, "private"), in_october);
    // b: exited before the period, yet contacted in it, with a shareable note.
    tx->append(make("b", "2026-01-01", EntryKind::Enrol), on_time);
    tx->append(gender("b", "2026-01-01", "man"), on_time);
    tx->append(make("b", "2026-06-30", EntryKind::Exit, "moved_away"), on_time);
    tx->append(make("b", "2026-10-05", EntryKind::Contact, "attended"), on_time);
    auto note = make("b", "2026-10-06", EntryKind::Note, "shareable");
    note.text = "Came back to say hello.";
    tx->append(note, on_time);
    // c: never enrolled and no attributes, contacted in the period.
    tx->append(make("c", "2026-10-07", EntryKind::Contact, "missed"), on_time);
    // d: long gone; a late contact recorded in October.
    tx->append(make("d", "2025-01-01", EntryKind::Enrol), on_time);
    tx->append(gender("d", "2025-01-01", "man"), on_time);
    tx->append(make("d", "2025-02-01", EntryKind::Exit, "moved_away"), on_time);
    tx->append(make("d", "2026-09-20", EntryKind::Contact, "attended"), in_october);
    // e: enrolled after the period: nothing of theirs counts.
    tx->append(make("e", "2026-11-01", EntryKind::Enrol), on_time);
    tx->append(make("e", "2026-10-20", EntryKind::Contact, "attended"), on_time);
    tx->commit();
  }
  std::vector<PersonJourney> journeys;
  store.for_each_entry(EntryQuery{}, [&](const Entry& e) {
    if (journeys.empty() || journeys.back().person != e.person) journeys.push_back({e.person, {}});
    journeys.back().entries.push_back(e);
  });
  ReportOptions options;
  options.from = day("2026-10-01");
  options.to = day("2026-10-31");
  options.suppress = false;
  auto json = [](const Report& r) {
    std::ostringstream out;
    render_report_json(r, out);
    return out.str();
  };

  SUBCASE("everyone") {
    Report r = build_report(store, ws, options);
    CHECK(r.caseload.active.n == 1);
    CHECK(r.engagement.contacts.n == 4);  // a, b, c and e (e's contact is dated in October)
    CHECK(r.engagement.attended.n == 3);
    CHECK(r.engagement.missed.n == 1);
    CHECK(r.engagement.people_contacted.n == 4);
    CHECK(r.data_quality.late_entries.n == 3);  // a's contact and note, d's contact
    REQUIRE(r.stories.size() == 1);
    CHECK(r.stories[0].person == "b");
    CHECK(json(r) == json(compute_report(journeys, ws.frameworks, ws.settings, options)));
  }
  SUBCASE("a cohort of men: b and d") {
    options.where = {{"gender", "man"}};
    Report r = build_report(store, ws, options);
    CHECK(r.caseload.active.n == 0);
    CHECK(r.engagement.contacts.n == 1);
    CHECK(r.data_quality.late_entries.n == 1);
    CHECK(json(r) == json(compute_report(journeys, ws.frameworks, ws.settings, options)));
  }
  SUBCASE("a cohort without a recorded gender: c and e") {
    options.where = {{"gender", "not_recorded"}};
    Report r = build_report(store, ws, options);
    CHECK(r.engagement.contacts.n == 2);
    CHECK(r.engagement.missed.n == 1);
    CHECK(r.data_quality.late_entries.n == 0);
    CHECK(r.stories.empty());
    CHECK(json(r) == json(compute_report(journeys, ws.frameworks, ws.settings, options)));
  }
}

TEST_CASE("recent kinds are read only from kinds_from on, by person and for everyone") {
  TempDir dir("store-read-recent");
  auto store = SqliteStore::create(dir / "outcomes.db");
  const std::string when = "2026-11-02T09:00:00Z";
  {
    auto tx = store.begin();
    for (const char* person : {"a", "b"}) {
      tx->append(make(person, "2026-01-01", EntryKind::Enrol), when);
      tx->append(make(person, "2026-01-05", EntryKind::Contact, "attended"), when);
      tx->append(item(person, "2026-01-05", "swemwbs", "item_1", 3), when);
      tx->append(make(person, "2026-01-06", EntryKind::Note, "private"), when);
      tx->append(make(person, "2026-10-02", EntryKind::Contact, "missed"), when);
      tx->append(item(person, "2026-10-02", "swemwbs", "item_1", 4), when);
      tx->append(make(person, "2026-10-03", EntryKind::Note, "shareable"), when);
      tx->append(make(person, "2026-10-03", EntryKind::Exit, "moved_away"), when);
    }
    tx->commit();
  }
  // What the filter should leave: every entry of other kinds, contacts and notes of October.
  auto expected = [&](const EntryQuery& base) {
    std::vector<std::string> kept;
    store.for_each_entry(base, [&](const Entry& e) {
      bool recent = e.kind == EntryKind::Contact || e.kind == EntryKind::Note;
      if (!recent || e.date >= day("2026-10-01")) kept.push_back(describe(e));
    });
    return kept;
  };
  EntryQuery q;
  q.recent_kinds = {EntryKind::Note, EntryKind::Contact};  // any order
  q.kinds_from = day("2026-10-01");
  SUBCASE("everyone") {
    const auto got = read_all(store, q);
    CHECK(got.size() == 12);
    CHECK(got == expected(EntryQuery{}));
  }
  SUBCASE("selected people, with more bounds") {
    EntryQuery base;
    base.people = std::vector<std::string>{"b"};
    base.to = day("2026-10-02");
    q.people = base.people;
    q.to = base.to;
    const auto got = read_all(store, q);
    REQUIRE(got.size() == 4);  // enrol and two items of any date, October's contact
    CHECK(got == expected(base));
    // A later from than kinds_from bounds the recent kinds too.
    q.from = base.from = day("2026-10-02");
    CHECK(read_all(store, q) == expected(base));
  }
  SUBCASE("no kinds_from: every entry") {
    q.kinds_from.reset();
    CHECK(read_all(store, q).size() == 16);
  }
}

TEST_CASE("contacts and notes of a period for many people: those with none are skipped") {
  TempDir dir("store-read-many");
  auto store = SqliteStore::create(dir / "outcomes.db");
  const std::string when = "2026-11-02T09:00:00Z";
  std::vector<std::string> people;
  {
    auto tx = store.begin();
    for (int i = 0; i < 100; ++i) {
      people.push_back(fmt::format("p{:03d}", i));
      tx->append(make(people.back(), "2026-01-01", EntryKind::Contact, "attended"), when);
      if (i % 10 == 3) tx->append(make(people.back(), "2026-10-04", EntryKind::Contact, "missed"), when);
      if (i % 25 == 7) tx->append(make(people.back(), "2026-10-05", EntryKind::Note, "private"), when);
      tx->append(make(people.back(), "2026-10-05", EntryKind::Enrol), when);
    }
    // A superseded contact of the period is not read, though its person is looked at.
    auto contact = make("p050", "2026-10-06", EntryKind::Contact, "attended");
    const int64_t first = tx->append(contact, when);
    NewEntry fix = make("p050", "2026-09-06", EntryKind::Contact, "attended");
    fix.supersedes = first;
    fix.reason = "wrong date";
    tx->append(fix, when);
    tx->commit();
  }
  EntryQuery q;
  q.from = day("2026-10-01");
  q.to = day("2026-10-31");
  q.kinds = std::vector<EntryKind>{EntryKind::Contact, EntryKind::Note};
  std::vector<std::string> got;
  std::vector<std::string> by_person;
  for (std::size_t n : {people.size(), std::size_t{5}}) {
    got.clear();
    by_person.clear();
    q.people = std::vector<std::string>(people.rbegin(), people.rbegin() + static_cast<long>(n));
    store.for_each_entry(q, [&](const Entry& e) { got.push_back(e.person + " " + e.status); });
    // The same one person at a time (below the number of people found first).
    for (const auto& person : *q.people) {
      EntryQuery one = q;
      one.people = std::vector<std::string>{person};
      store.for_each_entry(one, [&](const Entry& e) { by_person.push_back(e.person + " " + e.status); });
    }
    std::sort(by_person.begin(), by_person.end());
    CHECK(got == by_person);
  }
  got.clear();
  q.people = people;
  store.for_each_entry(q, [&](const Entry& e) { got.push_back(e.person + " " + e.status); });
  REQUIRE(got.size() == 14);
  CHECK(got.front() == "p003 missed");
  CHECK(got[1] == "p007 private");
  CHECK(std::find(got.begin(), got.end(), "p050 attended") == got.end());
}

TEST_CASE("entries recorded in a period: runs of writes in it read as one range, others not") {
  TempDir dir("store-read-recorded");
  auto store = SqliteStore::create(dir / "outcomes.db");
  // Ids 1-6, one write each: recorded in October (2, 3, 4 and 6) or not (1 and 5).
  const char* when[] = {"2026-09-30T23:59:59Z", "2026-10-01T00:00:00Z", "2026-10-15T12:00:00Z",
                        "2026-10-31T23:59:59Z", "2026-11-01T00:00:00Z", "2026-10-02T08:00:00Z"};
  for (int i = 0; i < 6; ++i) {
    auto tx = store.begin();
    tx->append(make(i % 2 ? "a" : "b", "2026-09-01", EntryKind::Contact, "attended"), when[i]);
    tx->commit();
  }
  auto ids = [&](EntryQuery q) {
    q.recorded_from = "2026-10-01T00:00:00Z";
    q.recorded_to = "2026-10-31T23:59:59Z";
    std::vector<int64_t> out;
    store.for_each_entry(q, [&](const Entry& e) { out.push_back(e.id); });
    return out;
  };
  CHECK(ids(EntryQuery{}) == std::vector<int64_t>{2, 4, 6, 3});  // a's (2, 4, 6), then b's
  EntryQuery selected;
  selected.people = std::vector<std::string>{"a", "b"};
  CHECK(ids(selected) == std::vector<int64_t>{2, 4, 6, 3});
}
