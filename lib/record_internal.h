// Shared inside the record code only (record*.cpp and their unit tests): rows as read,
// problems, facts, the row and timeline checker, the file readers and the stored-facts
// merge. Not part of the library's interface.
//
// Where each part lives:
//   record_rules.cpp     the table of entry kinds and the checks of one row
//   record_timeline.cpp  the rules of a person's timeline (episodes, needs, milestones,
//                        goals, one score per item per occasion)
//   record_readers.cpp   long CSV, wide CSV and JSONL readers
//   record_import.cpp    import_entries: reading, checking and writing a whole file
//   record.cpp           single entries from the command line, and corrections
#pragma once
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "error.h"
#include "framework.h"
#include "output.h"
#include "record.h"
#include "text.h"

namespace outcomes::record_detail {

inline constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "person", "date", "kind", "framework", "measure", "value", "status", "text", "by", "ref"};

constexpr std::size_t idx(Field f) {
  return static_cast<std::size_t>(f);
}

// Cells, refs and need texts are trimmed by the one rule every part of the tool uses.
using text::trim;

// "a, b or c", naming at most `limit` items.
template <typename List>
std::string join_or(const List& items, std::size_t limit = 24) {
  std::string out;
  std::size_t n = 0, total = std::size(items);
  for (const auto& item : items) {
    if (n == limit) {
      out += fmt::format(" … ({} more)", total - limit);
      break;
    }
    if (n > 0) out += (n + 1 == total) ? " or " : ", ";
    out += std::string_view(item);
    ++n;
  }
  return out;
}

// The items as strings.
template <typename List>
std::vector<std::string> to_strings(const List& items) {
  std::vector<std::string> out;
  for (const auto& item : items) out.emplace_back(item);
  return out;
}

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using StringIndex = std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>>;

// The dense number of `s` in `names`, adding it when new.
inline std::uint32_t intern(StringIndex& index, std::vector<std::string>& names,
                            std::string_view s) {
  if (auto it = index.find(s); it != index.end()) return it->second;
  auto id = static_cast<std::uint32_t>(names.size());
  names.emplace_back(s);
  index.emplace(std::string(s), id);
  return id;
}

// ---------------------------------------------------------------------------------------
// Rows as read, before validation.

// One entry's fields as text, with where each came from.
struct RawRow {
  std::array<std::string_view, kFieldCount> value{};
  std::array<std::string_view, kFieldCount> label = kFieldNames;
  std::array<std::uint32_t, kFieldCount> column{};  // 1-based; 0 when not from a column
  std::uint64_t line = 0;                           // physical line (index for flags)
};

// How a date is written in `order`, for messages: "YYYY-MM-DD", "DD/MM/YYYY", …
std::string_view date_shape(DateOrder order);

// Where a problem is: "file:line:column: column-name" (or the option name for flags).
std::string where(const std::string& source, const RawRow& row, Field f);

// Every problem found, kept in file order; listing stops at a limit.
class Problems {
 public:
  void add(std::uint64_t line, std::uint32_t column, std::string text) {
    ++total_;
    if (kept_.size() < kKeep) kept_.push_back({line, column, std::move(text)});
  }
  std::size_t total() const { return total_; }
  bool empty() const { return total_ == 0; }
  // How many more problems would be kept for listing.
  std::size_t room() const { return kKeep - kept_.size(); }
  // Counts `n` problems found after room() was used up, without keeping them.
  void count_unkept(std::size_t n) { total_ += n; }
  // Throws InvalidInput listing up to `limit` problems in file order, when there are any.
  void throw_if_any(const std::string& source, std::size_t limit, std::string_view what) {
    if (total_ == 0) return;
    std::stable_sort(kept_.begin(), kept_.end(), [](const Item& a, const Item& b) {
      return std::tie(a.line, a.column) < std::tie(b.line, b.column);
    });
    std::vector<std::string> list;
    for (std::size_t i = 0; i < kept_.size() && i < limit; ++i) list.push_back(kept_[i].text);
    if (total_ > list.size())
      list.push_back(fmt::format("… and {} more problem{}", total_ - list.size(),
                                 total_ - list.size() == 1 ? "" : "s"));
    throw InvalidInput(
        fmt::format("{} problem{} in {}; {}", total_, total_ == 1 ? "" : "s", source, what),
        std::move(list));
  }

