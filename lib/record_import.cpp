// A whole file imported in one pass: rows are read and checked while a second thread
// writes the valid ones in one transaction; refs given twice and each person's timeline
// (merged with the stored entries) are checked at the end, and any problem rolls the
// write back.
#include <atomic>
#include <cmath>
#include <cstring>
#include <deque>
#include <exception>
#include <fstream>
#include <future>
#include <thread>
#include <type_traits>
#include <unordered_set>

#include "csv.h"
#include "forget.h"
#include "hash.h"
#include "record_internal.h"
#include "relay.h"

namespace outcomes::record_detail {
namespace {

// Rows read ahead of the check, their values copied (a reader's views last only until its
// next row), so that something can be learnt about many rows at once.
class RowWindow {
 public:
  // How many rows a window holds before it is taken.
  static constexpr std::size_t kRows = 2048;

  // Adds a copy of `row`. Each row's values are copied into a string of their own, sized
  // before the copy so that it never reallocates, and held in a deque, whose elements never
  // move: the kept views stay good until clear().
  void add(const RawRow& row) {
    std::size_t bytes = 0;
    for (std::string_view value : row.value) bytes += value.size();
    std::string& copy = copies_.emplace_back();
    copy.reserve(bytes);
    RawRow& kept = rows_.emplace_back(row);
    for (std::string_view& value : kept.value) {
      const std::size_t at = copy.size();
      copy += value;
      value = std::string_view(copy).substr(at);
    }
  }
  std::size_t size() const { return rows_.size(); }
  // The rows in the order added.
  const std::vector<RawRow>& rows() const { return rows_; }
  void clear() {
    rows_.clear();
    copies_.clear();
  }

