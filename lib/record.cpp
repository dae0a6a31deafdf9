#include "record.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <fstream>
#include <future>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "csv.h"
#include "error.h"
#include "framework.h"
#include "suggest.h"

namespace outcomes {
namespace {

constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "person", "date", "kind", "framework", "measure", "value", "status", "text", "by", "ref"};

constexpr std::size_t idx(Field f) {
  return static_cast<std::size_t>(f);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "a, b or c".
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

template <typename List>
std::vector<std::string> to_strings(const List& items) {
  std::vector<std::string> out;
  for (const auto& item : items) out.emplace_back(item);
  return out;
}

std::optional<int> parse_whole(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using StringIndex = std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>>;

std::uint32_t intern(StringIndex& index, std::vector<std::string>& names, std::string_view s) {
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

// Where a problem is: "file:line:column: column-name" (or the option name for flags).
std::string where(const std::string& source, const RawRow& row, Field f) {
  auto i = idx(f);
  if (source.empty()) return std::string(row.label[i]);
  if (row.column[i] != 0)
    return fmt::format("{}:{}:{}: {}", source, row.line, row.column[i], row.label[i]);
  return fmt::format("{}:{}: {}", source, row.line, row.label[i]);
}

// Every problem found, kept in file order; listing stops at a limit.
class Problems {
 public:
  void add(std::uint64_t line, std::uint32_t column, std::string text) {
    ++total_;
    if (kept_.size() < kKeep) kept_.push_back({line, column, std::move(text)});
  }
  std::size_t total() const { return total_; }
  bool empty() const { return total_ == 0; }
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
constexpr std::uint32_t kNewOrder = 1u << 31;

std::uint64_t make_key(std::uint32_t framework, std::uint32_t measure, std::uint32_t text) {
  return (static_cast<std::uint64_t>(framework) << 48) |
         (static_cast<std::uint64_t>(measure) << 32) | text;
}
std::uint32_t key_framework(std::uint64_t key) {
  return static_cast<std::uint32_t>(key >> 48);
}
std::uint32_t key_measure(std::uint64_t key) {
  return static_cast<std::uint32_t>((key >> 32) & 0xffff);
}
std::uint32_t key_text(std::uint64_t key) {
  return static_cast<std::uint32_t>(key & 0xffffffff);
}

// ---------------------------------------------------------------------------------------
// The checker: validates rows against the workspace, and timelines against the rules.

struct FrameworkIndex {
  const Framework* framework = nullptr;
  std::unordered_map<std::string, std::uint16_t, StringHash, std::equal_to<>> measures;  // 1-based
  std::vector<std::string> status_ids;
  bool has_items = false;
};

class Checker {
 public:
  Checker(const Workspace& ws, Date today, std::string source, Problems& problems)
      : ws_(ws), today_(today), source_(std::move(source)), problems_(problems) {
    for (const auto& fw : ws.frameworks) {
      FrameworkIndex fi;
      fi.framework = &fw;
      for (std::size_t m = 0; m < fw.measures.size(); ++m) {
        fi.measures.emplace(fw.measures[m].id, static_cast<std::uint16_t>(m + 1));
        if (fw.measures[m].type == MeasureType::Scale) fi.has_items = true;
      }
      for (const auto& s : fw.statuses) fi.status_ids.push_back(s.id);
      frameworks_.push_back(std::move(fi));
      framework_ids_.push_back(fw.id);
    }
    for (const auto& a : ws.settings.attributes) attribute_ids_.push_back(a.id);
    for (const auto& r : ws.settings.exit_reasons) exit_ids_.push_back(r.id);
  }

  const std::string& source() const { return source_; }
  std::size_t people_count() const { return people_.size(); }
  const std::string& person(std::uint32_t i) const { return people_[i]; }
  const std::vector<std::string>& people() const { return people_; }
  bool person_has_problem(std::uint32_t i) const {
    return i < bad_people_.size() && bad_people_[i];
  }
  // Checks this person's timeline even when it holds no new entry (a correction moved
  // an entry away from it).
  void also_check(std::uint32_t i) { also_check_.push_back(i); }
  std::uint32_t person_index(std::string_view ref) {
    auto i = intern(people_index_, people_, ref);
    if (bad_people_.size() < people_.size()) bad_people_.resize(people_.size(), false);
    return i;
  }
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

  // Validates one row. On success fills `fact` and, when given, `entry`, and returns true;
  // otherwise reports every problem of the row and returns false.
  bool check(const RawRow& row, Fact& fact, NewEntry* entry);

  // The fact of an entry already stored (for merging timelines).
  Fact stored_fact(const Entry& e, std::uint32_t order);

  // Checks every person's timeline in date order. Only people with a new fact and no
  // row problem are checked. `describe_stored(i)` names the stored fact at order i.
  void check_timelines(std::vector<Fact>& facts,
                       const std::function<std::string(const Fact&, Field)>& where_new,
                       const std::function<std::string(const Fact&)>& describe_stored);

 private:
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

  const Workspace& ws_;
  Date today_;
  std::string source_;
  Problems& problems_;
  std::vector<FrameworkIndex> frameworks_;
  std::vector<std::string> framework_ids_, attribute_ids_, exit_ids_;
  std::string last_framework_id_;
  std::uint32_t last_framework_slot_ = 0;
  std::string last_date_text_;
  Date last_date_{};
  StringIndex people_index_;
  std::vector<std::string> people_;
  std::vector<bool> bad_people_;
  std::vector<std::uint32_t> also_check_;
  StringIndex text_index_;
  std::vector<std::string> texts_ = {""};
};

// Which fields each kind uses: required, optional or not used.
enum class Use : std::uint8_t { No, Optional, Required };

struct KindRule {
  Use framework, measure, value, status, text;
};

KindRule rule_for(EntryKind kind) {
  using enum Use;
  switch (kind) {
    case EntryKind::Enrol:
      return {No, No, No, No, Optional};
    case EntryKind::Exit:
      return {No, No, No, Required, Optional};
    case EntryKind::Contact:
      return {No, No, No, Required, Optional};
    case EntryKind::Assessment:
      return {Required, Required, Required, No, No};
    case EntryKind::Status:
      return {Required, Required, No, Required, Optional};
    case EntryKind::Need:
      return {Required, Required, No, Required, Required};
    case EntryKind::Milestone:
      return {Required, Required, No, Required, Optional};
    case EntryKind::Signal:
      return {Required, Required, No, No, Optional};
    case EntryKind::Goal:
      return {Required, Required, Optional, Required, Optional};
    case EntryKind::Note:
      return {No, No, No, Required, Required};
    case EntryKind::Attribute:
      return {No, Required, No, Required, No};
  }
  return {};
}

std::string_view measure_type_name(MeasureType t) {
  switch (t) {
    case MeasureType::Status:
      return "status measure";
    case MeasureType::Scale:
      return "scale item";
    case MeasureType::Milestone:
      return "milestone";
    case MeasureType::Signal:
      return "signal";
    case MeasureType::Goal:
      return "goal measure";
  }
  return "measure";
}

std::string allowed_values(const Measure& m) {
  if (!m.values.empty())
    return "one of " + join_or(to_strings([&] {
             std::vector<std::string> v;
             for (int x : m.values) v.push_back(std::to_string(x));
             return v;
           }()));
  return fmt::format("a whole number from {} to {}", m.min, m.max);
}

template <std::size_t N>
State find_state(std::string_view status, const std::string_view (&set)[N], State first) {
  for (std::size_t i = 0; i < N; ++i)
    if (set[i] == status) return static_cast<State>(static_cast<int>(first) + static_cast<int>(i));
  return State::None;
}

bool Checker::check(const RawRow& row, Fact& fact, NewEntry* entry) {
  bool ok = true;
  auto bad = [&](Field f, std::string message) {
    problem(row, f, std::move(message));
    ok = false;
  };
  auto get = [&](Field f) { return trim(row.value[idx(f)]); };

  // person
  std::string_view person = get(Field::Person);
  std::optional<std::uint32_t> person_slot;
  if (person.empty())
    bad(Field::Person, "missing; expected the person's reference (a pseudonym such as P017)");
  else if (!valid_person_ref(person))
    bad(Field::Person, fmt::format("'{}' is not a person reference; expected 1-64 letters, digits, "
                                   "'-', '_' or '.' (a pseudonym, never a name)",
                                   person));
  else
    person_slot = person_index(person);

  // date
  std::string_view date_text = get(Field::Date);
  Date date{};
  if (date_text.empty()) {
    bad(Field::Date, "missing; expected a date YYYY-MM-DD");
  } else if (date_text == last_date_text_) {
    date = last_date_;
  } else if (auto d = parse_date(date_text)) {
    date = *d;
    if (date > today_) {
      bad(Field::Date, fmt::format("'{}' is after today ({}); expected a date on or before today",
                                   date_text, format_date(today_)));
    } else {
      last_date_text_ = date_text;
      last_date_ = date;
    }
  } else {
    bad(Field::Date, fmt::format("'{}' is not a date; expected YYYY-MM-DD", date_text));
  }

  // kind
  std::string_view kind_text = get(Field::Kind);
  auto kind = parse_entry_kind(kind_text);
  if (!kind) {
    std::vector<std::string> kinds;
    for (int k = 0; k < kEntryKindCount; ++k)
      kinds.emplace_back(to_string(static_cast<EntryKind>(k)));
    if (kind_text.empty())
      bad(Field::Kind, "missing; expected " + join_or(kinds));
    else
      bad(Field::Kind, fmt::format("'{}' is not an entry kind; expected {}{}", kind_text,
                                   join_or(kinds), did_you_mean(kind_text, kinds)));
    if (person_slot) bad_people_[*person_slot] = true;
    return false;
  }
  const KindRule rule = rule_for(*kind);
  const std::string_view kind_name = to_string(*kind);

  auto check_use = [&](Field f, Use use, std::string_view what) {
    std::string_view v = get(f);
    if (use == Use::No && !v.empty())
      bad(f, fmt::format("'{}' is not used by a '{}' entry; expected it empty", v, kind_name));
    else if (use == Use::Required && v.empty())
      bad(f, fmt::format("missing; a '{}' entry needs {}", kind_name, what));
    return use != Use::No && !v.empty();
  };

  // framework
  std::uint32_t fw_slot = 0;
  const FrameworkIndex* fwi = nullptr;
  if (check_use(Field::Framework, rule.framework, "a framework id")) {
    std::string_view id = get(Field::Framework);
    fw_slot = framework_slot(id);
    if (fw_slot == 0) {
      bad(Field::Framework,
          fmt::format("'{}' is not a framework of this workspace; expected {}{}", id,
                      framework_ids_.empty() ? std::string("a framework in frameworks/")
                                             : join_or(framework_ids_),
                      did_you_mean(id, framework_ids_)));
    } else {
      fwi = &frameworks_[fw_slot - 1];
      if (*kind == EntryKind::Assessment && !fwi->has_items) {
        bad(Field::Framework, fmt::format("'{}' has no scale items; expected a framework with "
                                          "items for an 'assessment' entry",
                                          id));
        fwi = nullptr;
      } else if (*kind == EntryKind::Goal && !fwi->framework->is_goal_framework()) {
        bad(Field::Framework, fmt::format("'{}' is not a goal framework (it has no goal_scale); "
                                          "expected a framework of person-led goals",
                                          id));
        fwi = nullptr;
      }
    }
  }

  // measure
  const Measure* measure = nullptr;
  std::uint32_t measure_slot = 0;
  std::string_view measure_text = get(Field::Measure);
  const AttributeDef* attribute = nullptr;
  const char* measure_what = *kind == EntryKind::Assessment  ? "an item id"
                             : *kind == EntryKind::Goal      ? "a goal key"
                             : *kind == EntryKind::Attribute ? "an attribute name"
                                                             : "a measure id";
  if (check_use(Field::Measure, rule.measure, measure_what)) {
    if (*kind == EntryKind::Attribute) {
      attribute = ws_.settings.find_attribute(measure_text);
      if (!attribute)
        bad(Field::Measure,
            fmt::format("'{}' is not an attribute of this workspace (outcomes.yaml); expected {}{}",
                        measure_text,
                        attribute_ids_.empty() ? std::string("none: no attributes are declared")
                                               : join_or(attribute_ids_),
                        did_you_mean(measure_text, attribute_ids_)));
    } else if (fwi) {
      const Framework& fw = *fwi->framework;
      MeasureType want = MeasureType::Status;
      switch (*kind) {
        case EntryKind::Assessment:
          want = MeasureType::Scale;
          break;
        case EntryKind::Milestone:
          want = MeasureType::Milestone;
          break;
        case EntryKind::Signal:
          want = MeasureType::Signal;
          break;
        case EntryKind::Goal:
          want = MeasureType::Goal;
          break;
        default:
          want = MeasureType::Status;
          break;
      }
      std::vector<std::string> fitting;
      for (const auto& m : fw.measures)
        if (m.type == want) fitting.push_back(m.id);
      auto it = fwi->measures.find(measure_text);
      if (it != fwi->measures.end()) {
        measure = &fw.measures[it->second - 1];
        measure_slot = it->second;
      }
      if (*kind == EntryKind::Goal) {
        // A goal key is the service's own name for one of the person's goals.
        if (measure && measure->type != MeasureType::Goal) {
          bad(Field::Measure, fmt::format("'{}' is a {} of '{}', not a goal key; expected a key "
                                          "of your own for this goal (letters, digits, '-', "
                                          "'_' or '.')",
                                          measure_text, measure_type_name(measure->type), fw.id));
        } else if (!valid_person_ref(measure_text)) {
          bad(Field::Measure, fmt::format("'{}' is not a goal key; expected 1-64 letters, digits, "
                                          "'-', '_' or '.'",
                                          measure_text));
        } else {
          measure_slot = 0;
          for (std::size_t m = 0; m < fw.measures.size(); ++m)
            if (fw.measures[m].type == MeasureType::Goal) {
              measure_slot = static_cast<std::uint32_t>(m + 1);
              break;
            }
        }
        measure = nullptr;
      } else if (!measure) {
        std::string noun(measure_type_name(want));
        bad(Field::Measure,
            fitting.empty()
                ? fmt::format("'{}' is not a measure of '{}', which has no {}s", measure_text,
                              fw.id, noun)
                : fmt::format("'{}' is not a {} of '{}'; expected {}{}", measure_text, noun, fw.id,
                              join_or(fitting), did_you_mean(measure_text, fitting)));
      } else if (measure->type != want) {
        bad(Field::Measure,
            fmt::format("'{}' is a {} of '{}', not a {}; expected {}", measure_text,
                        measure_type_name(measure->type), fw.id, measure_type_name(want),
                        fitting.empty() ? fmt::format("another framework ('{}' has no {}s)", fw.id,
                                                      measure_type_name(want))
                                        : join_or(fitting)));
        measure = nullptr;
      }
    }
  }

  // value
  std::optional<int> value;
  std::string_view value_text = get(Field::Value);
  if (check_use(Field::Value, rule.value, "a score")) {
    value = parse_whole(value_text);
    if (*kind == EntryKind::Assessment) {
      if (measure && (!value || !measure->allows(*value)))
        bad(Field::Value, fmt::format("'{}' is not a score of item '{}'; expected {}", value_text,
                                      measure->id, allowed_values(*measure)));
      else if (!value)
        bad(Field::Value,
            fmt::format("'{}' is not a whole number; expected an item score", value_text));
    } else if (*kind == EntryKind::Goal && fwi) {
      const GoalScale& gs = *fwi->framework->goal_scale;
      if (!value || *value < gs.min || *value > gs.max)
        bad(Field::Value,
            fmt::format("'{}' is not a goal attainment; expected a whole number from {} to {}",
                        value_text, gs.min, gs.max));
    } else if (!value) {
      bad(Field::Value, fmt::format("'{}' is not a whole number", value_text));
    }
  }

  // status
  std::string_view status = get(Field::Status);
  State state = State::None;
  const char* status_what = "";
  switch (*kind) {
    case EntryKind::Exit:
      status_what = "an exit reason";
      break;
    case EntryKind::Contact:
      status_what = "the contact type";
      break;
    case EntryKind::Status:
      status_what = "a status";
      break;
    case EntryKind::Need:
      status_what = "open or met";
      break;
    case EntryKind::Milestone:
      status_what = "start or end";
      break;
    case EntryKind::Goal:
      status_what = "set, review or close";
      break;
    case EntryKind::Note:
      status_what = "shareable or private (whether reports may quote it)";
      break;
    case EntryKind::Attribute:
      status_what = "the attribute's value";
      break;
    default:
      break;
  }
  if (check_use(Field::Status, rule.status, status_what)) {
    auto reject = [&](std::string_view what, const std::vector<std::string>& allowed) {
      bad(Field::Status,
          fmt::format("'{}' is not {}; expected {}{}", status, what,
                      allowed.empty() ? std::string("(none declared)") : join_or(allowed),
                      did_you_mean(status, allowed)));
    };
    switch (*kind) {
      case EntryKind::Exit:
        if (!ws_.settings.find_exit_reason(status))
          reject("an exit reason of this workspace (outcomes.yaml)", exit_ids_);
        break;
      case EntryKind::Contact:
        if (std::find(std::begin(kContactStatuses), std::end(kContactStatuses), status) ==
            std::end(kContactStatuses))
          reject("a contact type", to_strings(kContactStatuses));
        break;
      case EntryKind::Status:
        if (fwi && !fwi->framework->find_status(status))
          reject(fmt::format("a status of '{}'", fwi->framework->id), fwi->status_ids);
        break;
      case EntryKind::Need:
        state = find_state(status, kNeedStatuses, State::Open);
        if (state == State::None) reject("a need state", to_strings(kNeedStatuses));
        break;
      case EntryKind::Milestone:
        state = find_state(status, kMilestoneStatuses, State::Start);
        if (state == State::None) reject("a milestone event", to_strings(kMilestoneStatuses));
        break;
      case EntryKind::Goal:
        state = find_state(status, kGoalStatuses, State::Set);
        if (state == State::None) reject("a goal event", to_strings(kGoalStatuses));
        break;
      case EntryKind::Note:
        if (status != "shareable" && status != "private")
          reject("a note's consent", to_strings(kNoteStatuses));
        break;
      case EntryKind::Attribute:
        if (attribute && std::find(attribute->values.begin(), attribute->values.end(), status) ==
                             attribute->values.end())
          reject(fmt::format("a value of attribute '{}'", attribute->id), attribute->values);
        break;
      default:
        break;
    }
  }
  if (*kind == EntryKind::Goal && (state == State::Review || state == State::Close) &&
      value_text.empty())
    bad(Field::Value, fmt::format("missing; a goal '{}' needs the attainment reached", status));

  // text
  std::string_view text = get(Field::Text);
  Use text_use = rule.text;
  if (*kind == EntryKind::Goal && state == State::Set) text_use = Use::Required;
  const char* text_what = *kind == EntryKind::Need
                              ? "the need, in words (a 'met' names the open need it closes)"
                          : *kind == EntryKind::Goal ? "the goal in the person's own words"
                                                     : "the story";
  check_use(Field::Text, text_use, text_what);

  if (!ok) {
    if (person_slot) bad_people_[*person_slot] = true;
    return false;
  }

  fact.person = *person_slot;
  fact.date = date.days;
  fact.kind = *kind;
  fact.state = state;
  fact.origin = Origin::New;
  fact.key = 0;
  switch (*kind) {
    case EntryKind::Assessment:
    case EntryKind::Milestone:
      fact.key = make_key(fw_slot, measure_slot, 0);
      break;
    case EntryKind::Need:
    case EntryKind::Goal:
      fact.key =
          make_key(fw_slot, measure_slot,
                   intern(text_index_, texts_, *kind == EntryKind::Need ? text : measure_text));
      break;
    default:
      break;
  }

  if (entry) {
    entry->person.assign(person);
    entry->date = date;
    entry->kind = *kind;
    if (fwi) {
      entry->framework = fwi->framework->id;
      entry->framework_hash = fwi->framework->content_hash;
      entry->framework_version = fwi->framework->version;
    } else {
      entry->framework.clear();
      entry->framework_hash.clear();
      entry->framework_version.clear();
    }
    entry->measure.assign(measure_text);
    entry->value = value;
    if (*kind == EntryKind::Goal && state == State::Set && !value)
      entry->value = fwi->framework->goal_scale->baseline;
    entry->status.assign(status);
    entry->text.assign(text);
    entry->by.assign(get(Field::By));
    entry->ref.assign(get(Field::Ref));
  }
  return true;
}

Fact Checker::stored_fact(const Entry& e, std::uint32_t order) {
  Fact f;
  f.person = person_index(e.person);
  f.date = e.date.days;
  f.kind = e.kind;
  f.order = order;
  f.origin = Origin::Stored;
  std::uint32_t fw = e.framework.empty() ? 0 : framework_slot(e.framework);
  std::uint32_t m = 0;
  if (fw) {
    const auto& fi = frameworks_[fw - 1];
    if (auto it = fi.measures.find(e.measure); it != fi.measures.end()) m = it->second;
    if (e.kind == EntryKind::Goal)
      for (std::size_t i = 0; i < fi.framework->measures.size(); ++i)
        if (fi.framework->measures[i].type == MeasureType::Goal)
          m = static_cast<std::uint32_t>(i + 1);
  }
  switch (e.kind) {
    case EntryKind::Need:
      f.state = find_state(e.status, kNeedStatuses, State::Open);
      if (fw && m) f.key = make_key(fw, m, intern(text_index_, texts_, trim(e.text)));
      break;
    case EntryKind::Milestone:
      f.state = find_state(e.status, kMilestoneStatuses, State::Start);
      if (fw && m) f.key = make_key(fw, m, 0);
      break;
    case EntryKind::Goal:
      f.state = find_state(e.status, kGoalStatuses, State::Set);
      if (fw && m) f.key = make_key(fw, m, intern(text_index_, texts_, e.measure));
      break;
    case EntryKind::Assessment:
      if (fw && m) f.key = make_key(fw, m, 0);
      break;
    default:
      break;
  }
  return f;
}

void Checker::check_timelines(std::vector<Fact>& facts,
                              const std::function<std::string(const Fact&, Field)>& where_new,
                              const std::function<std::string(const Fact&)>& describe_stored) {
  std::sort(facts.begin(), facts.end(), [](const Fact& a, const Fact& b) {
    if (a.person != b.person) return a.person < b.person;
    if (a.date != b.date) return a.date < b.date;
    return a.order < b.order;
  });
  auto report = [&](const Fact& f, Field field, const std::string& message) {
    if (f.origin == Origin::New) {
      std::uint64_t line = f.order >= kNewOrder ? f.order - kNewOrder : 0;
      problems_.add(line, static_cast<std::uint32_t>(idx(field)) + 1,
                    fmt::format("{}: {}", where_new(f, field), message));
    } else {
      problems_.add(std::numeric_limits<std::uint64_t>::max(), 0,
                    fmt::format("{}{} no longer fits: {}", source_.empty() ? "" : source_ + ": ",
                                describe_stored(f), message));
    }
  };
  auto day = [](std::int32_t d) { return format_date(Date{d}); };
  auto measure_name = [&](std::uint64_t key) {
    const Framework* fw = framework_at(key_framework(key));
    const Measure* m = measure_at(key);
    return fmt::format("{}/{}", fw ? fw->id : "?", m ? m->id : "?");
  };

  struct Held {
    std::uint64_t key;
    std::int32_t date;
  };
  std::vector<Held> needs, milestones, goals;
  std::vector<std::uint64_t> occasion_items;
  auto find = [](std::vector<Held>& v, std::uint64_t key) {
    return std::find_if(v.begin(), v.end(), [&](const Held& h) { return h.key == key; });
  };
  auto texts_of = [&](const std::vector<Held>& v, std::uint64_t like) {
    std::vector<std::string> out;
    for (const auto& h : v)
      if ((h.key >> 32) == (like >> 32)) out.push_back(text_at(h.key));
    return out;
  };

  for (std::size_t begin = 0; begin < facts.size();) {
    std::size_t end = begin;
    bool has_new = false;
    while (end < facts.size() && facts[end].person == facts[begin].person) {
      has_new |= facts[end].origin == Origin::New;
      ++end;
    }
    const std::uint32_t person = facts[begin].person;
    if (!has_new)
      has_new = std::find(also_check_.begin(), also_check_.end(), person) != also_check_.end();
    if (!has_new || person_has_problem(person)) {
      begin = end;
      continue;
    }
    std::optional<std::int32_t> first_enrol;
    for (std::size_t i = begin; i < end; ++i)
      if (facts[i].kind == EntryKind::Enrol) {
        first_enrol = facts[i].date;
        break;
      }
    bool open = false;
    std::int32_t opened = 0, closed = 0;
    bool ever_closed = false;
    needs.clear();
    milestones.clear();
    goals.clear();
    occasion_items.clear();
    std::int32_t occasion_date = std::numeric_limits<std::int32_t>::min();
    for (std::size_t i = begin; i < end; ++i) {
      const Fact& f = facts[i];
      if (f.kind != EntryKind::Enrol && (!first_enrol || f.date < *first_enrol))
        report(f, Field::Date,
               fmt::format("{} has no enrolment on or before {}; expected an 'enrol' entry first "
                           "(one in the same file counts)",
                           people_[person], day(f.date)));
      switch (f.kind) {
        case EntryKind::Enrol:
          if (open)
            report(f, Field::Kind,
                   fmt::format("'enrol' while an episode is open (enrolled on {}); expected an "
                               "'exit' first",
                               day(opened)));
          open = true;
          opened = f.date;
          break;
        case EntryKind::Exit:
          if (!open && (first_enrol && f.date >= *first_enrol))
            report(f, Field::Kind,
                   ever_closed ? fmt::format("'exit' with no open episode (the last one ended on "
                                             "{}); expected an 'enrol' before it",
                                             day(closed))
                               : std::string("'exit' with no open episode; expected an 'enrol' "
                                             "before it"));
          open = false;
          closed = f.date;
          ever_closed = true;
          break;
        case EntryKind::Need:
          if (f.key == 0) break;
          if (f.state == State::Open) {
            if (auto it = find(needs, f.key); it != needs.end())
              report(f, Field::Text,
                     fmt::format("need '{}' of {} is already open (opened on {}); expected it to "
                                 "be met before it is opened again",
                                 text_at(f.key), measure_name(f.key), day(it->date)));
            else
              needs.push_back({f.key, f.date});
          } else if (f.state == State::Met) {
            if (auto it = find(needs, f.key); it != needs.end()) {
              needs.erase(it);
            } else {
              auto open_texts = texts_of(needs, f.key);
              report(f, Field::Text,
                     fmt::format(
                         "'{}' is not an open need of {}; expected the text of an open "
                         "need{}{}",
                         text_at(f.key), measure_name(f.key),
                         open_texts.empty() ? std::string(" (none is open)")
                                            : " (open: '" +
                                                  [&] {
                                                    std::string s;
                                                    for (std::size_t k = 0; k < open_texts.size();
                                                         ++k)
                                                      s += (k ? "', '" : "") + open_texts[k];
                                                    return s;
                                                  }() +
                                                  "')",
                         did_you_mean(text_at(f.key), open_texts)));
            }
          }
          break;
        case EntryKind::Milestone:
          if (f.key == 0) break;
          if (f.state == State::Start) {
            if (auto it = find(milestones, f.key); it != milestones.end())
              report(f, Field::Status,
                     fmt::format("milestone {} is already running (started on {}); expected an "
                                 "'end' before a new 'start'",
                                 measure_name(f.key), day(it->date)));
            else
              milestones.push_back({f.key, f.date});
          } else if (f.state == State::End) {
            if (auto it = find(milestones, f.key); it != milestones.end())
              milestones.erase(it);
            else
              report(f, Field::Status,
                     fmt::format("milestone {} is not running; expected a 'start' before an 'end'",
                                 measure_name(f.key)));
          }
          break;
        case EntryKind::Goal: {
          if (f.key == 0) break;
          auto it = find(goals, f.key);
          if (f.state == State::Set) {
            if (it != goals.end())
              report(f, Field::Measure,
                     fmt::format("goal '{}' is already open (set on {}); expected it to be closed "
                                 "before it is set again",
                                 text_at(f.key), day(it->date)));
            else
              goals.push_back({f.key, f.date});
          } else if (it == goals.end()) {
            auto keys = texts_of(goals, f.key);
            report(f, Field::Measure,
                   fmt::format("goal '{}' is not open; expected a 'set' before a '{}'{}",
                               text_at(f.key), f.state == State::Review ? "review" : "close",
                               did_you_mean(text_at(f.key), keys)));
          } else if (f.state == State::Close) {
            goals.erase(it);
          }
          break;
        }
        case EntryKind::Assessment:
          if (f.key == 0) break;
          if (f.date != occasion_date) {
            occasion_items.clear();
            occasion_date = f.date;
          }
          if (std::find(occasion_items.begin(), occasion_items.end(), f.key) !=
              occasion_items.end())
            report(
                f, Field::Measure,
                fmt::format("a second score for item '{}' on {}; an occasion holds one score per "
                            "item (to change a score, correct the first entry with "
                            "'outcomes record --correct')",
                            measure_name(f.key), day(f.date)));
          else
            occasion_items.push_back(f.key);
          break;
        default:
          break;
      }
    }
    begin = end;
  }
}

// ---------------------------------------------------------------------------------------
// Reading rows from files.

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

class LongCsvReader : public RowReader {
 public:
  LongCsvReader(std::istream& in, const std::string& source, Problems& problems)
      : csv_(in), source_(source), problems_(problems) {
    std::vector<std::string_view> header;
    if (!csv_.next(header) || csv_.malformed()) {
      throw InvalidInput(
          fmt::format("{}: no header; expected the columns {}", source, join_or(kFieldNames)));
    }
    std::vector<std::string> names = to_strings(kFieldNames);
    std::vector<std::string> header_problems;
    for (std::size_t c = 0; c < header.size(); ++c) {
      std::string_view name = trim(header[c]);
      auto it = std::find(kFieldNames.begin(), kFieldNames.end(), name);
      if (it == kFieldNames.end()) {
        header_problems.push_back(
            fmt::format("{}:1:{}: header: '{}' is not a column of the entries CSV; expected {}{}",
                        source, c + 1, name, join_or(kFieldNames), did_you_mean(name, names)));
        continue;
      }
      auto f = static_cast<std::size_t>(it - kFieldNames.begin());
      if (template_.column[f] != 0) {
        header_problems.push_back(
            fmt::format("{}:1:{}: header: column '{}' appears twice (also "
                        "column {})",
                        source, c + 1, name, template_.column[f]));
        continue;
      }
      template_.column[f] = static_cast<std::uint32_t>(c + 1);
    }
    for (Field f : {Field::Person, Field::Date, Field::Kind})
      if (template_.column[idx(f)] == 0)
        header_problems.push_back(
            fmt::format("{}:1: header: the column '{}' is missing; every "
                        "entry needs a person, a date and a kind",
                        source, to_string(f)));
    if (!header_problems.empty()) {
      auto n = header_problems.size();
      throw InvalidInput(fmt::format("{} problem{} in the header of {}; nothing was written", n,
                                     n == 1 ? "" : "s", source),
                         std::move(header_problems));
    }
    width_ = header.size();
  }

  bool next(std::vector<RawRow>& rows) override {
    rows.clear();
    if (!csv_.next(fields_)) return false;
    if (csv_.malformed()) {
      problems_.add(csv_.problem_line(), static_cast<std::uint32_t>(csv_.problem_field()),
                    fmt::format("{}:{}:{}: malformed CSV: {}", source_, csv_.problem_line(),
                                csv_.problem_field(), csv_.problem()));
      return true;
    }
    if (fields_.size() == 1 && trim(fields_[0]).empty()) return true;  // a blank line
    if (fields_.size() != width_) {
      problems_.add(
          csv_.line(), 0,
          fmt::format("{}:{}: the row has {} field{}; expected {} as in the header", source_,
                      csv_.line(), fields_.size(), fields_.size() == 1 ? "" : "s", width_));
      return true;
    }
    RawRow& row = rows.emplace_back(template_);
    row.line = csv_.line();
    for (std::size_t f = 0; f < kFieldCount; ++f)
      if (row.column[f] != 0) row.value[f] = fields_[row.column[f] - 1];
    return true;
  }

  std::string where_fact(const Checker&, std::uint64_t line, const Fact&,
                         Field field) const override {
    RawRow row = template_;
    row.line = line;
    return where(source_, row, field);
  }

 private:
  CsvReader csv_;
  std::string source_;
  Problems& problems_;
  RawRow template_;
  std::size_t width_ = 0;
  std::vector<std::string_view> fields_;
};

class WideCsvReader : public RowReader {
 public:
  WideCsvReader(std::istream& in, const std::string& source, const Framework& fw,
                Problems& problems)
      : csv_(in), source_(source), framework_(fw), problems_(problems) {
    std::vector<std::string_view> header;
    if (!csv_.next(header) || csv_.malformed())
      throw InvalidInput(fmt::format("{}: no header; expected person, date and the item ids of {}",
                                     source, fw.id));
    std::vector<std::string> items;
    for (const auto* m : fw.items()) items.push_back(m->id);
    std::vector<std::string> names = items;
    for (auto n : {"person", "date", "by", "ref"}) names.emplace_back(n);
    std::vector<std::string> header_problems;
    for (std::size_t c = 0; c < header.size(); ++c) {
      auto col = static_cast<std::uint32_t>(c + 1);
      std::string name(trim(header[c]));
      header_names_.push_back(name);
      auto fixed = [&](Field f) {
        if (template_.column[idx(f)] != 0)
          header_problems.push_back(
              fmt::format("{}:1:{}: header: column '{}' appears twice", source, col, name));
        template_.column[idx(f)] = col;
      };
      if (name == "person") {
        fixed(Field::Person);
      } else if (name == "date") {
        fixed(Field::Date);
      } else if (name == "by") {
        fixed(Field::By);
      } else if (name == "ref") {
        fixed(Field::Ref);
      } else if (std::find(items.begin(), items.end(), name) != items.end()) {
        if (std::any_of(item_columns_.begin(), item_columns_.end(),
                        [&](const auto& ic) { return header_names_[ic - 1] == name; }))
          header_problems.push_back(
              fmt::format("{}:1:{}: header: item '{}' appears twice", source, col, name));
        item_columns_.push_back(col);
      } else {
        header_problems.push_back(fmt::format(
            "{}:1:{}: header: '{}' is not an item of '{}'; expected person, date, by, ref or the "
            "items {}{}",
            source, col, name, fw.id, join_or(items), did_you_mean(name, names)));
      }
    }
    for (Field f : {Field::Person, Field::Date})
      if (template_.column[idx(f)] == 0)
        header_problems.push_back(
            fmt::format("{}:1: header: the column '{}' is missing", source, to_string(f)));
    if (item_columns_.empty() && header_problems.empty())
      header_problems.push_back(
          fmt::format("{}:1: header: no item columns; expected item ids of '{}': {}", source, fw.id,
                      join_or(items)));
    if (!header_problems.empty()) {
      auto n = header_problems.size();
      throw InvalidInput(fmt::format("{} problem{} in the header of {}; nothing was written", n,
                                     n == 1 ? "" : "s", source),
                         std::move(header_problems));
    }
    template_.value[idx(Field::Kind)] = "assessment";
    template_.value[idx(Field::Framework)] = framework_.id;
    template_.label[idx(Field::Framework)] = "--framework";
    width_ = header.size();
  }

  bool next(std::vector<RawRow>& rows) override {
    rows.clear();
    if (!csv_.next(fields_)) return false;
    if (csv_.malformed()) {
      problems_.add(csv_.problem_line(), static_cast<std::uint32_t>(csv_.problem_field()),
                    fmt::format("{}:{}:{}: malformed CSV: {}", source_, csv_.problem_line(),
                                csv_.problem_field(), csv_.problem()));
      return true;
    }
    if (fields_.size() == 1 && trim(fields_[0]).empty()) return true;
    if (fields_.size() != width_) {
      problems_.add(
          csv_.line(), 0,
          fmt::format("{}:{}: the row has {} field{}; expected {} as in the header", source_,
                      csv_.line(), fields_.size(), fields_.size() == 1 ? "" : "s", width_));
      return true;
    }
    refs_.resize(item_columns_.size());
    std::string_view ref = template_.column[idx(Field::Ref)]
                               ? trim(fields_[template_.column[idx(Field::Ref)] - 1])
                               : std::string_view();
    for (std::size_t i = 0; i < item_columns_.size(); ++i) {
      auto col = item_columns_[i];
      std::string_view cell = fields_[col - 1];
      if (trim(cell).empty()) continue;
      RawRow& row = rows.emplace_back(template_);
      row.line = csv_.line();
      for (Field f : {Field::Person, Field::Date, Field::By})
        if (row.column[idx(f)]) row.value[idx(f)] = fields_[row.column[idx(f)] - 1];
      const std::string& item = header_names_[col - 1];
      row.value[idx(Field::Measure)] = item;
      row.value[idx(Field::Value)] = cell;
      row.column[idx(Field::Measure)] = row.column[idx(Field::Value)] = col;
      row.label[idx(Field::Measure)] = row.label[idx(Field::Value)] = item;
      if (!ref.empty()) {
        // Each item of a wide row is its own entry, so each gets its own ref.
        refs_[i].assign(ref);
        refs_[i] += '/';
        refs_[i] += item;
        row.value[idx(Field::Ref)] = refs_[i];
      }
    }
    return true;
  }

  std::string where_fact(const Checker& checker, std::uint64_t line, const Fact& f,
                         Field field) const override {
    RawRow row = template_;
    row.line = line;
    if (field == Field::Measure || field == Field::Value) {
      if (const Measure* m = checker.measure_at(f.key))
        for (auto col : item_columns_)
          if (header_names_[col - 1] == m->id) {
            row.column[idx(field)] = col;
            row.label[idx(field)] = header_names_[col - 1];
          }
    }
    return where(source_, row, field);
  }

 private:
  CsvReader csv_;
  std::string source_;
  const Framework& framework_;
  Problems& problems_;
  RawRow template_;
  std::vector<std::string> header_names_;
  std::vector<std::uint32_t> item_columns_;
  std::vector<std::string> refs_;
  std::size_t width_ = 0;
  std::vector<std::string_view> fields_;
};

class JsonlReader : public RowReader {
 public:
  JsonlReader(std::istream& in, const std::string& source, Problems& problems)
      : in_(in), source_(source), problems_(problems) {}

  bool next(std::vector<RawRow>& rows) override {
    rows.clear();
    if (!std::getline(in_, line_)) return false;
    ++line_number_;
    std::string_view text = line_;
    if (line_number_ == 1 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (trim(text).empty()) return true;
    nlohmann::json object;
    try {
      object = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
      std::string what = e.what();
      if (auto colon = what.find("]: "); colon != std::string::npos) what = what.substr(colon + 3);
      problems_.add(line_number_, 0,
                    fmt::format("{}:{}: invalid JSON: {}", source_, line_number_, what));
      return true;
    }
    if (!object.is_object()) {
      problems_.add(line_number_, 0,
                    fmt::format("{}:{}: expected a JSON object {{\"person\": …, \"date\": …, "
                                "\"kind\": …}}, got {}",
                                source_, line_number_, object.type_name()));
      return true;
    }
    RawRow& row = rows.emplace_back();
    row.line = line_number_;
    bool ok = true;
    std::vector<std::string> names = to_strings(kFieldNames);
    for (auto& value : values_) value.clear();
    for (auto& [key, v] : object.items()) {
      auto it = std::find(kFieldNames.begin(), kFieldNames.end(), key);
      if (it == kFieldNames.end()) {
        problems_.add(
            line_number_, 0,
            fmt::format("{}:{}: {}: not a key of an entry; expected {}{}", source_, line_number_,
                        key, join_or(kFieldNames), did_you_mean(key, names)));
        ok = false;
        continue;
      }
      auto f = static_cast<std::size_t>(it - kFieldNames.begin());
      if (v.is_string()) {
        values_[f] = v.get<std::string>();
      } else if (v.is_number_integer()) {
        values_[f] = v.dump();
      } else if (v.is_number_float()) {
        double d = v.get<double>();
        if (d == static_cast<double>(static_cast<long long>(d)) && d > -1e15 && d < 1e15)
          values_[f] = std::to_string(static_cast<long long>(d));
        else
          values_[f] = v.dump();
      } else if (v.is_null()) {
        values_[f].clear();
      } else {
        problems_.add(
            line_number_, 0,
            fmt::format("{}:{}: {}: expected a string{}, got {}", source_, line_number_, key,
                        f == idx(Field::Value) ? " or a number" : "", v.type_name()));
        ok = false;
      }
    }
    if (!ok) {
      rows.clear();
      return true;
    }
    for (std::size_t f = 0; f < kFieldCount; ++f) row.value[f] = values_[f];
    return true;
  }

  std::string where_fact(const Checker&, std::uint64_t line, const Fact&,
                         Field field) const override {
    RawRow row;
    row.line = line;
    return where(source_, row, field);
  }

 private:
  std::istream& in_;
  std::string source_;
  Problems& problems_;
  std::string line_;
  std::uint64_t line_number_ = 0;
  std::array<std::string, kFieldCount> values_;
};

// The framework of a wide file, after checking the options fit together.
const Framework* check_options(const Workspace& ws, const ImportOptions& options) {
  if (!options.wide) {
    if (!options.framework.empty())
      throw UsageError(
          "--framework with --from applies to --wide files only; a long file names "
          "the framework on each row");
    return nullptr;
  }
  if (options.framework.empty()) throw UsageError("--wide needs --framework ID (the scale)");
  if (options.format == InputFormat::Jsonl)
    throw UsageError("--wide reads CSV only; JSONL is always one entry per line");
  const Framework* fw = ws.find_framework(options.framework);
  if (!fw) {
    std::vector<std::string> ids;
    for (const auto& f : ws.frameworks) ids.push_back(f.id);
    throw UsageError(
        fmt::format("--framework: '{}' is not a framework of this workspace; "
                    "expected {}{}",
                    options.framework, join_or(ids), did_you_mean(options.framework, ids)));
  }
  if (fw->items().empty())
    throw UsageError(
        fmt::format("--framework: '{}' has no scale items; a wide file holds "
                    "scores of a scale",
                    fw->id));
  return fw;
}

std::unique_ptr<RowReader> open_reader(std::istream& in, const Workspace& ws,
                                       const ImportOptions& options, Problems& problems) {
  if (const Framework* fw = check_options(ws, options))
    return std::make_unique<WideCsvReader>(in, options.source, *fw, problems);
  if (options.format == InputFormat::Jsonl)
    return std::make_unique<JsonlReader>(in, options.source, problems);
  return std::make_unique<LongCsvReader>(in, options.source, problems);
}

std::ifstream open_input(const std::filesystem::path& file, const std::string& source) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(fmt::format("{}: cannot open: {}", source, std::strerror(errno)));
  return in;
}

// Stored entries of `people`, as facts (in the store's order), and their ids.
void load_stored_facts(const JourneyStore& store, Checker& checker,
                       const std::vector<std::string>& people, std::int64_t without,
                       std::vector<Fact>& facts, std::vector<Entry>* stored_info,
                       std::int64_t* without_order) {
  if (people.empty()) return;
  EntryQuery query;
  query.people = people;
  std::uint32_t order = 0;
  store.for_each_entry(query, [&](const Entry& e) {
    if (e.id == without) {
      if (without_order) *without_order = order++;
      return;
    }
    facts.push_back(checker.stored_fact(e, order++));
    if (stored_info) {
      Entry brief;
      brief.id = e.id;
      brief.person = e.person;
      brief.date = e.date;
      brief.kind = e.kind;
      stored_info->push_back(std::move(brief));
    }
  });
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
    for (auto& c : chunks_) {
      c.entries.resize(kChunk);
      free_.push_back(&c);
    }
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

  Chunk* take_free() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !free_.empty(); });
    Chunk* c = free_.back();
    free_.pop_back();
    c->size = 0;
    return c;
  }

  void hand_over() {
    sort(*filling_);  // here, on the reading thread, which has time to spare
    {
      std::lock_guard lock(mutex_);
      full_.push_back(filling_);
    }
    changed_.notify_all();
    filling_ = take_free();
  }

  // Ends the writing thread: after writing what was handed over, or at once (abandon).
  void stop(bool abandon) {
    if (!thread_.joinable()) return;
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
      abandoned_ = abandon;
    }
    changed_.notify_all();
    thread_.join();
  }

  void run() {
    for (;;) {
      Chunk* c = nullptr;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return closed_ || !full_.empty(); });
        if (full_.empty() || abandoned_) return;
        c = full_.front();
        full_.pop_front();
      }
      if (!error_) {
        try {
          write(*c);
        } catch (...) {
          error_ = std::current_exception();
        }
      }
      {
        std::lock_guard lock(mutex_);
        free_.push_back(c);
      }
      changed_.notify_all();
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
  std::array<Chunk, 3> chunks_;
  // Scratch for sort(), on the reading thread.
  static constexpr std::uint32_t kUnranked = ~std::uint32_t{0};
  std::vector<std::uint32_t> rank_;          // person -> rank in the chunk being sorted
  std::vector<std::uint32_t> chunk_people_;  // a row of each of its people
  std::vector<std::pair<std::uint64_t, std::uint32_t>> keys_;
  Chunk* filling_ = nullptr;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Chunk*> free_;
  std::deque<Chunk*> full_;
  bool closed_ = false;
  bool abandoned_ = false;
  std::exception_ptr error_;  // written by the writing thread, read after join
  std::uint64_t written_ = 0;
  std::thread thread_;
};