 private:
  static constexpr std::size_t kKeep = 100000;
  struct Item {
    std::uint64_t line;
    std::uint32_t column;
    std::string text;
  };
  std::vector<Item> kept_;
  std::size_t total_ = 0;
};

// ---------------------------------------------------------------------------------------
// Facts: the compact form of an entry that the timeline rules need.

// An entry kind in one byte.
struct KindByte {
  std::uint8_t code = 0;
  KindByte& operator=(EntryKind k) {
    code = static_cast<std::uint8_t>(k);
    return *this;
  }
  operator EntryKind() const { return static_cast<EntryKind>(code); }
};

// The event a need, milestone or goal entry records; None for other kinds.
enum class State : std::uint8_t { None, Open, Met, Start, End, Set, Review, Close };
enum class Origin : std::uint8_t { Stored, New };

struct Fact {
  std::uint32_t person = 0;
  std::int32_t date = 0;
  // What the entry is about: framework (16 bits, 1-based), measure (16 bits, 1-based)
  // and an interned text (32 bits: need text or goal key); 0 when the kind has none.
  std::uint64_t key = 0;
  // Recording order among a person's entries of one date: stored entries by their
  // position in the store's order, new ones after them (kNewOrder + line).
  std::uint32_t order = 0;
  KindByte kind;
  State state = State::None;
  Origin origin = Origin::New;
};
static_assert(sizeof(Fact) <= 24);
inline constexpr std::uint32_t kNewOrder = 1u << 31;

// Timeline order: by person, then date, then recording order. (A closure, so that sorting
// with it inlines the comparison.)
inline constexpr auto timeline_before = [](const Fact& a, const Fact& b) {
  if (a.person != b.person) return a.person < b.person;
  if (a.date != b.date) return a.date < b.date;
  return a.order < b.order;
};

constexpr std::uint64_t make_key(std::uint32_t framework, std::uint32_t measure,
                                 std::uint32_t text) {
  return (static_cast<std::uint64_t>(framework) << 48) |
         (static_cast<std::uint64_t>(measure) << 32) | text;
}
constexpr std::uint32_t key_framework(std::uint64_t key) {
  return static_cast<std::uint32_t>(key >> 48);
}
constexpr std::uint32_t key_measure(std::uint64_t key) {
  return static_cast<std::uint32_t>((key >> 32) & 0xffff);
}
constexpr std::uint32_t key_text(std::uint64_t key) {
  return static_cast<std::uint32_t>(key & 0xffffffff);
}

// ---------------------------------------------------------------------------------------
// The checker: validates rows against the workspace (record_rules.cpp), and timelines
// against the rules (record_timeline.cpp).

struct FrameworkIndex {
  const Framework* framework = nullptr;
  std::unordered_map<std::string, std::uint16_t, StringHash, std::equal_to<>> measures;  // 1-based
  std::vector<std::string> status_ids;
  bool has_items = false;
};

enum class Use : std::uint8_t;
struct RowCheck;

// Timeline problems found a part of the people at a time (each person in one part, the
// problems of a part in order of their people's numbers), passed on in order of the people's
// numbers as if found in one pass over everyone: the same problems are kept for listing,
// and counted, whatever the parts.
class PartedProblems {
 public:
  // Keeps as many problems as `problems` still has room for.
  explicit PartedProblems(const Problems& problems) : room_(problems.room()) {}
  void add(std::uint32_t person, std::uint64_t line, std::uint32_t column, std::string text) {
    ++total_;
    if (part_.size() < room_) part_.push_back({person, line, column, std::move(text)});
  }
  // Ends a part: merges its problems with those of the parts before.
  void end_part();
  // Adds every problem to `problems`, in order of the people's numbers, and forgets them.
  void pass_to(Problems& problems);

 private:
  struct Item {
    std::uint32_t person;
    std::uint64_t line;
    std::uint32_t column;
    std::string text;
  };
  std::size_t room_;
  std::size_t total_ = 0;
  std::vector<Item> kept_, part_;
};

// Names where a new fact's field is, for a timeline problem.
using WhereNew = std::function<std::string(const Fact&, Field)>;
// Names a stored fact (by its order), for a timeline problem.
using DescribeStored = std::function<std::string(const Fact&)>;

class Checker {
 public:
  Checker(const Workspace& ws, Date today, std::string source, Problems& problems);

