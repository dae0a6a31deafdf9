// Reading the SQLite store: ordered reads of entries and the lookups.
#include "store_sqlite_impl.h"

#include "output.h"
#include "relay.h"

#include <atomic>
#include <future>
#include <map>
#include <span>

namespace outcomes {

void read_entry_row(const RawStatement& row, const std::vector<std::string>& terms,
                    const std::vector<FrameworkRow>& frameworks, const SqliteStore::Impl& impl,
                    Entry& e, LastIds* last) {
  auto unchanged = [&](int64_t id, int64_t LastIds::*field) {
    if (!last) return false;
    if (last->*field == id) return true;
    last->*field = id;
    return false;
  };
  auto term = [&](int column, std::string& out, int64_t LastIds::*field) {
    const bool null = row.is_null(column);
    const auto id = null ? 0 : row.integer(column);
    if (!null && id <= 0) impl.damaged(fmt::format("entry {} names unknown term {}", e.id, id));
    if (unchanged(id, field)) return;
    if (null) {
      out.clear();
      return;
    }
    if (static_cast<size_t>(id) >= terms.size())
      impl.damaged(fmt::format("entry {} names unknown term {}", e.id, id));
    out = terms[static_cast<size_t>(id)];
  };
  e.id = row.integer(0);
  e.date = Date{static_cast<int32_t>(row.integer(1))};
  auto kind = row.integer(2);
  if (kind < 0 || kind >= kEntryKindCount)
    impl.damaged(fmt::format("entry {} has unknown kind {}", e.id, kind));
  e.kind = static_cast<EntryKind>(kind);
  const bool no_framework = row.is_null(3);
  const auto framework = no_framework ? 0 : row.integer(3);
  if (!no_framework && framework <= 0)
    impl.damaged(fmt::format("entry {} names unknown framework {}", e.id, framework));
  if (unchanged(framework, &LastIds::framework)) {
    // The same framework as the row before.
  } else if (no_framework) {
    e.framework.clear();
    e.framework_version.clear();
    e.framework_hash.clear();
  } else {
    if (static_cast<size_t>(framework) >= frameworks.size())
      impl.damaged(fmt::format("entry {} names unknown framework {}", e.id, framework));
    const auto& fw = frameworks[static_cast<size_t>(framework)];
    e.framework = fw.id;
    e.framework_version = fw.version;
    e.framework_hash = fw.hash;
  }
  term(4, e.measure, &LastIds::measure);
  if (row.is_null(5))
    e.value.reset();
  else
    e.value = static_cast<int>(row.integer(5));
  term(6, e.status, &LastIds::status);
  row.text(7, e.text);
  row.text(8, e.by);
  row.text(9, e.ref);
  e.batch = row.is_null(10) ? 0 : row.integer(10);
  // recorded_at (column 11) is the caller's: it comes from the log of writes.
  e.supersedes = row.is_null(12) ? 0 : row.integer(12);
  row.text(13, e.reason);
  e.seq = row.integer(14);
}



namespace {

// One entry held compactly while a whole-store read is put into journey order.
struct PackedEntry {
  int64_t id = 0;
  int64_t seq = 0;
  int64_t supersedes = 0;
  int64_t batch = 0;
  uint64_t texts = 0;  // offset of text, ref and reason in the TextArena; 0 when all empty
  int32_t day = 0;
  int32_t value = 0;
  uint32_t rank = 0;  // the person's place in code point order of references
  uint32_t framework = 0;
  uint32_t measure = 0;
  uint32_t status = 0;
  uint32_t by = 0;           // index into the interned "by" values
  uint32_t recorded_at = 0;  // index into the log of writes
  uint8_t kind = 0;
  bool has_value = false;
  bool superseded = false;
  uint8_t unused[5] = {};  // no padding of unknown bytes: entries are set aside as bytes
};
static_assert(sizeof(PackedEntry) == 80, "PackedEntry has no implicit padding");

// Length-prefixed strings appended in one buffer (offset 0 is reserved for "none").
class TextArena {
 public:
  TextArena() : bytes_(1, '\0') {}
  uint64_t add(const RawStatement& row, std::initializer_list<int> columns) {
    bool any = false;
    for (int c : columns) any = any || sqlite3_column_bytes(row.get(), c) > 0;
    if (!any) return 0;
    uint64_t offset = bytes_.size();
    for (int c : columns) {
      const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(row.get(), c));
      auto size = static_cast<uint32_t>(sqlite3_column_bytes(row.get(), c));
      bytes_.append(reinterpret_cast<const char*>(&size), sizeof size);
      if (size) bytes_.append(data, size);
    }
    return offset;
  }
  // Reads the strings at `offset` into `out` (all cleared when offset is 0).
  void get(uint64_t offset, std::initializer_list<std::string*> out) const {
    for (auto* s : out) {
      if (offset == 0) {
        s->clear();
        continue;
      }
      uint32_t size = 0;
      std::memcpy(&size, bytes_.data() + offset, sizeof size);
      offset += sizeof size;
      s->assign(bytes_.data() + offset, size);
      offset += size;
    }
  }
  // The bytes add() wrote from `offset` to the end (to set an entry's texts aside).
  std::string_view tail(uint64_t offset) const {
    return std::string_view(bytes_).substr(static_cast<size_t>(offset));
  }
  // Room for `size` bytes of strings as add() writes them (texts set aside and read back);
  // returns their offset.
  uint64_t extend(size_t size, char** data) {
    uint64_t offset = bytes_.size();
    bytes_.resize(bytes_.size() + size);
    *data = bytes_.data() + offset;
    return offset;
  }
  void clear() { bytes_.resize(1); }