 private:
  std::vector<RawRow> rows_;
  std::deque<std::string> copies_;
};

}  // namespace

StoredFacts load_stored_facts(const JourneyStore& store, Checker& checker,
                              const std::vector<std::string>& people, std::int64_t without,
                              std::vector<Fact>& facts) {
  StoredFacts stored;
  if (people.empty()) return stored;
  EntryQuery query;
  query.people = people;
  std::uint32_t order = 0;
  store.for_each_entry(query, [&](const Entry& e) {
    if (e.id == without) {
      stored.without_order = order++;
      return;
    }
    facts.push_back(checker.stored_fact(e, order++));
    stored.brief.push_back({e.id, e.date, e.kind});
  });
  return stored;
}

void merge_stored_facts(std::vector<Fact>& facts, std::size_t fresh, std::vector<Fact>& spare) {
  if (fresh == facts.size()) return;
  struct Run {
    std::uint32_t person;
    std::size_t begin, end;
  };
  std::vector<Run> runs;
  for (std::size_t begin = fresh; begin < facts.size();) {
    std::size_t end = begin + 1;
    while (end < facts.size() && facts[end].person == facts[begin].person) ++end;
    runs.push_back({facts[begin].person, begin, end});
    begin = end;
  }
  std::sort(runs.begin(), runs.end(),
            [](const Run& a, const Run& b) { return a.person < b.person; });
  spare.clear();
  spare.reserve(facts.size());
  const auto at = [&](std::size_t i) { return facts.begin() + static_cast<std::ptrdiff_t>(i); };
  auto next = facts.begin();
  const auto fresh_end = at(fresh);
  for (const Run& run : runs) {
    const auto mine =
        std::find_if(next, fresh_end, [&](const Fact& f) { return f.person >= run.person; });
    const auto past =
        std::find_if(mine, fresh_end, [&](const Fact& f) { return f.person != run.person; });
    spare.insert(spare.end(), next, mine);
    std::merge(mine, past, at(run.begin), at(run.end), std::back_inserter(spare), timeline_before);
    next = past;
  }
  spare.insert(spare.end(), next, fresh_end);
  // A store that gave a person's entries out of order, or not together, is put right the
  // slow way rather than trusted.
  if (!std::is_sorted(spare.begin(), spare.end(), timeline_before))
    std::sort(spare.begin(), spare.end(), timeline_before);
  facts.swap(spare);
}

DescribeStored stored_describer(const std::vector<StoredBrief>& brief, const Checker& checker) {
  return [&brief, &checker](const Fact& f) {
    const StoredBrief& e = brief[f.order];
    return fmt::format("stored entry {} ({} {} {})", e.id, checker.person_at(f.person),
                       format_date(e.date),
                       to_string(e.kind));
  };
}

namespace {

// A 64-bit hash of `bytes` from `seed` in which every bit depends on every byte.
std::uint64_t hash64(std::string_view bytes, std::uint64_t seed) {
  return mix64(fnv1a64(bytes, seed));
}

// Appends `field` with its length in front, so that no two lists of fields run together
// into the same bytes.
void append_field(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
}

}  // namespace

ContentKey content_key(const NewEntry& entry, std::string& scratch) {
  scratch.clear();
  append_field(scratch, entry.person);
  append_field(scratch, std::to_string(entry.date.days));
  append_field(scratch, to_string(entry.kind));
  append_field(scratch, entry.framework);
  append_field(scratch, entry.measure);
  append_field(scratch, entry.value ? std::to_string(*entry.value) : std::string_view("-"));
  append_field(scratch, entry.status);
  // A spreadsheet saved on Windows may turn the line breaks inside a cell into CRLF.
  std::string_view text = entry.text;
  if (text.find('\r') == std::string_view::npos) {
    append_field(scratch, text);
  } else {
    std::string lf;
    for (std::size_t i = 0; i < text.size(); ++i)
      if (!(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) lf += text[i];
    append_field(scratch, lf);
  }
  return {hash64(scratch, 0xcbf29ce484222325ULL), hash64(scratch, 0x84222325cbf29ce4ULL)};
}

bool StoredContents::take(std::uint32_t person, const NewEntry& entry, const ContentKey& key) {
  if (person >= people_.size()) people_.resize(person + 1);
  Person& p = people_[person];
  if (!p.loaded) {
    p.loaded = true;
    EntryQuery query;
    query.people = std::vector<std::string>{entry.person};
    store_.for_each_entry(query, [&](const Entry& e) { p.keys.push_back(content_key(e, scratch_)); });
    std::sort(p.keys.begin(), p.keys.end());
    p.used.assign(p.keys.size(), false);
  }
  for (auto i = static_cast<std::size_t>(std::lower_bound(p.keys.begin(), p.keys.end(), key) -
                                         p.keys.begin());
       i < p.keys.size() && p.keys[i] == key; ++i)
    if (!p.used[i]) {
      p.used[i] = true;
      return true;
    }
  return false;
}

std::uint64_t RefList::default_hash(std::string_view ref) {
  return std::hash<std::string_view>{}(ref);
}

namespace {

// The range of hashes, of `parts` equal ranges in order, that `hash` is in.
std::size_t hash_range(std::uint64_t hash, std::size_t parts) {
  return static_cast<std::size_t>(((hash >> 32) * parts) >> 32);
}

// A ref as set aside: its hash, its line and its size, then its bytes.
constexpr std::size_t kRefHead = 8 + 8 + 4;

}  // namespace

void RefList::set_aside(std::size_t parts) {
  if (!parts_.empty()) return;
  parts_.resize(std::max<std::size_t>(parts, 1));
  for (const Ref& r : refs_)
    set_aside(r.hash, r.line, std::string_view(text_).substr(r.offset, r.size));
  std::vector<Ref>().swap(refs_);
  std::string().swap(text_);
}

void RefList::set_aside(std::uint64_t hash, std::uint64_t line, std::string_view ref) {
  auto& file = parts_[hash_range(hash, parts_.size())];
  if (!file) file = std::make_unique<ScratchFile>("the refs being checked");
  const auto size = static_cast<std::uint32_t>(ref.size());
  char head[kRefHead];
  std::memcpy(head, &hash, 8);
  std::memcpy(head + 8, &line, 8);
  std::memcpy(head + 16, &size, 4);
  file->append(head, sizeof head);
  file->append(ref.data(), ref.size());
}

void RefList::take_repeats(const std::function<void(const Repeat&)>& repeat) {
  if (parts_.empty()) return repeats_held(repeat);
  // Every copy of a ref is in the file of its hash's range, and the ranges are in order: the
  // files read in turn give the repeats in the order of one list.
  auto parts = std::move(parts_);
  parts_.clear();
  for (auto& file : parts) {
    if (!file) continue;
    file->rewind();
    char head[kRefHead];
    while (file->read(head, sizeof head)) {
      Ref r{};
      std::memcpy(&r.hash, head, 8);
      std::memcpy(&r.line, head + 8, 8);
      std::memcpy(&r.size, head + 16, 4);
      r.offset = text_.size();
      text_.resize(r.offset + r.size);
      file->read_exactly(text_.data() + r.offset, r.size);
      refs_.push_back(r);
    }
    file.reset();
    repeats_held(repeat);
  }
}

void RefList::repeats_held(const std::function<void(const Repeat&)>& repeat) {
  auto text_of = [&](const Ref& r) { return std::string_view(text_).substr(r.offset, r.size); };
  // Sorting hashes, not strings, keeps a million refs quick; equal hashes are then told
  // apart by the refs themselves.
  std::sort(refs_.begin(), refs_.end(), [](const Ref& a, const Ref& b) {
    return std::tie(a.hash, a.line) < std::tie(b.hash, b.line);
  });
  for (std::size_t run = 0, i = 1; i < refs_.size(); ++i) {
    if (refs_[i].hash != refs_[run].hash) {
      run = i;
      continue;
    }
    const std::string_view ref = text_of(refs_[i]);
    for (std::size_t j = run; j < i; ++j)
      if (text_of(refs_[j]) == ref) {
        repeat({refs_[i].line, refs_[j].line});
        break;
      }
  }
  std::vector<Ref>().swap(refs_);
  std::string().swap(text_);
}

namespace {

std::ifstream open_input(const std::filesystem::path& file, const std::string& source) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(fmt::format("{}: cannot open: {}", source, std::strerror(errno)));
  return in;
}

// Writes an import's entries on a second thread while the first goes on reading and
// checking the file, so the two halves of an import share the machine's cores. Entries
// arrive in chunks; each chunk is written in person, date and file order (entries of one
// person side by side keep the journey index's inserts close together). Nothing becomes
// visible until the caller commits the transaction; on any problem it rolls back.
class BulkWriter {
 public:
  static constexpr std::size_t kChunk = 1 << 15;

  BulkWriter(StoreTransaction& tx, const std::string& recorded_at, std::int64_t batch)
      : tx_(tx), recorded_at_(recorded_at), batch_(batch) {
    filling_ = take_free();
    thread_ = std::thread([this] { run(); });
  }
  BulkWriter(const BulkWriter&) = delete;
  BulkWriter& operator=(const BulkWriter&) = delete;
  ~BulkWriter() { stop(true); }

  // The slot for the next entry (filled by the caller, then kept with keep()).
  NewEntry& slot() { return filling_->entries[filling_->size]; }
  // Entries are kept in file order; `person` numbers the entry's person (the checker's
  // dense numbering).
  void keep(std::uint32_t person) {
    filling_->people[filling_->size] = person;
    if (++filling_->size == kChunk) hand_over();
  }
  // Writes what is left, waits for the writing thread and rethrows its error, if any.
  // Returns the number of entries written.
  std::uint64_t finish() {
    if (filling_ && filling_->size > 0) hand_over();
    stop(false);
    if (error_) std::rethrow_exception(error_);
    return written_;
  }

 private:
  struct Chunk {
    std::vector<NewEntry> entries;
    std::array<std::uint32_t, kChunk> people{};
    std::vector<std::uint32_t> order;
    std::vector<const NewEntry*> rows;  // in `order`
    std::size_t size = 0;
  };

  // The reading thread is the only one to abandon the relay (when it stops), so a free
  // chunk always comes.
  Chunk* take_free() {
    Chunk* c = chunks_.take_free();
    if (c->entries.empty()) c->entries.resize(kChunk);
    c->size = 0;
    return c;
  }

  void hand_over() {
    sort(*filling_);  // here, on the reading thread, which has time to spare
    chunks_.hand_over(filling_);
    filling_ = take_free();
  }

  // Ends the writing thread: after writing what was handed over, or at once (abandon).
  void stop(bool abandon) {
    if (!thread_.joinable()) return;
    if (abandon)
      chunks_.abandon();
    else
      chunks_.close();
    thread_.join();
  }

  // After a failed write, the chunks still handed over are taken and given back unwritten,
  // so the reading thread never waits for one.
  void run() {
    while (Chunk* c = chunks_.take_full()) {
      if (!error_) {
        try {
          write(*c);
        } catch (...) {
          error_ = std::current_exception();
        }
      }
      chunks_.give_back(c);
    }
  }

  // Orders a chunk by person, date and file order (entries are kept in file order). The
  // chunk's people are ranked by reference once; the rows are then sorted on integers.
  void sort(Chunk& c) {
    const auto size = static_cast<std::uint32_t>(c.size);
    chunk_people_.clear();
    for (std::uint32_t i = 0; i < size; ++i) {
      const std::uint32_t p = c.people[i];
      if (p >= rank_.size()) rank_.resize(p + 1, kUnranked);
      if (rank_[p] == kUnranked) {
        rank_[p] = 0;
        chunk_people_.push_back(i);  // a row of the person's, to read the reference from
      }
    }
    std::sort(chunk_people_.begin(), chunk_people_.end(), [&](std::uint32_t a, std::uint32_t b) {
      return c.entries[a].person < c.entries[b].person;
    });
    for (std::uint32_t r = 0; r < chunk_people_.size(); ++r) rank_[c.people[chunk_people_[r]]] = r;
    keys_.resize(size);
    for (std::uint32_t i = 0; i < size; ++i) {
      // The rank above the date (offset to be non-negative), the row's place below.
      const auto day = static_cast<std::uint64_t>(
          static_cast<std::int64_t>(c.entries[i].date.days) + (std::int64_t{1} << 31));
      keys_[i] = {(static_cast<std::uint64_t>(rank_[c.people[i]]) << 32) | day, i};
    }
    std::sort(keys_.begin(), keys_.end());
    c.order.resize(size);
    for (std::uint32_t i = 0; i < size; ++i) c.order[i] = keys_[i].second;
    for (std::uint32_t row : chunk_people_) rank_[c.people[row]] = kUnranked;
  }

  void write(Chunk& c) {
    c.rows.clear();
    for (std::uint32_t i : c.order) c.rows.push_back(&c.entries[i]);
    tx_.append_all(c.rows, recorded_at_, batch_);
    written_ += c.size;
  }

  StoreTransaction& tx_;
  const std::string& recorded_at_;
  const std::int64_t batch_;
  Relay<Chunk> chunks_{3};
  // Scratch for sort(), on the reading thread.
  static constexpr std::uint32_t kUnranked = ~std::uint32_t{0};
  std::vector<std::uint32_t> rank_;          // person -> rank in the chunk being sorted
  std::vector<std::uint32_t> chunk_people_;  // a row of each of its people
  std::vector<std::pair<std::uint64_t, std::uint32_t>> keys_;
  Chunk* filling_ = nullptr;
  std::exception_ptr error_;  // written by the writing thread, read after join
  std::uint64_t written_ = 0;
  std::thread thread_;
};

// What a whole pass over a file finds: its digest and its number of lines, and, when asked
// for, its legacy digest ("" otherwise).
struct FileSurvey {
  std::string digest;
  std::string legacy_digest;
  std::uint64_t lines = 0;
  std::optional<text::EncodingFault> not_utf8;  // the first byte that is not UTF-8
};

// Refuses a file that is not UTF-8 at `fault`, or that starts with a UTF-16 byte order mark,
// saying how to convert it.
void refuse_encoding(const std::string& source, std::string_view start,
                     const std::optional<text::EncodingFault>& fault) {
  if (auto bom = text::foreign_byte_order_mark(start))
    throw InvalidInput(text::not_utf8_message(
        source, fmt::format("is {} (it starts with a UTF-16 byte order mark), as a spreadsheet saves "
                            "\"Unicode text\"",
                            *bom),
        "UTF-16"));
  if (fault)
    throw InvalidInput(text::not_utf8_message(
        source, fmt::format("line {}, column {}: byte \\x{:02x} is not UTF-8", fault->at.line,
                            fault->at.column, fault->byte)));
}

// Refuses the file at once when its first bytes show it is not UTF-8 (before its header is
// read, which would otherwise be refused as a header); returns those bytes.
std::string check_start_encoding(const std::filesystem::path& file, const std::string& source) {
  std::ifstream in = open_input(file, source);
  std::string start(1 << 16, '\0');
  in.read(start.data(), static_cast<std::streamsize>(start.size()));
  start.resize(static_cast<std::size_t>(in.gcount()));
  text::Utf8Check check;
  check.update(start);
  if (!in) check.finish();
  refuse_encoding(source, start, check.fault());
  return start;
}

// Stops early, with an incomplete survey, once `cancel` is set.
FileSurvey survey_file(const std::filesystem::path& file, const std::string& source,
                       bool with_legacy, const std::atomic<bool>& cancel) {
  std::ifstream in = open_input(file, source);
  ContentDigest digest;
  std::optional<LegacyFnv1a64> legacy;
  if (with_legacy) legacy.emplace();
  FileSurvey survey;
  text::Utf8Check utf8;
  std::vector<char> buffer(1 << 20);
  while (in && !cancel) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    std::string_view chunk(buffer.data(), static_cast<std::size_t>(in.gcount()));
    digest.update(chunk);
    utf8.update(chunk);
    if (legacy) legacy->update(chunk);
    survey.lines += static_cast<std::uint64_t>(std::count(chunk.begin(), chunk.end(), '\n'));
  }
  utf8.finish();
  survey.not_utf8 = utf8.fault();
  survey.digest = digest.hex();
  if (legacy) survey.legacy_digest = legacy->hex();
  return survey;
}

// Reports each row whose ref an earlier row of the file already gave.
void report_repeated_refs(RefList& refs, Problems& problems, const RowReader& reader,
                          const Checker& checker) {
  refs.take_repeats([&](const RefList::Repeat& r) {
    problems.add(r.line, 0,
                 fmt::format("{}: repeats the ref of line {}; expected each ref to name "
                             "one entry",
                             reader.where_fact(checker, r.line, Fact{}, Field::Ref), r.first));
  });
}

// The facts of a file's new rows: held in memory, or once set aside, in scratch files by
// person (all of a person's in one file).
class FactParts {
 public:
  void reserve(std::size_t n) { held_.reserve(n); }
  void add(const Fact& f) {
    if (parts_.empty())
      held_.push_back(f);
    else
      set_aside(f);
  }
  std::size_t held() const { return held_.size(); }
  std::size_t parts() const { return std::max<std::size_t>(parts_.size(), 1); }
  // Sets the facts held, and every fact added from now on, aside in `parts` scratch files.
  void set_aside(std::size_t parts) {
    if (!parts_.empty()) return;
    parts_.resize(std::max<std::size_t>(parts, 1));
    for (const Fact& f : held_) set_aside(f);
    std::vector<Fact>().swap(held_);
  }
  // The facts of part `i` in the order added (when not set aside, all of them); frees them.
  void take(std::size_t i, std::vector<Fact>& out) {
    static_assert(std::is_trivially_copyable_v<Fact>, "facts are set aside as bytes");
    out.clear();
    if (parts_.empty()) return out.swap(held_);
    auto& file = parts_[i];
    if (!file) return;
    file->rewind();
    Fact f;
    while (file->read(&f, sizeof f)) out.push_back(f);
    file.reset();
  }