  bool person_has_problem(std::uint32_t i) const {
    return i < bad_people_.size() && bad_people_[i];
  }
  // The people of the checked rows that had no row problem, to merge stored entries of.
  std::vector<std::string> people_without_problems() const;
  // Refuses the rows of people for whom `problem` (asked once per person) says why they
  // cannot be recorded ("" when they can): people erased from the store.
  void refuse_people(std::function<std::string(std::string_view)> problem) {
    refused_ = std::move(problem);
  }
  // Checks this person's timeline even when it holds no new entry (a correction moved
  // an entry away from it).
  void also_check(std::uint32_t i) { also_check_.push_back(i); }
  std::uint32_t person_index(std::string_view ref) {
    // Rows of one person often come together: the last one is compared before hashing.
    if (last_person_ < people_.size() && people_[last_person_] == ref) return last_person_;
    auto i = intern(people_index_, people_, ref);
    last_person_ = i;
    if (bad_people_.size() < people_.size()) bad_people_.resize(people_.size(), false);
    return i;
  }
  // The reference of the person numbered `i` by person_index.
  const std::string& person_at(std::uint32_t i) const { return people_[i]; }
  const Framework* framework_at(std::uint32_t one_based) const {
    return one_based == 0 || one_based > frameworks_.size() ? nullptr
                                                            : frameworks_[one_based - 1].framework;
  }
  const Measure* measure_at(std::uint64_t key) const {
    const Framework* fw = framework_at(key_framework(key));
    auto m = key_measure(key);
    return fw && m != 0 && m <= fw->measures.size() ? &fw->measures[m - 1] : nullptr;
  }
  const std::string& text_at(std::uint64_t key) const { return texts_[key_text(key)]; }

  // Reads the date column in this order from now on (ISO unless set).
  void set_date_order(DateOrder order) { date_order_ = order; }
  // When some dates were refused that a --date-format would read: which to give (naming the
  // one order that reads them all, when just one does); "" otherwise.
  std::string date_format_hint() const;

  // Validates one row. On success fills `fact` and, when given, `entry`, and returns true;
  // otherwise reports every problem of the row and returns false.
  bool check(const RawRow& row, Fact& fact, NewEntry* entry);

  // The fact of an entry already stored (for merging timelines).
  Fact stored_fact(const Entry& e, std::uint32_t order);

  // Checks every person's timeline in date order. Only people with a new fact and no
  // row problem are checked. Problems go to `parted` when given. Sorts `facts` into
  // timeline order (timeline_before) first.
  void check_timelines(std::vector<Fact>& facts, const WhereNew& where_new,
                       const DescribeStored& describe_stored, PartedProblems* parted = nullptr);
  // As check_timelines, for `facts` already in timeline order (timeline_before): that order
  // is the caller's to keep (asserted in debug builds only).
  void check_sorted_timelines(const std::vector<Fact>& facts, const WhereNew& where_new,
                              const DescribeStored& describe_stored,
                              PartedProblems* parted = nullptr);

 private:
  friend class TimelinePass;

  void problem(const RawRow& row, Field f, std::string message) {
    problems_.add(row.line, row.column[idx(f)],
                  fmt::format("{}: {}", where(source_, row, f), message));
  }
  std::uint32_t framework_slot(std::string_view id) {
    if (id == last_framework_id_ && last_framework_slot_) return last_framework_slot_;
    for (std::size_t i = 0; i < frameworks_.size(); ++i)
      if (frameworks_[i].framework->id == id) {
        last_framework_id_ = frameworks_[i].framework->id;
        last_framework_slot_ = static_cast<std::uint32_t>(i + 1);
        return last_framework_slot_;
      }
    return 0;
  }
  // The 1-based slot of the goal measure of a goal framework; 0 when it has none.
  std::uint32_t goal_measure_slot(const FrameworkIndex& fi) const;

  // The checks of one row, column by column (record_rules.cpp).
  void bad(RowCheck& c, Field f, std::string message);
  // Reports `f` given when the kind does not use it, or missing when it needs it (`what`);
  // true when `f` holds a value to check further.
  bool uses(RowCheck& c, Field f, Use use, std::string_view what);
  // Refuses a field over the byte limit, not valid UTF-8, or with control characters (tab
  // and line breaks are allowed in the text only).
  void check_bytes(RowCheck& c);
  std::optional<std::uint32_t> check_person(RowCheck& c);
  Date check_date(RowCheck& c);
  std::optional<EntryKind> check_kind(RowCheck& c);
  void check_framework(RowCheck& c);
  void check_measure(RowCheck& c);
  void check_attribute_name(RowCheck& c);
  void check_goal_key(RowCheck& c, const Framework& fw);
  void check_framework_measure(RowCheck& c, const Framework& fw);
  void check_value(RowCheck& c);
  void check_status(RowCheck& c);
  void check_text(RowCheck& c);
  std::uint64_t fact_key(const RowCheck& c);
  void fill_entry(const RowCheck& c, NewEntry& entry) const;