 private:
  std::string bytes_;
};

// Interns a repeated text column (who recorded, when) as small numbers.
class Interner {
 public:
  Interner() : values_(1) {}  // 0 = empty
  uint32_t add(const RawStatement& row, int column) {
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(row.get(), column));
    auto size = static_cast<size_t>(sqlite3_column_bytes(row.get(), column));
    if (!data || size == 0) return 0;
    return add(std::string_view(data, size));
  }
  uint32_t add(std::string_view text) {
    if (text.empty()) return 0;
    if (last_ && values_[last_] == text) return last_;
    auto it = ids_.find(std::string(text));
    if (it == ids_.end()) {
      it = ids_.emplace(std::string(text), static_cast<uint32_t>(values_.size())).first;
      values_.emplace_back(text);
    }
    last_ = it->second;
    return last_;
  }
  const std::string& operator[](uint32_t id) const { return values_[id]; }
  size_t size() const { return values_.size(); }

 private:
  std::vector<std::string> values_;
  std::unordered_map<std::string, uint32_t> ids_;
  uint32_t last_ = 0;
};

// What a scan of the table for a whole-store read needs, shared (read only) by the threads
// that scan parts of it.
struct ScanPlan {
  const SqliteStore::Impl& store;
  const SqliteStore::Impl::WriteLog& log;
  const std::vector<uint32_t>& rank_of;  // person id -> rank
  const std::vector<uint32_t>& pass_of;  // rank -> pass
  const std::unordered_set<int64_t>& superseded;
  bool include_superseded = false;
  int64_t from = 0, to = 0;  // days
};

// The entries one scan read: those of the first pass in `packed` and `arena` when kept in
// memory; the others set aside in scratch files (one per pass), each a PackedEntry whose
// `texts` is the size of the text bytes that follow it.
struct ScanPart {
  std::vector<PackedEntry> packed;
  TextArena arena;
  Interner by;
  std::vector<std::unique_ptr<ScratchFile>> set_aside;
};

// Scans `rows` (SELECT person, then the entry columns; ?1 and ?2 the days, ?3 and ?4 the ids
// when `by_ids`) over `ranges` of ids into `part`: the first pass's entries kept in memory
// when `keep_first`, set aside like the rest otherwise. Stops early when `stop` is set.
void scan_entries(RawStatement& rows, const ScanPlan& plan,
                  const std::vector<std::pair<int64_t, int64_t>>& ranges, bool by_ids,
                  bool keep_first, ScanPart& part, const std::atomic<bool>& stop) {
  const auto& s = plan.store;
  TextArena one_entry;  // the texts of an entry being set aside
  for (const auto& [first_id, last_id] : ranges) {
    rows.reset();
    rows.bind(1, plan.from);
    rows.bind(2, plan.to);
    if (by_ids) {
      rows.bind(3, first_id);
      rows.bind(4, last_id);
    }
    while (rows.step()) {
      if (stop.load(std::memory_order_relaxed)) return;
      auto person = static_cast<size_t>(rows.integer(0));
      if (person >= plan.rank_of.size() || plan.rank_of[person] == UINT32_MAX)
        s.damaged(fmt::format("entry {} names unknown person {}", rows.integer(1), person));
      PackedEntry p;
      p.id = rows.integer(1);
      p.superseded = !plan.superseded.empty() && plan.superseded.count(p.id) != 0;
      if (p.superseded && !plan.include_superseded) continue;
      p.rank = plan.rank_of[person];
      p.day = static_cast<int32_t>(rows.integer(2));
      p.kind = static_cast<uint8_t>(std::clamp<int64_t>(rows.integer(3), 0, 255));
      p.framework = static_cast<uint32_t>(rows.integer(4));
      p.measure = static_cast<uint32_t>(rows.integer(5));
      p.has_value = !rows.is_null(6);
      p.value = static_cast<int32_t>(rows.integer(6));
      p.status = static_cast<uint32_t>(rows.integer(7));
      p.by = part.by.add(rows, 9);
      p.batch = rows.integer(11);
      p.recorded_at = static_cast<uint32_t>(s.write_of(plan.log, p.id));
      p.supersedes = rows.integer(13);
      p.seq = rows.integer(15);
      const uint32_t pass = plan.pass_of[p.rank];
      if (pass == 0 && keep_first) {
        p.texts = part.arena.add(rows, {8, 10, 14});
        part.packed.push_back(p);
        continue;
      }
      one_entry.clear();
      const uint64_t texts = one_entry.add(rows, {8, 10, 14});
      const std::string_view bytes = texts ? one_entry.tail(texts) : std::string_view();
      p.texts = bytes.size();
      auto& file = part.set_aside[pass];
      if (!file) file = std::make_unique<ScratchFile>("the entries being read");
      file->append(&p, sizeof p);
      file->append(bytes.data(), bytes.size());
    }
  }
}

// Appends the entries set aside in `file` to `packed`, their texts to `arena`. `by`, when
// not empty, maps the interned "by" numbers they were set aside with to those of the
// interner they are read into.
void read_back(ScratchFile& file, std::vector<PackedEntry>& packed, TextArena& arena,
               const std::vector<uint32_t>& by = {}) {
  file.rewind();
  PackedEntry p;
  while (file.read(&p, sizeof p)) {
    if (p.texts > 0) {
      char* data = nullptr;
      const auto size = static_cast<size_t>(p.texts);
      p.texts = arena.extend(size, &data);
      file.read_exactly(data, size);
    }
    if (!by.empty()) p.by = by.at(p.by);
    packed.push_back(p);
  }
}