 private:
  void set_aside(const Fact& f) {
    auto& file = parts_[f.person % parts_.size()];
    if (!file) file = std::make_unique<ScratchFile>("the entries being checked");
    file->append(&f, sizeof f);
  }

  std::vector<Fact> held_;
  std::vector<std::unique_ptr<ScratchFile>> parts_;
};

// How many scratch files to set `held` (bytes or items) aside in, `limit` being reached
// after reading `read` bytes of a file of `size`: enough for each to hold about half the
// limit by the end of the file.
std::size_t parts_for(std::size_t held, std::size_t limit, std::int64_t read,
                      std::uintmax_t size, const ImportMemory& memory) {
  if (memory.parts) return memory.parts;
  // Each scratch file holds a file descriptor open, and facts and refs may each take this many.
  constexpr std::size_t kMost = 128;
  if (read <= 0 || size == 0) return kMost / 8;
  const double expected =
      static_cast<double>(held) * static_cast<double>(size) / static_cast<double>(read);
  const double half_limit = static_cast<double>(std::max<std::size_t>(limit, 1)) / 2;
  return std::clamp<std::size_t>(static_cast<std::size_t>(std::ceil(expected / half_limit)), 2,
                                 kMost);
}

// Checks the timelines of the people with new facts in `facts`, merged with what
// `stored` (nullptr: nothing) held before the import. Stored entries are read for a
// group of people at a time, the group sized as it goes (`people_per_read`) to hold about
// `stored_per_read` stored facts.
void check_part_timelines(Checker& checker, const JourneyStore* stored,
                          std::vector<Fact>& facts, const WhereNew& where_new,
                          PartedProblems* parted, std::size_t& people_per_read,
                          std::size_t stored_per_read) {
  if (!stored) {
    const std::vector<StoredBrief> none;
    checker.check_timelines(facts, where_new, stored_describer(none, checker), parted);
    return;
  }
  std::sort(facts.begin(), facts.end(), timeline_before);
  std::vector<Fact> group, spare;
  std::vector<std::string> people;
  for (std::size_t begin = 0; begin < facts.size();) {
    group.clear();
    people.clear();
    std::size_t end = begin;
    while (end < facts.size() && people.size() < people_per_read) {
      const std::uint32_t person = facts[end].person;
      std::size_t next = end;
      while (next < facts.size() && facts[next].person == person) ++next;
      // The timelines of people with a row problem are not checked.
      if (!checker.person_has_problem(person)) {
        people.push_back(checker.person_at(person));
        group.insert(group.end(), facts.begin() + static_cast<std::ptrdiff_t>(end),
                     facts.begin() + static_cast<std::ptrdiff_t>(next));
      }
      end = next;
    }
    begin = end;
    // The group is in timeline order until the stored facts are appended; merging them in
    // keeps it so without sorting it again.
    const std::size_t fresh = group.size();
    const StoredFacts before = load_stored_facts(*stored, checker, people, 0, group);
    merge_stored_facts(group, fresh, spare);
    checker.check_sorted_timelines(group, where_new, stored_describer(before.brief, checker),
                                   parted);
    constexpr std::size_t kMostPeople = std::size_t{1} << 16;
    if (before.brief.size() > stored_per_read)
      people_per_read = std::max<std::size_t>(people_per_read / 2, 1);
    else if (before.brief.size() < stored_per_read / 4)
      people_per_read = std::min(people_per_read * 2, kMostPeople);
  }
}


}  // namespace
}  // namespace outcomes::record_detail