  const Workspace& ws_;
  Date today_;
  std::string source_;
  Problems& problems_;
  std::vector<FrameworkIndex> frameworks_;
  std::vector<std::string> framework_ids_, attribute_ids_, exit_ids_;
  std::string last_framework_id_;
  std::uint32_t last_framework_slot_ = 0;
  DateOrder date_order_ = DateOrder::Iso;
  // Bit per DateOrder: the orders that would read every non-ISO date refused so far.
  static constexpr unsigned kAnyDateOrder = ~0u;
  unsigned spreadsheet_date_orders_ = kAnyDateOrder;
  std::string last_date_text_;
  Date last_date_{};
  StringIndex people_index_;
  std::vector<std::string> people_;
  std::uint32_t last_person_ = ~std::uint32_t{0};  // the last person_index answered
  std::vector<bool> bad_people_;
  std::function<std::string(std::string_view)> refused_;
  std::vector<std::optional<std::string>> refused_why_;  // by person slot, once asked
  std::vector<std::uint32_t> also_check_;
  StringIndex text_index_;
  std::vector<std::string> texts_ = {""};
};

// ---------------------------------------------------------------------------------------
// Reading rows from files (record_readers.cpp).

// Reads one file, yielding the entries of each record in turn.
class RowReader {
 public:
  virtual ~RowReader() = default;
  // The entries of the next record (0 for a blank or broken one); false at the end.
  virtual bool next(std::vector<RawRow>& rows) = 0;
  // Where a new fact's field is, for timeline problems.
  virtual std::string where_fact(const Checker& checker, std::uint64_t line, const Fact& f,
                                 Field field) const = 0;
};

// The framework of a wide file, after checking the options fit together; nullptr for a
// long file. Throws UsageError when they do not fit.
const Framework* check_options(const Workspace& ws, const ImportOptions& options);

// The reader of `in` for the options' format (long CSV, wide CSV or JSONL). Throws
// InvalidInput on a bad header.
std::unique_ptr<RowReader> open_reader(std::istream& in, const Workspace& ws,
                                       const ImportOptions& options, Problems& problems);

// ---------------------------------------------------------------------------------------
// Stored entries merged into the timelines (record_import.cpp).

// A stored entry as a timeline problem names it (its person is its fact's).
struct StoredBrief {
  std::int64_t id = 0;
  Date date;
  EntryKind kind = EntryKind::Note;
};

// What load_stored_facts gives back besides the facts.
struct StoredFacts {
  std::vector<StoredBrief> brief;  // id, date and kind of each, by fact order
  std::int64_t without_order = -1;  // the order the left-out entry had; -1 when not met
};

// Appends the stored entries of `people` as facts (in the store's order) to `facts`,
// leaving out entry `without` (0: none).
StoredFacts load_stored_facts(const JourneyStore& store, Checker& checker,
                              const std::vector<std::string>& people, std::int64_t without,
                              std::vector<Fact>& facts);

// Puts `facts` in timeline order (timeline_before) when its first `fresh` facts already are
// and load_stored_facts appended the rest (person by person, each in date and recording
// order, the people in the store's order): the people's runs are ordered and merged with
// the fresh facts, which is linear in the facts where sorting them is not. `spare` is
// working room, reused from call to call.
void merge_stored_facts(std::vector<Fact>& facts, std::size_t fresh, std::vector<Fact>& spare);

// Names a stored fact as "stored entry ID (PERSON DATE KIND)" from load_stored_facts'
// brief list and the checker's people (which must both outlive the result).
DescribeStored stored_describer(const std::vector<StoredBrief>& brief, const Checker& checker);

// ---------------------------------------------------------------------------------------
// Rows already stored, matched by content (record_import.cpp).