// `ranges` of ids (in order, not overlapping) within [1, last_id], cut in two holding about
// as many ids each: those below and those above.
std::pair<std::vector<std::pair<int64_t, int64_t>>, std::vector<std::pair<int64_t, int64_t>>>
split_ranges(const std::vector<std::pair<int64_t, int64_t>>& ranges, int64_t last_id) {
  std::vector<std::pair<int64_t, int64_t>> below, above, within;
  int64_t ids = 0;
  for (auto [first, last] : ranges) {
    first = std::max<int64_t>(first, 1);
    last = std::min(last, last_id);
    if (first > last) continue;
    within.emplace_back(first, last);
    ids += last - first + 1;
  }
  const int64_t half = ids / 2;
  int64_t seen = 0;
  for (const auto& [first, last] : within) {
    const int64_t n = last - first + 1;
    if (seen + n <= half) {
      below.emplace_back(first, last);
    } else if (seen >= half) {
      above.emplace_back(first, last);
    } else {
      const int64_t cut = first + (half - seen) - 1;
      below.emplace_back(first, cut);
      above.emplace_back(cut + 1, last);
    }
    seen += n;
  }
  return {below, above};
}

// A second, read-only connection for scanning part of the table alongside `s`'s, or null
// when it cannot be relied on to hold the same rows. It begins its own read, so its snapshot
// may be later than `s`'s; rows up to `s`'s last id are still the same in both, because
// entries are never changed and those appended since have higher ids, unless an erasure
// (which deletes rows) or a change of schema was committed in between: then `s` reads alone.
// So does a read inside a write on `s`: another connection cannot see the write's rows.
// Null too when the read is too small to be worth sharing (`rows`, the entries it covers,
// below SqliteOptions::parallel_scan_rows) or the machine has a single core.
std::unique_ptr<SQLite::Database> reader_of_same_rows(SqliteStore::Impl& s, int64_t rows) {
  if (s.in_transaction || s.options.parallel_scan_rows <= 0 ||
      rows < s.options.parallel_scan_rows || std::thread::hardware_concurrency() < 2)
    return nullptr;
  try {
    auto reader = s.open_reader();
    reader->exec("BEGIN");
    auto facts = [](SQLite::Database& db) {
      return std::pair{db.execAndGet("SELECT count(*) FROM erasures").getInt64(),
                       db.execAndGet("PRAGMA user_version").getInt64()};
    };
    if (facts(*reader) != facts(s.db)) return nullptr;
    return reader;
  } catch (const SQLite::Exception&) {
    return nullptr;  // reading alone is slower, never wrong
  }
}

}  // namespace

namespace {

// The kinds as their stored numbers, comma-separated ("" for none), for an SQL IN list.
std::string kind_numbers(const std::vector<EntryKind>& kinds) {
  std::string in;
  for (EntryKind k : kinds) in += fmt::format("{}{}", in.empty() ? "" : ", ", static_cast<int>(k));
  return in;
}

// " AND kind IN (…)" for a kinds filter; "" without one.
std::string kinds_clause(const EntryQuery& query) {
  if (!query.kinds) return "";
  const std::string in = kind_numbers(*query.kinds);
  return in.empty() ? " AND 0" : fmt::format(" AND kind IN ({})", in);
}

// The columns of kEntryColumns for the query: with text_kinds, the text of other kinds and
// every worker, ref and reason are read as NULL (empty), and so is recorded_at (read from the
// log of writes), so that the columns left can be answered from entries_by_episode alone.
std::string entry_columns(const EntryQuery& query) {
  if (!query.text_kinds) return kEntryColumns;
  const std::string in = kind_numbers(*query.text_kinds);
  return fmt::format(
      "id, day, kind, framework, measure, value, status, {}, NULL, NULL, batch, NULL, "
      "supersedes, NULL, seq",
      in.empty() ? "NULL" : fmt::format("CASE WHEN kind IN ({}) THEN text END", in));
}

// The query's recent_kinds as stored numbers in ascending order ("" when it has none or no
// kinds_from): entries_by_outcome holds exactly the entries not of the kinds "2, 9".
std::string recent_numbers(const EntryQuery& query) {
  if (!query.kinds_from) return "";
  std::vector<EntryKind> kinds = query.recent_kinds;
  std::sort(kinds.begin(), kinds.end());
  kinds.erase(std::unique(kinds.begin(), kinds.end()), kinds.end());
  return kind_numbers(kinds);
}

// The recent kinds, as recent_numbers gives them, whose complement entries_by_outcome holds.
constexpr std::string_view kOutcomeIndexSkips = "2, 9";

// True when only contacts and notes of a bounded period are asked for (entries_by_contact_day).
static_assert(static_cast<int>(EntryKind::Contact) == 2 && static_cast<int>(EntryKind::Note) == 9,
              "the search of entries_by_contact_day names the kinds by number");
bool contacts_of_period(const EntryQuery& query) {
  if (!query.kinds || query.kinds->empty() || !query.from || !query.to) return false;
  return std::all_of(query.kinds->begin(), query.kinds->end(), [](EntryKind k) {
    return k == EntryKind::Contact || k == EntryKind::Note;
  });
}

// Below this many people asked for, one search per person is quicker than finding first
// who has any contacts or notes in the period.
constexpr size_t kFewPeople = 64;

// True when only enrolments, exits and attributes are asked for (entries_by_episode).
bool episode_kinds_only(const EntryQuery& query) {
  if (!query.kinds) return false;
  return std::all_of(query.kinds->begin(), query.kinds->end(), [](EntryKind k) {
    return k == EntryKind::Enrol || k == EntryKind::Exit || k == EntryKind::Attribute;
  });
}

// The id ranges [first, last] of the writes recorded in the query's recorded_at bounds
// (adjacent writes merged into one range).
std::vector<std::pair<int64_t, int64_t>> recorded_ranges(const SqliteStore::Impl::WriteLog& log,
                                                         const EntryQuery& query) {
  std::vector<std::pair<int64_t, int64_t>> ranges;
  bool open = false;
  for (size_t w = 0; w < log.first_ids.size(); ++w) {
    const int64_t first = log.first_ids[w];
    const std::string& at = log.times[w];
    if (open) ranges.back().second = first - 1;
    open = (!query.recorded_from || at >= *query.recorded_from) &&
           (!query.recorded_to || at <= *query.recorded_to);
    if (open) {
      if (!ranges.empty() && ranges.back().second == first - 1)
        ranges.back().second = std::numeric_limits<int64_t>::max();  // extends the last range
      else
        ranges.emplace_back(first, std::numeric_limits<int64_t>::max());
    }
  }
  return ranges;
}

// When an entry was recorded, looked up in the log of writes by its key and remembered for
// the write's whole id range: reading a few people needs a few writes, not the whole log
// (a store recorded one entry at a time has a write per entry). A person's entries come
// from many writes in turn (an import a month), and the next person's from the same ones
// again, so every write found is remembered, up to kRemembered of them.
class WriteLookup {
 public:
  // Looks up through `db`, a connection to `store` (its own or a second one).
  WriteLookup(const SqliteStore::Impl& store, sqlite3* db)
      : store_(store),
        holding_(db,
                 "SELECT first_id, recorded_at FROM writes WHERE first_id <= ?1 "
                 "ORDER BY first_id DESC LIMIT 1"),
        next_(db, "SELECT MIN(first_id) FROM writes WHERE first_id > ?1") {}