std::function<std::string(const Fact&)> stored_describer(const std::vector<Entry>& stored) {
  return [&stored](const Fact& f) {
    const Entry& e = stored[f.order];
    return fmt::format("stored entry {} ({} {} {})", e.id, e.person, format_date(e.date),
                       to_string(e.kind));
  };
}

}  // namespace

// ---------------------------------------------------------------------------------------

std::string_view to_string(Field field) {
  return kFieldNames[idx(field)];
}

bool valid_person_ref(std::string_view ref) {
  if (ref.empty() || ref.size() > 64) return false;
  for (char c : ref)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_' || c == '.'))
      return false;
  return true;
}

InputFormat input_format_for(const std::filesystem::path& file) {
  auto ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (ext == ".jsonl" || ext == ".ndjson" || ext == ".json") return InputFormat::Jsonl;
  return InputFormat::Csv;
}

void ContentDigest::update(std::string_view bytes) {
  sha_.update(bytes);
}

std::string ContentDigest::hex() const {
  return sha_.hex();
}

namespace {

// What a whole pass over a file finds: its digest and its number of lines, and, when asked
// for, its legacy digest ("" otherwise).
struct FileSurvey {
  std::string digest;
  std::string legacy_digest;
  std::uint64_t lines = 0;
};

// Stops early, with an incomplete survey, once `cancel` is set.
FileSurvey survey_file(const std::filesystem::path& file, const std::string& source,
                       bool with_legacy, const std::atomic<bool>& cancel) {
  std::ifstream in = open_input(file, source);
  ContentDigest digest;
  std::optional<LegacyFnv1a64> legacy;
  if (with_legacy) legacy.emplace();
  FileSurvey survey;
  std::vector<char> buffer(1 << 20);
  while (in && !cancel) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    std::string_view chunk(buffer.data(), static_cast<std::size_t>(in.gcount()));
    digest.update(chunk);
    if (legacy) legacy->update(chunk);
    survey.lines += static_cast<std::uint64_t>(std::count(chunk.begin(), chunk.end(), '\n'));
  }
  survey.digest = digest.hex();
  if (legacy) survey.legacy_digest = legacy->hex();
  return survey;
}

}  // namespace