// What makes two entries the same fact, as 128 bits: person, date, kind, framework,
// measure, value, status and text (line breaks compared as LF). Who recorded it, the ref,
// the framework's version and any correction are left out: a re-saved export of the same
// facts matches whoever typed them.
struct ContentKey {
  std::uint64_t high = 0;
  std::uint64_t low = 0;
  friend bool operator==(const ContentKey&, const ContentKey&) = default;
  friend auto operator<=>(const ContentKey&, const ContentKey&) = default;
};
// The content key of `entry`; `scratch` is reused between calls to spare allocations.
ContentKey content_key(const NewEntry& entry, std::string& scratch);

// The stored current entries of the people a file names, as a multiset of content keys
// per person: each stored entry can match one row of a file, so a file with two identical
// rows where the store holds one adds one. A person's entries are read on their first
// lookup only, so an import reads no more of the store than the people it names.
class StoredContents {
 public:
  // Reads nothing yet; `store` must outlive this.
  explicit StoredContents(const JourneyStore& store) : store_(store) {}
  // True, using one stored entry up, when an unused current stored entry of `entry`'s
  // person has this key; `person` numbers that person (the checker's dense numbering).
  bool take(std::uint32_t person, const NewEntry& entry, const ContentKey& key);

 private:
  struct Person {
    bool loaded = false;
    std::vector<ContentKey> keys;  // sorted
    std::vector<bool> used;
  };
  const JourneyStore& store_;
  std::vector<Person> people_;
  std::string scratch_;
};

// ---------------------------------------------------------------------------------------
// Refs given twice within one file (record_import.cpp).

// Collects the refs of a file's rows and finds those given on more than one row,
// comparing the refs themselves (their hashes only order the search). Held in memory until
// set aside: then in scratch files by ranges of hashes, so that every copy of a ref is in
// one file and the files, read in turn, give the repeats in the same order.
class RefList {
 public:
  using Hash = std::uint64_t (*)(std::string_view);
  // The hash used unless another is given (a test forces collisions with its own).
  static std::uint64_t default_hash(std::string_view ref);

  explicit RefList(Hash hash = default_hash) : hash_(hash) {}
  void add(std::string_view ref, std::uint64_t line) {
    const std::uint64_t hash = hash_(ref);
    if (parts_.empty()) {
      refs_.push_back({hash, line, text_.size(), static_cast<std::uint32_t>(ref.size())});
      text_ += ref;
    } else {
      set_aside(hash, line, ref);
    }
  }
  bool empty() const { return refs_.empty() && parts_.empty(); }
  // The bytes of the refs held in memory.
  std::size_t held_bytes() const { return refs_.size() * sizeof(Ref) + text_.size(); }
  // Sets the refs held, and every ref added from now on, aside in `parts` scratch files.
  void set_aside(std::size_t parts);

  struct Repeat {
    std::uint64_t line;   // the row repeating a ref
    std::uint64_t first;  // the first row with that ref
  };
  // Gives every row whose ref an earlier row already has, with that first row, ordered by
  // the refs' hashes and then by line. Frees the list.
  void take_repeats(const std::function<void(const Repeat&)>& repeat);

 private:
  struct Ref {
    std::uint64_t hash;
    std::uint64_t line;
    std::uint64_t offset;  // into text_
    std::uint32_t size;
  };
  void set_aside(std::uint64_t hash, std::uint64_t line, std::string_view ref);
  // Gives the repeats among the refs held, then frees them.
  void repeats_held(const std::function<void(const Repeat&)>& repeat);

  Hash hash_;
  std::vector<Ref> refs_;
  std::string text_;
  std::vector<std::unique_ptr<ScratchFile>> parts_;  // by range of hashes; empty: in memory
};

// ---------------------------------------------------------------------------------------
// What an import holds in memory (record_import.cpp).

// How much of an import's bookkeeping is held in memory before the rest is set aside in
// scratch files; the defaults keep an import of any size well under 200 MB.
struct ImportMemory {
  std::size_t facts = std::size_t{1} << 20;       // facts held before they are set aside
  std::size_t ref_bytes = std::size_t{32} << 20;  // bytes of refs held before they are
  std::size_t parts = 0;  // the scratch files of each when set aside; 0: from the file's size
  std::size_t people_per_read = 256;  // people whose stored entries are read at once, at first
};

// import_entries, holding no more than `memory` says.
ImportResult import_entries_within(const Workspace& workspace, JourneyStore& store,
                                   const ImportOptions& options, const ImportMemory& memory);

}  // namespace outcomes::record_detail