  const std::string& recorded_at(int64_t id) {
    if (last_ != found_.end() && id >= last_->first && id < last_->second.end)
      return last_->second.recorded_at;
    if (auto it = found_.upper_bound(id); it != found_.begin()) {
      --it;
      if (id < it->second.end) {
        last_ = it;
        return it->second.recorded_at;
      }
    }
    holding_.reset();
    holding_.bind(1, id);
    if (!holding_.step())
      store_.damaged(fmt::format("entry {} is missing from the log of writes", id));
    const int64_t first = holding_.integer(0);
    Write write;
    holding_.text(1, write.recorded_at);
    next_.reset();
    next_.bind(1, first);
    write.end = next_.step() && !next_.is_null(0) ? next_.integer(0)
                                                  : std::numeric_limits<int64_t>::max();
    if (found_.size() >= kRemembered) found_.clear();
    last_ = found_.insert_or_assign(first, std::move(write)).first;
    return last_->second.recorded_at;
  }

 private:
  struct Write {
    int64_t end = 0;  // the first id of the next write (exclusive end)
    std::string recorded_at;
  };
  static constexpr size_t kRemembered = 65536;
  const SqliteStore::Impl& store_;
  RawStatement holding_;
  RawStatement next_;
  std::map<int64_t, Write> found_;  // by first id
  std::map<int64_t, Write>::const_iterator last_ = found_.end();
};

// What the per-person read of for_each_entry asks of every person, shared (read only) by
// the connections that read.
struct PersonQuery {
  const SqliteStore::Impl& store;
  std::string sql;  // ?1 the person's id, ?2..?3 the days, ?4 recent_from, ?5 the last id
  int64_t from = 0, to = 0, recent_from = 0;
  bool has_recent = false;
  int64_t last_id = 0;  // entries after it are not read (a later snapshot's)
  const std::unordered_set<int64_t>& superseded;
  bool include_superseded = false;
  const std::vector<std::pair<int64_t, int64_t>>* recorded = nullptr;  // id ranges, or all
  const std::vector<std::string>& terms;
  const std::vector<FrameworkRow>& frameworks;
};

// Reads selected people's entries, one person at a time, through one connection.
class PersonRows {
 public:
  PersonRows(const PersonQuery& q, sqlite3* db)
      : q_(q), find_(db, "SELECT id FROM people WHERE ref = ?1"), rows_(db, q.sql.c_str()),
        writes_(q.store, db) {}

  // Reads the entries of `ref` in journey order: each into the Entry `slot()` returns, then
  // `done(entry)`. When every slot is the same Entry, `same_slot` lets strings that did not
  // change since the row before stay as they are.
  template <class Slot, class Done>
  void read(const std::string& ref, bool same_slot, Slot&& slot, Done&& done) {
    find_.reset();
    find_.bind_text(1, ref);
    if (!find_.step()) return;
    const int64_t person = find_.integer(0);
    rows_.reset();
    rows_.bind(1, person);
    rows_.bind(2, q_.from);
    rows_.bind(3, q_.to);
    if (q_.has_recent) rows_.bind(4, q_.recent_from);
    rows_.bind(5, q_.last_id);
    while (rows_.step()) {
      const int64_t id = rows_.integer(0);
      const bool replaced = !q_.superseded.empty() && q_.superseded.count(id) != 0;
      if (replaced && !q_.include_superseded) continue;
      if (q_.recorded && !recorded_in(id)) continue;
      Entry& entry = slot();
      if (entry.person != ref) entry.person = ref;
      read_entry_row(rows_, q_.terms, q_.frameworks, q_.store, entry,
                     same_slot ? &last_ : nullptr);
      if (const std::string& at = writes_.recorded_at(entry.id); entry.recorded_at != at)
        entry.recorded_at = at;
      entry.superseded = replaced;
      done(entry);
    }
  }