ImportResult import_entries(const Workspace& workspace, JourneyStore& store,
                            const ImportOptions& options) {
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
  const bool store_has_entries = store.entry_count() > 0;
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
  // every row has been read.
  auto imported_under_legacy_digest = [&]() -> std::optional<ImportBatch> {
    if (!store_has_entries || !surveyed || surveyed->legacy_digest.empty()) return std::nullopt;
    auto batch = stored_view.batch_with_hash(surveyed->legacy_digest);
    if (batch && batch->rows == static_cast<std::int64_t>(result.rows)) return batch;
    return std::nullopt;
  };
  auto skipped_whole = [&](ImportBatch previous) {
    ImportResult skipped;
    skipped.dry_run = options.dry_run;
    skipped.already_imported = std::move(previous);
    return skipped;  // the transaction, if any, rolls back
  };
  std::unique_ptr<StoreTransaction> tx;
  std::optional<BulkWriter> writer;
  if (!options.dry_run) {
    tx = store.begin(true);
    ImportBatch batch;
    batch.source = options.source;
    batch.imported_at = options.recorded_at;
    result.batch = tx->add_batch(batch);
    writer.emplace(*tx, options.recorded_at, result.batch);
  }

  std::vector<Fact> facts;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> refs;  // (hash of a ref, line)
  std::vector<Entry> stored;
  {
    std::ifstream in = open_input(options.file, options.source);
    auto reader = open_reader(in, workspace, options, problems);
    // Room for a fact per line, guessed from the size (a row takes 20 bytes at least).
    if (!size_error)
      facts.reserve(
          static_cast<std::size_t>(std::min<std::uintmax_t>(file_size / 20 + 1, 1u << 26)));
    std::vector<RawRow> rows;
    std::uint64_t records = 0;
    Fact fact;
    NewEntry scratch;
    while (reader->next(rows)) {
      if ((++records & 0xffff) == 0) {
        if (auto previous = imported_before(false)) return skipped_whole(std::move(*previous));
        report_progress(ImportProgress::Phase::Checking, records);
      }
      for (const RawRow& row : rows) {
        ++result.rows;
        std::string_view ref = trim(row.value[idx(Field::Ref)]);
        if (!ref.empty()) {
          if (store_has_entries && stored_view.has_ref(std::string(ref))) {
            ++result.skipped;
            continue;
          }
          refs.emplace_back(std::hash<std::string_view>{}(ref), row.line);
        }
        // Valid entries go to the writer until the first problem; after that only checking
        // goes on, to list every problem.
        const bool writing = writer && problems.empty();
        if (checker.check(row, fact, writing ? &writer->slot() : &scratch)) {
          fact.order = kNewOrder + static_cast<std::uint32_t>(row.line);
          facts.push_back(fact);
          if (writing && problems.empty()) writer->keep(fact.person);
        }
      }
    }
    if (auto previous = imported_before(true)) return skipped_whole(std::move(*previous));
    if (auto previous = imported_under_legacy_digest())
      return skipped_whole(std::move(*previous));
    report_progress(ImportProgress::Phase::Checking, records);
    // A ref on two rows, found by sorting the refs' hashes (a flat list is a fraction of
    // the memory and time of a hash table of a million refs).
    std::sort(refs.begin(), refs.end());
    for (std::size_t first = 0, i = 1; i < refs.size(); ++i) {
      if (refs[i].first != refs[first].first) {
        first = i;
        continue;
      }
      problems.add(refs[i].second, 0,
                   fmt::format("{}: repeats the ref of line {}; expected each ref to name "
                               "one entry",
                               reader->where_fact(checker, refs[i].second, Fact{}, Field::Ref),
                               refs[first].second));
    }
    std::vector<std::pair<std::uint64_t, std::uint64_t>>().swap(refs);

    // Each person's timeline, merged with what the store held before.
    if (store_has_entries) {
      std::vector<std::string> people;
      for (std::uint32_t p = 0; p < checker.people_count(); ++p)
        if (!checker.person_has_problem(p)) people.push_back(checker.person(p));
      load_stored_facts(stored_view, checker, people, 0, facts, &stored, nullptr);
    }
    checker.check_timelines(
        facts,
        [&](const Fact& f, Field field) {
          return reader->where_fact(checker, f.order - kNewOrder, f, field);
        },
        stored_describer(stored));
  }
  problems.throw_if_any(options.source, options.max_problems, "nothing was written");
  result.added = result.rows - result.skipped;
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
  if (r.dry_run)
    return fmt::format("{}: {} valid, {} would be added{}; nothing written (dry run)", source,
                       rows(r.rows), rows(r.added), skipped);
  return fmt::format(
      "{}: {} added{}", source, rows(r.added),
      r.skipped ? fmt::format(", {} skipped (ref already stored)", r.skipped) : std::string());
}