namespace outcomes {

using namespace record_detail;

ImportResult import_entries(const Workspace& workspace, JourneyStore& store,
                            const ImportOptions& options) {
  return import_entries_within(workspace, store, options, ImportMemory{});
}

ImportResult record_detail::import_entries_within(const Workspace& workspace, JourneyStore& store,
                                                  const ImportOptions& options,
                                                  const ImportMemory& memory) {
  ImportResult result;
  result.dry_run = options.dry_run;
  check_options(workspace, options);

  // The file's digest (a file imported before is skipped whole) and its number of lines
  // (for progress) are worked out on a thread of their own while the rows are checked:
  // the reading here does not wait for it, and stops as soon as it shows the file was
  // imported before.
  // Files imported before digests were SHA-256 are known by their legacy digest, worked
  // out only when the store holds such imports.
  const bool legacy_batches = store.has_legacy_batches();
  std::atomic<bool> stop_survey = false;
  std::future<FileSurvey> survey =
      std::async(std::launch::async, survey_file, options.file, options.source, legacy_batches,
                 std::cref(stop_survey));
  // However this function ends, the survey is not waited for longer than it must be.
  struct StopSurvey {
    std::atomic<bool>& stop;
    ~StopSurvey() { stop = true; }
  } stop_survey_on_exit{stop_survey};
  std::optional<FileSurvey> surveyed;
  std::error_code size_error;
  const std::uintmax_t file_size = std::filesystem::file_size(options.file, size_error);

  Problems problems;
  Checker checker(workspace, options.today, options.source, problems);
  checker.set_date_order(options.date_order);
  // The write begins before anything is read from the store: whether it holds entries, its
  // refs, the files imported before and the stored timelines are then read as this import
  // will change them, and no other write can come in between (it waits for this one).
  std::unique_ptr<StoreTransaction> tx;
  if (!options.dry_run) tx = store.begin(true);
  const bool store_has_entries = store.entry_count() > 0;
  // An old file cannot bring back a person erased from the store.
  checker.refuse_people(refuse_erased_people(store));
  auto report_progress = [&](ImportProgress::Phase phase, std::uint64_t rows) {
    if (options.progress)
      options.progress(ImportProgress{phase, rows, surveyed ? surveyed->lines : 0});
  };

  // One pass reads and checks every row while a second thread writes the valid ones in
  // one transaction; the timeline rules run at the end, and any problem rolls the whole
  // write back. Refs and stored timelines are read through a second, read-only
  // connection, which sees the store as it was before this import whatever the write
  // has done so far.
  std::unique_ptr<JourneyStore> before;
  if (!options.dry_run && store_has_entries) before = store.open_reader();
  const JourneyStore& stored_view = before ? *before : store;
  // Takes the survey once it is ready (or, with `wait`, waits for it) and looks its
  // digest up once; returns the earlier import of the same file, if there was one. A store
  // without entries has no batches, so nothing in it can be this file.
  auto imported_before = [&](bool wait) -> std::optional<ImportBatch> {
    if (surveyed ||
        (!wait && survey.wait_for(std::chrono::seconds(0)) != std::future_status::ready))
      return std::nullopt;
    surveyed = survey.get();
    if (!store_has_entries) return std::nullopt;
    return stored_view.batch_with_hash(surveyed->digest);
  };
  // A legacy digest is short enough for two files to share one, so a batch recorded with
  // it is this file only when it also wrote as many rows as the file holds; called once
  // every row has been read. When the digest matches and the rows do not, the file may be
  // the one imported before with rows since added or removed: importing it again would
  // store its rows without refs twice, so nothing is written and the data officer decides.
  auto imported_under_legacy_digest = [&]() -> std::optional<ImportBatch> {
    if (!store_has_entries || !surveyed || surveyed->legacy_digest.empty()) return std::nullopt;
    auto batch = stored_view.batch_with_hash(surveyed->legacy_digest);
    if (!batch || batch->rows == static_cast<std::int64_t>(result.rows)) return batch;
    throw InvalidInput(fmt::format(
        "{}: looks like '{}', imported on {} as batch {} with {} rows (an older release "
        "recognised files by a shorter digest, which this file shares), but it holds {} rows; "
        "nothing was written. Import only the rows that are new, or give every row a ref so "
        "rows already stored are skipped",
        options.source, batch->source, batch->imported_at, batch->id, batch->rows,
        result.rows));
  };
  auto skipped_whole = [&](ImportBatch previous) {
    ImportResult skipped;
    skipped.dry_run = options.dry_run;
    skipped.already_imported = std::move(previous);
    return skipped;  // the transaction, if any, rolls back
  };
  std::optional<BulkWriter> writer;
  if (!options.dry_run) {
    ImportBatch batch;
    batch.source = options.source;
    batch.imported_at = options.recorded_at;
    result.batch = tx->add_batch(batch);
    writer.emplace(*tx, options.recorded_at, result.batch);
  }

  FactParts facts;
  RefList refs;
  {
    const std::string start = check_start_encoding(options.file, options.source);
    ImportOptions read_options = options;
    if (!read_options.delimiter) read_options.delimiter = detect_delimiter(start);
    std::ifstream in = open_input(options.file, options.source);
    auto reader = open_reader(in, workspace, read_options, problems);
    // Room for a fact per line, guessed from the size (a row takes 20 bytes at least), up
    // to the most held in memory.
    if (!size_error)
      facts.reserve(static_cast<std::size_t>(
          std::min<std::uintmax_t>(file_size / 20 + 1, memory.facts + 1)));
    auto parts_now = [&](std::size_t held, std::size_t limit) {
      return parts_for(held, limit, static_cast<std::int64_t>(in.tellg()),
                       size_error ? 0 : file_size, memory);
    };
    std::vector<RawRow> rows;
    std::uint64_t records = 0;
    Fact fact;
    NewEntry scratch;
    // The stored entries by content, each person's read when a row of theirs without a
    // ref first needs them.
    StoredContents contents(stored_view);
    std::string key_scratch;
    // One row: skipped when its ref is stored (`ref_stored`), else checked and, while the
    // file has no problems, handed to the writer.
    auto take_row = [&](const RawRow& row, std::string_view ref, bool ref_stored) {
      ++result.rows;
      if (!ref.empty()) {
        if (ref_stored) {
          ++result.skipped;
          return;
        }
        refs.add(ref, row.line);
        if (refs.held_bytes() > memory.ref_bytes)
          refs.set_aside(parts_now(refs.held_bytes(), memory.ref_bytes));
      }
      // Valid entries go to the writer until the first problem; after that only checking
      // goes on, to list every problem.
      const bool writing = writer && problems.empty();
      NewEntry& entry = writing ? writer->slot() : scratch;
      if (checker.check(row, fact, &entry)) {
        // A row without a ref that a stored entry already holds (a re-saved or grown
        // copy of a file imported before) is already stored; its stored fact stands in
        // the timeline.
        if (ref.empty() && store_has_entries) {
          if (contents.take(fact.person, entry, content_key(entry, key_scratch))) {
            ++result.already_stored;
            return;
          }
        }
        fact.order = kNewOrder + static_cast<std::uint32_t>(row.line);
        facts.add(fact);
        if (facts.held() > memory.facts) facts.set_aside(parts_now(facts.held(), memory.facts));
        if (writing && problems.empty()) writer->keep(fact.person);
      }
    };
    // Into a store that holds entries, rows are read a window at a time and the refs of a
    // whole window looked up at once: on a database server each lookup is a round trip,
    // and one per row would cost more than the rest of the import. Rows are still taken in
    // file order.
    RowWindow window;
    std::vector<std::string> window_refs;
    std::vector<std::string_view> row_refs;
    auto take_window = [&] {
      row_refs.clear();
      window_refs.clear();
      for (const RawRow& row : window.rows()) {
        std::string_view ref = row_refs.emplace_back(trim(row.value[idx(Field::Ref)]));
        if (!ref.empty()) window_refs.emplace_back(ref);
      }
      const std::vector<std::string> found =
          window_refs.empty() ? std::vector<std::string>() : stored_view.existing_refs(window_refs);
      const std::unordered_set<std::string_view> stored(found.begin(), found.end());
      for (std::size_t r = 0; r < row_refs.size(); ++r) {
        const std::string_view ref = row_refs[r];
        take_row(window.rows()[r], ref, !ref.empty() && stored.count(ref) > 0);
      }
      window.clear();
    };
    while (reader->next(rows)) {
      if ((++records & 0xffff) == 0) {
        if (auto previous = imported_before(false)) return skipped_whole(std::move(*previous));
        report_progress(ImportProgress::Phase::Checking, records);
      }
      if (!store_has_entries) {
        for (const RawRow& row : rows) take_row(row, trim(row.value[idx(Field::Ref)]), false);
        continue;
      }
      for (const RawRow& row : rows) window.add(row);
      if (window.size() >= RowWindow::kRows) take_window();
    }
    take_window();
    if (auto previous = imported_before(true)) return skipped_whole(std::move(*previous));
    // Nothing is stored from a file in another encoding: its letters would be garbled.
    refuse_encoding(options.source, {}, surveyed->not_utf8);
    if (auto previous = imported_under_legacy_digest())
      return skipped_whole(std::move(*previous));
    report_progress(ImportProgress::Phase::Checking, records);
    report_repeated_refs(refs, problems, *reader, checker);

    // Each person's timeline, merged with what the store held before, a part of the
    // people at a time when their facts were set aside.
    const WhereNew where_new = [&](const Fact& f, Field field) {
      return reader->where_fact(checker, f.order - kNewOrder, f, field);
    };
    const JourneyStore* before_import = store_has_entries ? &stored_view : nullptr;
    std::size_t people_per_read = memory.people_per_read;
    std::vector<Fact> part;
    if (facts.parts() == 1) {
      facts.take(0, part);
      check_part_timelines(checker, before_import, part, where_new, nullptr, people_per_read,
                           memory.facts / 2);
    } else {
      PartedProblems parted(problems);
      for (std::size_t i = 0; i < facts.parts(); ++i) {
        facts.take(i, part);
        check_part_timelines(checker, before_import, part, where_new, &parted, people_per_read,
                             memory.facts / 2);
        parted.end_part();
      }
      parted.pass_to(problems);
    }
  }
  const std::string hint = checker.date_format_hint();
  problems.throw_if_any(options.source, options.max_problems,
                        hint.empty() ? "nothing was written" : "nothing was written; " + hint);
  result.added = result.rows - result.skipped - result.already_stored;
  if (options.dry_run || result.added == 0) {
    result.batch = 0;
    return result;  // the transaction, if any, rolls back
  }
  const std::uint64_t written = writer->finish();
  if (written != result.added)
    throw Error(
        fmt::format("{}: {} entries were written but {} were expected; nothing was "
                    "written",
                    options.source, written, result.added));
  tx->complete_batch(result.batch, static_cast<std::int64_t>(written), surveyed->digest);
  tx->commit();
  report_progress(ImportProgress::Phase::Writing, written);
  return result;
}

std::string import_summary(const std::string& source, const ImportResult& r) {
  if (r.already_imported)
    return fmt::format("{}: already imported (batch {} from {} on {}, {} rows); nothing to do",
                       source, r.already_imported->id, r.already_imported->source,
                       r.already_imported->imported_at, r.already_imported->rows);
  auto rows = [](std::uint64_t n) { return fmt::format("{} row{}", n, n == 1 ? "" : "s"); };
  std::string skipped =
      r.skipped ? fmt::format(", {} skipped (ref already stored)", r.skipped) : std::string();
  if (r.already_stored)
    skipped += fmt::format(", {} already stored (same content)", rows(r.already_stored));
  if (r.dry_run)
    return fmt::format("{}: {} valid, {} would be added{}; nothing written (dry run)", source,
                       rows(r.rows), rows(r.added), skipped);
  return fmt::format("{}: {} added{}", source, rows(r.added), skipped);
}

}  // namespace outcomes