 private:
  bool recorded_in(int64_t id) const {
    const auto& ranges = *q_.recorded;
    auto it = std::upper_bound(ranges.begin(), ranges.end(), id,
                               [](int64_t v, const auto& r) { return v < r.first; });
    return it != ranges.begin() && id <= std::prev(it)->second;
  }
  const PersonQuery& q_;
  RawStatement find_;
  RawStatement rows_;
  WriteLookup writes_;
  LastIds last_;
};

// The entries of a run of people read on a second connection, handed to the thread that
// visits them; its entries keep their strings' capacity from run to run.
struct PeopleRun {
  std::vector<Entry> entries;
  size_t count = 0;
};

// People a run holds when selected people are read on two connections.
constexpr size_t kPeoplePerRun = 64;

}  // namespace

void SqliteStore::for_each_entry(const EntryQuery& query,
                                  const std::function<void(const Entry&)>& visit) const {
  Impl& s = *impl_;
  s.guard([&] {
    ReadSnapshot snapshot(s);
    const int64_t from = query.from ? query.from->days : std::numeric_limits<int32_t>::min();
    const int64_t to = query.to ? query.to->days : std::numeric_limits<int32_t>::max();
    const auto terms = s.load_terms();
    const auto frameworks = s.load_frameworks();
    const auto superseded = s.load_superseded();
    Entry entry;

    if (query.people) {
      // Selected people: one indexed range read per person, in code point order.
      std::vector<std::string> refs = *query.people;
      if (contacts_of_period(query) && refs.size() >= kFewPeople) {
        // Many people asked for their contacts and notes of a period: the few of them who
        // have any are found first, through entries_by_contact_day, rather than searched
        // for one by one.
        std::unordered_set<std::string> having;
        RawStatement who(s.db.getHandle(),
                         "SELECT ref FROM people WHERE id IN (SELECT person FROM entries WHERE "
                         "day BETWEEN ?1 AND ?2 AND kind IN (2, 9))");
        who.bind(1, from);
        who.bind(2, to);
        std::string ref;
        while (who.step()) {
          who.text(0, ref);
          having.insert(ref);
        }
        std::erase_if(refs, [&](const std::string& r) { return having.count(r) == 0; });
      }
      std::sort(refs.begin(), refs.end());
      refs.erase(std::unique(refs.begin(), refs.end()), refs.end());
      const std::string columns = entry_columns(query);
      const std::string recent = recent_numbers(query);
      // SQLite's planner rates entries_by_journey as good as entries_by_outcome for the
      // first part and would read every contact and note of the person's past to skip them;
      // name the index when it holds exactly the entries wanted.
      std::string sql = fmt::format(
          "SELECT {} FROM entries{} WHERE person = ?1 AND day BETWEEN ?2 AND ?3 AND id <= ?5{}",
          columns, recent == kOutcomeIndexSkips ? " INDEXED BY entries_by_outcome" : "",
          kinds_clause(query));
      // The recent kinds only from kinds_from on: the other kinds through entries_by_outcome
      // (when the recent kinds are contacts and notes), merged in order with the recent kinds
      // of the later days, so that the entries skipped are never read.
      if (!recent.empty())
        sql += fmt::format(
            " AND kind NOT IN ({0}) UNION ALL SELECT {1} FROM entries WHERE person = ?1 AND day "
            "BETWEEN ?4 AND ?3 AND id <= ?5{2} AND kind IN ({0})",
            recent, columns, kinds_clause(query));
      sql += " ORDER BY day, seq, id";
      std::vector<std::pair<int64_t, int64_t>> recorded;
      const bool by_recorded = query.recorded_from || query.recorded_to;
      if (by_recorded) recorded = recorded_ranges(s.load_write_log(), query);
      const int64_t last_id = s.last_entry_id();
      const PersonQuery pq{
          s,
          sql,
          from,
          to,
          query.kinds_from ? std::max<int64_t>(from, query.kinds_from->days) : from,
          !recent.empty(),
          last_id,
          superseded,
          query.include_superseded,
          by_recorded ? &recorded : nullptr,
          terms,
          frameworks};
      PersonRows own(pq, s.db.getHandle());
      auto read_here = [&](const std::string& ref) {
        own.read(ref, true, [&]() -> Entry& { return entry; }, visit);
      };
      // Many people: runs of them read on a second connection, on a second thread, two of
      // every three, and the third here, where every entry is also visited (on two cores
      // about twice as fast); the second connection's runs are visited here, in order, as
      // they come. It reads only up to this snapshot's last id (see reader_of_same_rows).
      std::unique_ptr<SQLite::Database> second;
      if (refs.size() > kPeoplePerRun) second = reader_of_same_rows(s, last_id);
      if (!second) {
        for (const auto& ref : refs) read_here(ref);
        return;
      }
      const size_t runs = (refs.size() + kPeoplePerRun - 1) / kPeoplePerRun;
      auto run_of = [&](size_t r) {
        const size_t first = r * kPeoplePerRun;
        return std::span<const std::string>(refs.data() + first,
                                            std::min(kPeoplePerRun, refs.size() - first));
      };
      auto read_here_run = [](size_t r) { return r % 3 == 0; };
      Relay<PeopleRun> relay(3);
      auto read_there = [&] {
        PersonRows other(pq, second->getHandle());
        for (size_t r = 0; r < runs; ++r) {
          if (read_here_run(r)) continue;
          PeopleRun* run = relay.take_free();
          if (!run) return;
          run->count = 0;
          auto slot = [&]() -> Entry& {
            if (run->count == run->entries.size()) run->entries.emplace_back();
            return run->entries[run->count];
          };
          for (const auto& ref : run_of(r))
            other.read(ref, false, slot, [&](const Entry&) { ++run->count; });
          relay.hand_over(run);
        }
        relay.close();
      };
      run_beside(relay, read_there, [&] {
        for (size_t r = 0; r < runs; ++r) {
          if (read_here_run(r)) {
            for (const auto& ref : run_of(r)) read_here(ref);
            continue;
          }
          PeopleRun* run = relay.take_full();
          if (!run) return;  // the other thread failed: run_beside throws its error
          for (size_t i = 0; i < run->count; ++i) visit(run->entries[i]);
          relay.give_back(run);
        }
      });
      return;
    }

    // Everyone: one scan of the table in storage order (sequential, several times faster
    // than one random row fetch per entry), put into journey order in memory a pass at a
    // time. A pass is a range of people in reference order holding at most rows_per_pass
    // entries; while the table is scanned for the first pass, the entries of later passes
    // are set aside in owner-only scratch files, so the table is read once whatever its
    // size and memory holds one pass.
    const auto log = s.load_write_log();
    std::vector<std::string> refs;
    std::vector<uint32_t> rank_of;  // person id -> rank
    {
      SQLite::Statement all(s.db, "SELECT ref, id FROM people ORDER BY ref");
      while (all.executeStep()) {
        auto id = static_cast<size_t>(all.getColumn(1).getInt64());
        if (id >= rank_of.size()) rank_of.resize(id + 1, UINT32_MAX);
        rank_of[id] = static_cast<uint32_t>(refs.size());
        refs.push_back(all.getColumn(0).getString());
      }
    }
    if (refs.empty()) return;
    // Filters that select fewer entries read them through an index: entries recorded in a
    // period by id range (from the log of writes), and enrolments, exits and attributes
    // through entries_by_episode; they too are read in passes when there may be more than
    // a pass holds.
    const bool by_recorded = query.recorded_from || query.recorded_to;
    const bool by_episode = episode_kinds_only(query);
    std::vector<std::pair<int64_t, int64_t>> ranges = {
        {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()}};
    if (by_recorded) {
      ranges = recorded_ranges(log, query);
      if (ranges.empty()) return;
    }
    std::vector<uint32_t> pass_starts = {0};
    const int64_t max_id = s.last_entry_id();
    // At most how many entries the id ranges hold: a month's writes may be millions.
    int64_t in_ranges = 0;
    for (const auto& [first_id, last_id] : ranges)
      in_ranges +=
          std::max<int64_t>(0, std::min(last_id, max_id) - std::max<int64_t>(first_id, 1) + 1);
    if (in_ranges > s.options.rows_per_pass) {
      // Each person's entries, counted as the scan below will select them (or more), so
      // that passes can be planned: through the ranges' ids, or the episode index.
      std::vector<int64_t> counts(refs.size(), 0);
      std::string where = by_recorded ? "id BETWEEN ?1 AND ?2" : "";
      if (by_episode) where += fmt::format("{}(kind < 2 OR kind = 10)", where.empty() ? "" : " AND ");
      // (Grouping by +person keeps SQLite from walking the whole journey index, ordered by
      // person, rather than the small episode index.)
      SQLite::Statement count(
          s.db, fmt::format("SELECT person, COUNT(*) FROM entries{}{} GROUP BY {}person",
                            where.empty() ? "" : " WHERE ", where, by_episode ? "+" : ""));
      for (const auto& [first_id, last_id] : ranges) {
        count.reset();
        if (by_recorded) {
          count.bind(1, first_id);
          count.bind(2, last_id);
        }
        while (count.executeStep()) {
          auto id = static_cast<size_t>(count.getColumn(0).getInt64());
          if (id >= rank_of.size() || rank_of[id] == UINT32_MAX)
            s.damaged(fmt::format("entries name unknown person {}", id));
          counts[rank_of[id]] += count.getColumn(1).getInt64();
        }
      }
      int64_t in_pass = 0;
      for (uint32_t r = 0; r < refs.size(); ++r) {
        if (in_pass > 0 && in_pass + counts[r] > s.options.rows_per_pass) {
          pass_starts.push_back(r);
          in_pass = 0;
        }
        in_pass += counts[r];
      }
    }
    pass_starts.push_back(static_cast<uint32_t>(refs.size()));
    const size_t passes = pass_starts.size() - 1;
    std::vector<uint32_t> pass_of(refs.size());  // rank -> pass
    for (size_t pass = 0; pass < passes; ++pass)
      std::fill(pass_of.begin() + pass_starts[pass], pass_of.begin() + pass_starts[pass + 1],
                static_cast<uint32_t>(pass));

    // A large scan of the table (whole, or the id ranges of writes recorded in a period)
    // reads the upper half of its ids on a second connection, on a second thread, while this
    // one reads the lower half: on two cores, about twice as fast. (Reads through
    // entries_by_episode are small and stay on the index.)
    std::unique_ptr<SQLite::Database> second;
    if (!by_episode) second = reader_of_same_rows(s, in_ranges);
    const bool by_ids = by_recorded || second;
    std::string sql = fmt::format("SELECT person, {} FROM entries WHERE day BETWEEN ?1 AND ?2",
                                  entry_columns(query));
    if (by_ids) sql += " AND id BETWEEN ?3 AND ?4";
    if (by_episode) sql += " AND (kind < 2 OR kind = 10)";
    sql += kinds_clause(query);
    if (const std::string recent = recent_numbers(query); !recent.empty())
      sql += fmt::format(" AND (kind NOT IN ({}) OR day >= {})", recent, query.kinds_from->days);
    const ScanPlan plan{s, log, rank_of, pass_of, superseded, query.include_superseded, from, to};
    ScanPart lower;
    lower.set_aside.resize(passes);
    lower.packed.reserve(static_cast<size_t>(std::min(max_id, s.options.rows_per_pass)));
    std::atomic<bool> stop{false};
    std::future<ScanPart> upper;
    struct StopOnExit {  // a failure here stops the other thread before waiting for it
      std::atomic<bool>& stop;
      ~StopOnExit() { stop = true; }
    } stop_on_exit{stop};
    if (second) {
      auto [below, above] = split_ranges(ranges, max_id);
      ranges = std::move(below);
      upper = std::async(std::launch::async, [&, above = std::move(above)] {
        ScanPart part;
        part.set_aside.resize(passes);
        RawStatement rows(second->getHandle(), sql.c_str());
        scan_entries(rows, plan, above, true, false, part, stop);
        return part;
      });
    }
    RawStatement rows(s.db.getHandle(), sql.c_str());
    scan_entries(rows, plan, ranges, by_ids, true, lower, stop);
    std::optional<ScanPart> upper_part;
    std::vector<uint32_t> upper_by;  // the upper part's "by" numbers as the lower part's
    if (upper.valid()) {
      upper_part = upper.get();
      for (size_t i = 0; i < upper_part->by.size(); ++i)
        upper_by.push_back(lower.by.add(upper_part->by[static_cast<uint32_t>(i)]));
    }
    auto& packed = lower.packed;
    auto& arena = lower.arena;
    const auto& by = lower.by;
    std::vector<uint32_t> order, starts;
    for (size_t pass = 0; pass < passes; ++pass) {
      const uint32_t lo = pass_starts[pass], hi = pass_starts[pass + 1];
      if (pass > 0) {
        packed.clear();
        arena.clear();
        if (auto& file = lower.set_aside[pass]) {
          read_back(*file, packed, arena);
          file.reset();
        }
      }
      if (upper_part)
        if (auto& file = upper_part->set_aside[pass]) {
          read_back(*file, packed, arena, upper_by);
          file.reset();
        }
      // Counting sort by person, then each person's entries by date and recording order.
      starts.assign(hi - lo + 1, 0);
      for (const auto& p : packed) ++starts[p.rank - lo + 1];
      for (size_t i = 1; i < starts.size(); ++i) starts[i] += starts[i - 1];
      order.assign(packed.size(), 0);
      {
        std::vector<uint32_t> next(starts.begin(), starts.end() - 1);
        for (uint32_t i = 0; i < packed.size(); ++i) order[next[packed[i].rank - lo]++] = i;
      }
      auto journey_less = [&](uint32_t a, uint32_t b) {
        const auto& x = packed[a];
        const auto& y = packed[b];
        if (x.day != y.day) return x.day < y.day;
        if (x.seq != y.seq) return x.seq < y.seq;
        return x.id < y.id;
      };
      for (uint32_t r = lo; r < hi; ++r) {
        auto first = order.begin() + starts[r - lo], last = order.begin() + starts[r - lo + 1];
        if (first == last) continue;
        if (!std::is_sorted(first, last, journey_less)) std::sort(first, last, journey_less);
        entry.person = refs[r];
        for (auto it = first; it != last; ++it) {
          const auto& p = packed[*it];
          entry.id = p.id;
          if (p.kind >= kEntryKindCount)
            s.damaged(fmt::format("entry {} has unknown kind {}", p.id, p.kind));
          entry.kind = static_cast<EntryKind>(p.kind);
          entry.date = Date{p.day};
          if (p.framework == 0) {
            entry.framework.clear();
            entry.framework_version.clear();
            entry.framework_hash.clear();
          } else {
            if (p.framework >= frameworks.size())
              s.damaged(fmt::format("entry {} names unknown framework {}", p.id, p.framework));
            const auto& fw = frameworks[p.framework];
            entry.framework = fw.id;
            entry.framework_version = fw.version;
            entry.framework_hash = fw.hash;
          }
          for (auto [term, out] :
               {std::pair{p.measure, &entry.measure}, {p.status, &entry.status}}) {
            if (term >= terms.size() || (term != 0 && terms[term].empty()))
              s.damaged(fmt::format("entry {} names unknown term {}", p.id, term));
            *out = terms[term];
          }
          if (p.has_value)
            entry.value = p.value;
          else
            entry.value.reset();
          arena.get(p.texts, {&entry.text, &entry.ref, &entry.reason});
          entry.by = by[p.by];
          entry.batch = p.batch;
          entry.recorded_at = log.times[p.recorded_at];
          entry.supersedes = p.supersedes;
          entry.seq = p.seq;
          entry.superseded = p.superseded;
          visit(entry);
        }
      }
    }
  });
}