// ---------------------------------------------------------------------------------------
// Entries from the command line, and corrections.

namespace {

RawRow row_from_input(const std::string (&fields)[kFieldCount],
                      const std::string (&labels)[kFieldCount], std::uint64_t index) {
  RawRow row;
  row.line = index;
  for (std::size_t f = 0; f < kFieldCount; ++f) {
    row.value[f] = fields[f];
    if (!labels[f].empty()) row.label[f] = labels[f];
  }
  return row;
}

// Validates new rows against the stored timelines of their people and writes them.
std::vector<std::int64_t> check_and_write(const Workspace& ws, JourneyStore& store,
                                          const std::vector<RawRow>& rows, Date today,
                                          const std::string& recorded_at, std::int64_t supersedes,
                                          const std::string& reason, bool* skipped,
                                          const std::string& previous_person = "") {
  Problems problems;
  Checker checker(ws, today, "", problems);
  if (!previous_person.empty()) checker.also_check(checker.person_index(previous_person));
  std::vector<Fact> facts;
  std::vector<NewEntry> entries(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    Fact fact;
    if (checker.check(rows[i], fact, &entries[i])) {
      fact.order = kNewOrder + static_cast<std::uint32_t>(i);
      facts.push_back(fact);
    }
  }
  if (problems.empty() && skipped && !entries.empty() && !entries.front().ref.empty() &&
      store.has_ref(entries.front().ref)) {
    *skipped = true;
    return {};
  }
  std::vector<Entry> stored;
  std::vector<std::string> people;
  for (std::uint32_t p = 0; p < checker.people_count(); ++p)
    if (!checker.person_has_problem(p)) people.push_back(checker.person(p));
  std::int64_t replaced_order = -1;
  load_stored_facts(store, checker, people, supersedes, facts, &stored, &replaced_order);
  // A correction keeps the place of the entry it corrects among entries of one date.
  if (supersedes != 0 && replaced_order >= 0)
    for (auto& f : facts)
      if (f.origin == Origin::New) f.order = static_cast<std::uint32_t>(replaced_order);
  // Stored facts are numbered without the replaced one; keep lookup by position working.
  if (supersedes != 0 && replaced_order >= 0) {
    std::vector<Entry> renumbered;
    renumbered.reserve(stored.size() + 1);
    for (std::size_t i = 0; i < stored.size(); ++i) {
      if (static_cast<std::int64_t>(i) == replaced_order) renumbered.emplace_back();
      renumbered.push_back(std::move(stored[i]));
    }
    stored = std::move(renumbered);
  }
  checker.check_timelines(
      facts,
      [&](const Fact& f, Field field) {
        std::size_t i = supersedes != 0 ? 0 : f.order - kNewOrder;
        return where("", rows[i], field);
      },
      [&](const Fact& f) {
        const Entry& e = stored[f.order];
        return fmt::format("stored entry {} ({} {} {})", e.id, e.person, format_date(e.date),
                           to_string(e.kind));
      });
  problems.throw_if_any(supersedes         ? "this correction"
                        : rows.size() == 1 ? "this entry"
                                           : "these entries",
                        50, "nothing was written");

  auto tx = store.begin();
  std::vector<std::int64_t> ids;
  for (auto& e : entries) {
    e.supersedes = supersedes;
    e.reason = reason;
    ids.push_back(tx->append(e, recorded_at));
  }
  tx->commit();
  return ids;
}

}  // namespace