std::optional<Entry> SqliteStore::entry(int64_t id) const {
  Impl& s = *impl_;
  return s.guard([&]() -> std::optional<Entry> {
    ReadSnapshot snapshot(s);
    RawStatement row(s.db.getHandle(),
                     fmt::format("SELECT {}, (SELECT ref FROM people WHERE people.id = person), "
                                 "EXISTS (SELECT 1 FROM entries AS c WHERE c.supersedes = "
                                 "entries.id) FROM entries WHERE id = ?1",
                                 kEntryColumns)
                         .c_str());
    row.bind(1, id);
    if (!row.step()) return std::nullopt;
    Entry e;
    read_entry_row(row, s.load_terms(), s.load_frameworks(), s, e);
    row.text(15, e.person);
    e.superseded = row.integer(16) != 0;
    RawStatement write(s.db.getHandle(),
                       "SELECT recorded_at FROM writes WHERE first_id <= ?1 ORDER BY first_id "
                       "DESC LIMIT 1");
    write.bind(1, id);
    if (!write.step()) s.damaged(fmt::format("entry {} is missing from the log of writes", id));
    write.text(0, e.recorded_at);
    return e;
  });
}

bool SqliteStore::has_ref(const std::string& ref) const {
  Impl& s = *impl_;
  if (ref.empty()) return false;
  return s.guard([&] {
    auto& find = s.statement(s.find_ref, "SELECT 1 FROM entries WHERE ref = ?");
    find.bindNoCopy(1, ref);
    bool found = find.executeStep();
    find.reset();
    return found;
  });
}

std::optional<ImportBatch> SqliteStore::batch_with_hash(const std::string& content_hash) const {
  Impl& s = *impl_;
  return s.guard([&]() -> std::optional<ImportBatch> {
    SQLite::Statement find(s.db,
                           "SELECT id, source, content_hash, imported_at, \"by\", \"rows\" FROM "
                           "batches WHERE content_hash = ? ORDER BY id LIMIT 1");
    find.bind(1, content_hash);
    if (!find.executeStep()) return std::nullopt;
    return ImportBatch{find.getColumn(0).getInt64(),  find.getColumn(1).getString(),
                       find.getColumn(2).getString(), find.getColumn(3).getString(),
                       find.getColumn(4).getString(), find.getColumn(5).getInt64()};
  });
}

bool SqliteStore::has_legacy_batches() const {
  Impl& s = *impl_;
  return s.guard([&] {
    // A range of the index on content_hash: every value that starts with the prefix.
    SQLite::Statement find(s.db,
                           "SELECT 1 FROM batches WHERE content_hash >= ? AND content_hash < ? "
                           "LIMIT 1");
    std::string after(kLegacyDigestPrefix);
    ++after.back();
    find.bind(1, std::string(kLegacyDigestPrefix));
    find.bind(2, after);
    return find.executeStep();
  });
}