RecordResult record_entries(const Workspace& workspace, JourneyStore& store,
                            const std::vector<EntryInput>& entries, const RecordOptions& options) {
  if (entries.empty()) throw UsageError("nothing to record");
  std::vector<RawRow> rows;
  for (std::size_t i = 0; i < entries.size(); ++i)
    rows.push_back(row_from_input(entries[i].fields, entries[i].labels, i));
  std::set<std::string> refs;
  for (const auto& e : entries) {
    const std::string& ref = e.fields[idx(Field::Ref)];
    if (!ref.empty() && !refs.insert(ref).second)
      throw UsageError(
          fmt::format("--ref '{}' would name several entries; give each entry its "
                      "own ref",
                      ref));
  }
  RecordResult result;
  result.ids = check_and_write(workspace, store, rows, options.today, options.recorded_at, 0, "",
                               &result.skipped);
  return result;
}

std::int64_t record_correction(const Workspace& workspace, JourneyStore& store,
                               const CorrectionInput& input, const RecordOptions& options) {
  auto old = store.entry(input.entry);
  if (!old) throw UsageError(fmt::format("--correct: there is no entry {}", input.entry));
  if (old->superseded) {
    std::int64_t by = 0;
    EntryQuery query;
    query.people = std::vector<std::string>{old->person};
    query.include_superseded = true;
    store.for_each_entry(query, [&](const Entry& e) {
      if (e.supersedes == input.entry) by = e.id;
    });
    throw UsageError(
        fmt::format("--correct: entry {} was already corrected{}; correct the "
                    "current version instead",
                    input.entry, by ? fmt::format(" by entry {}", by) : ""));
  }
  if (trim(input.reason).empty())
    throw UsageError("--reason: a correction needs a reason, e.g. --reason \"wrong date\"");

  std::string fields[kFieldCount];
  fields[idx(Field::Person)] = old->person;
  fields[idx(Field::Date)] = format_date(old->date);
  fields[idx(Field::Kind)] = std::string(to_string(old->kind));
  fields[idx(Field::Framework)] = old->framework;
  fields[idx(Field::Measure)] = old->measure;
  fields[idx(Field::Value)] = old->value ? std::to_string(*old->value) : "";
  fields[idx(Field::Status)] = old->status;
  fields[idx(Field::Text)] = old->text;
  fields[idx(Field::By)] = old->by;
  for (std::size_t f = 0; f < kFieldCount; ++f)
    if (input.fields[f]) fields[f] = *input.fields[f];
  if (input.fields[idx(Field::Ref)] && !input.fields[idx(Field::Ref)]->empty() &&
      store.has_ref(*input.fields[idx(Field::Ref)]))
    throw UsageError(fmt::format("--ref: '{}' is already stored on another entry",
                                 *input.fields[idx(Field::Ref)]));
  RawRow row = row_from_input(fields, input.labels, 0);
  auto ids = check_and_write(workspace, store, {row}, options.today, options.recorded_at,
                             input.entry, std::string(trim(input.reason)), nullptr, old->person);
  return ids.front();
}

}  // namespace outcomes