std::vector<std::string> SqliteStore::people() const {
  Impl& s = *impl_;
  return s.guard([&] {
    std::vector<std::string> refs;
    SQLite::Statement all(s.db, "SELECT ref FROM people ORDER BY ref");
    while (all.executeStep()) refs.push_back(all.getColumn(0).getString());
    return refs;
  });
}

std::vector<FrameworkVersion> SqliteStore::framework_versions() const {
  Impl& s = *impl_;
  return s.guard([&] {
    ReadSnapshot snapshot(s);
    std::unordered_map<int64_t, int64_t> counts;
    SQLite::Statement count(s.db,
                            "SELECT framework, COUNT(*) FROM entries WHERE framework IS NOT NULL "
                            "GROUP BY framework");
    while (count.executeStep())
      counts[count.getColumn(0).getInt64()] = count.getColumn(1).getInt64();
    std::vector<FrameworkVersion> versions;
    SQLite::Statement all(s.db,
                          "SELECT id, framework, version, content_hash FROM frameworks_seen "
                          "ORDER BY framework, id");
    while (all.executeStep()) {
      auto id = all.getColumn(0).getInt64();
      versions.push_back({all.getColumn(1).getString(), all.getColumn(2).getString(),
                          all.getColumn(3).getString(), counts.count(id) ? counts[id] : 0});
    }
    return versions;
  });
}

int64_t SqliteStore::entry_count() const {
  Impl& s = *impl_;
  return s.guard([&] { return s.db.execAndGet("SELECT COUNT(*) FROM entries").getInt64(); });
}

ErasurePlan SqliteStore::erasure_plan(const std::string& person) const {
  Impl& s = *impl_;
  return s.guard([&] {
    ReadSnapshot snapshot(s);
    return s.erasure_set(person).plan;
  });
}

std::vector<ErasureRecord> SqliteStore::erasures() const {
  Impl& s = *impl_;
  return s.guard([&] {
    std::vector<ErasureRecord> records;
    SQLite::Statement all(s.db,
                          "SELECT erased_at, \"by\", reason, entries, person_digest FROM erasures "
                          "ORDER BY id");
    while (all.executeStep())
      records.push_back({all.getColumn(0).getString(), all.getColumn(1).getString(),
                         all.getColumn(2).getString(), all.getColumn(3).getInt64(),
                         all.getColumn(4).getString()});
    return records;
  });
}

std::optional<std::string> SqliteStore::setting(const std::string& key) const {
  Impl& s = *impl_;
  return s.guard([&]() -> std::optional<std::string> {
    SQLite::Statement find(s.db, "SELECT value FROM settings WHERE key = ?");
    find.bind(1, key);
    if (!find.executeStep()) return std::nullopt;
    return column_text(find.getColumn(0));
  });
}

StoreRecords SqliteStore::records() const {
  Impl& s = *impl_;
  return s.guard([&] {
    ReadSnapshot snapshot(s);
    StoreRecords out;
    SQLite::Statement settings(s.db, "SELECT key, value FROM settings ORDER BY key");
    while (settings.executeStep())
      out.settings.emplace_back(settings.getColumn(0).getString(),
                                column_text(settings.getColumn(1)));
    SQLite::Statement batches(s.db,
                              "SELECT id, source, content_hash, imported_at, \"by\", \"rows\" "
                              "FROM batches ORDER BY id");
    while (batches.executeStep())
      out.batches.push_back({batches.getColumn(0).getInt64(), batches.getColumn(1).getString(),
                             batches.getColumn(2).getString(), batches.getColumn(3).getString(),
                             batches.getColumn(4).getString(), batches.getColumn(5).getInt64()});
    const auto log = s.load_write_log();
    for (size_t i = 0; i < log.first_ids.size(); ++i)
      out.writes.push_back({log.first_ids[i], log.times[i]});
    out.erasures = erasures();
    out.framework_versions = framework_versions();
    return out;
  });
}

// --- administration

}  // namespace outcomes
