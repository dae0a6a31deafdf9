// The checks of one row: the table of entry kinds (which columns each needs, forbids or
// takes optionally, and how its measure, value and status are validated) and the
// checker that applies it column by column.
#include <cctype>
#include <charconv>
#include <span>

#include "record_internal.h"
#include "suggest.h"

namespace outcomes::record_detail {

// Whether a kind uses a column: required, optional or not at all.
enum class Use : std::uint8_t { No, Optional, Required };

// What the framework column must name, beyond a framework of the workspace.
enum class FrameworkRule : std::uint8_t { Any, WithItems, GoalFramework };
// What the measure column names.
enum class MeasureRule : std::uint8_t { None, Measure, GoalKey, AttributeName };
// How the value column is read.
enum class ValueRule : std::uint8_t { WholeNumber, ItemScore, GoalAttainment };
// How the status column is validated.
enum class StatusRule : std::uint8_t {
  None,
  ExitReason,       // an exit reason of outcomes.yaml
  ContactType,      // kContactStatuses
  FrameworkStatus,  // a status of the row's framework
  NeedState,        // kNeedStatuses (events)
  MilestoneEvent,   // kMilestoneStatuses (events)
  GoalEvent,        // kGoalStatuses (events)
  NoteConsent,      // kNoteStatuses
  AttributeValue,   // a value of the named attribute
};
// What identifies the thing a fact is about, for the timeline rules.
enum class KeyRule : std::uint8_t { None, Measure, MeasureAndText, MeasureAndGoalKey };

struct KindRule {
  EntryKind kind;
  Use framework, measure, value, status, text;
  FrameworkRule framework_rule;
  MeasureRule measure_rule;
  MeasureType measure_type;  // what the measure must be, for MeasureRule::Measure
  ValueRule value_rule;
  StatusRule status_rule;
  KeyRule key_rule;
  // The events the status names (for need, milestone and goal), the first one's State.
  std::span<const std::string_view> events;
  State first_event;
  std::string_view event_noun;  // "a need state"
  // What a missing column should hold, in "a '<kind>' entry needs …".
  std::string_view measure_what, status_what, text_what;
};

namespace {

using enum Use;
constexpr std::string_view kMeasureId = "a measure id";
constexpr std::string_view kStory = "the story";

// One row per entry kind, in EntryKind order.
constexpr KindRule kKindRules[kEntryKindCount] = {
    {EntryKind::Enrol, No, No, No, No, Optional, FrameworkRule::Any, MeasureRule::None,
     MeasureType::Status, ValueRule::WholeNumber, StatusRule::None, KeyRule::None, {},
     State::None, "", kMeasureId, "", kStory},
    {EntryKind::Exit, No, No, No, Required, Optional, FrameworkRule::Any, MeasureRule::None,
     MeasureType::Status, ValueRule::WholeNumber, StatusRule::ExitReason, KeyRule::None, {},
     State::None, "", kMeasureId, "an exit reason", kStory},
    {EntryKind::Contact, No, No, No, Required, Optional, FrameworkRule::Any, MeasureRule::None,
     MeasureType::Status, ValueRule::WholeNumber, StatusRule::ContactType, KeyRule::None, {},
     State::None, "", kMeasureId, "the contact type", kStory},
    {EntryKind::Assessment, Required, Required, Required, No, No, FrameworkRule::WithItems,
     MeasureRule::Measure, MeasureType::Scale, ValueRule::ItemScore, StatusRule::None,
     KeyRule::Measure, {}, State::None, "", "an item id", "", kStory},
    {EntryKind::Status, Required, Required, No, Required, Optional, FrameworkRule::Any,
     MeasureRule::Measure, MeasureType::Status, ValueRule::WholeNumber,
     StatusRule::FrameworkStatus, KeyRule::None, {}, State::None, "", kMeasureId, "a status",
     kStory},
    {EntryKind::Need, Required, Required, No, Required, Required, FrameworkRule::Any,
     MeasureRule::Measure, MeasureType::Status, ValueRule::WholeNumber, StatusRule::NeedState,
     KeyRule::MeasureAndText, kNeedStatuses, State::Open, "a need state", kMeasureId,
     "open or met", "the need, in words (a 'met' names the open need it closes)"},
    {EntryKind::Milestone, Required, Required, No, Required, Optional, FrameworkRule::Any,
     MeasureRule::Measure, MeasureType::Milestone, ValueRule::WholeNumber,
     StatusRule::MilestoneEvent, KeyRule::Measure, kMilestoneStatuses, State::Start,
     "a milestone event", kMeasureId, "start or end", kStory},
    {EntryKind::Signal, Required, Required, No, No, Optional, FrameworkRule::Any,
     MeasureRule::Measure, MeasureType::Signal, ValueRule::WholeNumber, StatusRule::None,
     KeyRule::None, {}, State::None, "", kMeasureId, "", kStory},
    {EntryKind::Goal, Required, Required, Optional, Required, Optional,
     FrameworkRule::GoalFramework, MeasureRule::GoalKey, MeasureType::Goal,
     ValueRule::GoalAttainment, StatusRule::GoalEvent, KeyRule::MeasureAndGoalKey, kGoalStatuses,
     State::Set, "a goal event", "a goal key", "set, review or close",
     "the goal in the person's own words"},
    {EntryKind::Note, No, No, No, Required, Required, FrameworkRule::Any, MeasureRule::None,
     MeasureType::Status, ValueRule::WholeNumber, StatusRule::NoteConsent, KeyRule::None, {},
     State::None, "", kMeasureId, "shareable or private (whether reports may quote it)", kStory},
    {EntryKind::Attribute, No, Required, No, Required, No, FrameworkRule::Any,
     MeasureRule::AttributeName, MeasureType::Status, ValueRule::WholeNumber,
     StatusRule::AttributeValue, KeyRule::None, {}, State::None, "", "an attribute name",
     "the attribute's value", kStory},
};

constexpr bool table_in_kind_order() {
  for (int k = 0; k < kEntryKindCount; ++k)
    if (kKindRules[k].kind != static_cast<EntryKind>(k)) return false;
  return true;
}
static_assert(table_in_kind_order(), "kKindRules must list the kinds in EntryKind order");

const KindRule& rule_of(EntryKind kind) {
  return kKindRules[static_cast<std::size_t>(kind)];
}

// The event `status` names among `events` (the first being `first`); None when none.
State find_event(std::string_view status, std::span<const std::string_view> events,
                 State first) {
  for (std::size_t i = 0; i < events.size(); ++i)
    if (events[i] == status)
      return static_cast<State>(static_cast<int>(first) + static_cast<int>(i));
  return State::None;
}

// True when `a` and `b` are equal ignoring the case of ASCII letters.
bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// The id among `ids` that `given` names: `given` itself when it is one; otherwise the one id
// equal to it ignoring case (ids are stored as the framework or workspace writes them).
// `given` unchanged when none is; when two are, `given` unchanged and `ambiguous` names them.
template <typename List>
std::string_view canonical_id(std::string_view given, const List& ids, std::string& ambiguous) {
  std::string_view found;
  for (const auto& id : ids)
    if (std::string_view(id) == given) return given;
  for (const auto& id : ids) {
    if (!equal_ignoring_case(id, given)) continue;
    if (!found.empty()) {
      ambiguous = fmt::format("'{}' and '{}'", found, std::string_view(id));
      return given;
    }
    found = id;
  }
  return found.empty() ? given : found;
}

// Why `given` names no id: it matches `both` (as canonical_id wrote them) ignoring case.
std::string case_ambiguity(std::string_view given, std::string_view both) {
  return fmt::format("'{}' could be {} (they differ only in case); expected one of them exactly",
                     given, both);
}

// A goal's review or close records the attainment reached, so it needs a value.
bool goal_event_needs_attainment(State state) {
  return state == State::Review || state == State::Close;
}

// Setting a goal records the goal itself, in the person's words.
Use text_use(const KindRule& rule, State state) {
  if (rule.status_rule == StatusRule::GoalEvent && state == State::Set) return Use::Required;
  return rule.text;
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
  if (!m.values.empty()) {
    std::vector<std::string> v;
    for (int x : m.values) v.push_back(std::to_string(x));
    return "one of " + join_or(v);
  }
  return fmt::format("a whole number from {} to {}", m.min, m.max);
}

// The ids of the framework's measures of type `want`.
std::vector<std::string> measures_of_type(const Framework& fw, MeasureType want) {
  std::vector<std::string> fitting;
  for (const auto& m : fw.measures)
    if (m.type == want) fitting.push_back(m.id);
  return fitting;
}

}  // namespace

// A row on its way through the checks: what has been read so far, and whether all passed.
struct RowCheck {
  explicit RowCheck(const RawRow& r) : row(r) {}

  const RawRow& row;
  bool ok = true;
  const KindRule* rule = nullptr;
  EntryKind kind = EntryKind::Enrol;
  std::string_view kind_name;
  std::optional<std::uint32_t> person_slot;
  std::string_view person;
  Date date{};
  std::uint32_t fw_slot = 0;
  const FrameworkIndex* fwi = nullptr;
  std::string_view measure_text;
  const Measure* measure = nullptr;
  std::uint32_t measure_slot = 0;
  const AttributeDef* attribute = nullptr;
  std::string_view value_text;
  std::optional<int> value;
  std::string_view status;
  State state = State::None;
  std::string_view text;

  std::string_view get(Field f) const { return trim(row.value[idx(f)]); }
};

std::string_view date_shape(DateOrder order) {
  switch (order) {
    case DateOrder::DMY: return "DD/MM/YYYY";
    case DateOrder::MDY: return "MM/DD/YYYY";
    case DateOrder::YMD: return "YYYY/MM/DD";
    case DateOrder::Iso: break;
  }
  return "YYYY-MM-DD";
}

std::string where(const std::string& source, const RawRow& row, Field f) {
  auto i = idx(f);
  if (source.empty()) return std::string(row.label[i]);
  if (row.column[i] != 0)
    return fmt::format("{}:{}:{}: {}", source, row.line, row.column[i], row.label[i]);
  return fmt::format("{}:{}: {}", source, row.line, row.label[i]);
}

Checker::Checker(const Workspace& ws, Date today, std::string source, Problems& problems)
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

std::vector<std::string> Checker::people_without_problems() const {
  std::vector<std::string> people;
  for (std::uint32_t p = 0; p < people_.size(); ++p)
    if (!person_has_problem(p)) people.push_back(people_[p]);
  return people;
}

std::uint32_t Checker::goal_measure_slot(const FrameworkIndex& fi) const {
  const auto& measures = fi.framework->measures;
  for (std::size_t m = 0; m < measures.size(); ++m)
    if (measures[m].type == MeasureType::Goal) return static_cast<std::uint32_t>(m + 1);
  return 0;
}

void Checker::bad(RowCheck& c, Field f, std::string message) {
  problem(c.row, f, std::move(message));
  c.ok = false;
}

bool Checker::uses(RowCheck& c, Field f, Use use, std::string_view what) {
  std::string_view v = c.get(f);
  if (use == Use::No && !v.empty())
    bad(c, f, fmt::format("'{}' is not used by a '{}' entry; expected it empty", v, c.kind_name));
  else if (use == Use::Required && v.empty())
    bad(c, f, fmt::format("missing; a '{}' entry needs {}", c.kind_name, what));
  return use != Use::No && !v.empty();
}

std::optional<std::uint32_t> Checker::check_person(RowCheck& c) {
  c.person = c.get(Field::Person);
  if (c.person.empty())
    bad(c, Field::Person, "missing; expected the person's reference (a pseudonym such as P017)");
  else if (!valid_person_ref(c.person))
    bad(c, Field::Person,
        fmt::format("'{}' is not a person reference; expected 1-64 letters, digits, "
                    "'-', '_' or '.' (a pseudonym, never a name)",
                    c.person));
  else if (!refused_)
    return person_index(c.person);
  else {
    const auto i = person_index(c.person);
    if (refused_why_.size() <= i) refused_why_.resize(i + 1);
    if (!refused_why_[i]) refused_why_[i] = refused_(c.person);
    if (refused_why_[i]->empty()) return i;
    bad(c, Field::Person, *refused_why_[i]);
  }
  return std::nullopt;
}

Date Checker::check_date(RowCheck& c) {
  std::string_view date_text = c.get(Field::Date);
  if (date_text.empty()) {
    bad(c, Field::Date, fmt::format("missing; expected a date {}", date_shape(date_order_)));
  } else if (date_text == last_date_text_) {
    return last_date_;
  } else if (auto d = parse_date(date_text, date_order_)) {
    if (*d > today_) {
      bad(c, Field::Date,
          fmt::format("'{}' is after today ({}); expected a date on or before today", date_text,
                      format_date(today_)));
    } else {
      last_date_text_ = date_text;
      last_date_ = *d;
    }
    return *d;
  } else if (date_order_ == DateOrder::Iso && !source_.empty() &&
             !possible_date_orders(date_text).empty()) {
    // A spreadsheet's date: the orders it could be read in narrow the file's down.
    unsigned mask = 0;
    for (DateOrder order : possible_date_orders(date_text)) mask |= 1u << static_cast<int>(order);
    spreadsheet_date_orders_ &= mask;
    bad(c, Field::Date,
        fmt::format("'{}' is not a date; expected YYYY-MM-DD, or give --date-format DMY, MDY or "
                    "YMD for dates as a spreadsheet writes them",
                    date_text));
  } else {
    bad(c, Field::Date,
        date_order_ == DateOrder::Iso
            ? fmt::format("'{}' is not a date; expected YYYY-MM-DD", date_text)
            : fmt::format("'{}' is not a date; expected {} (--date-format {})", date_text,
                          date_shape(date_order_), to_string(date_order_)));
  }
  return Date{};
}

std::string Checker::date_format_hint() const {
  if (spreadsheet_date_orders_ == kAnyDateOrder) return "";
  for (DateOrder order : {DateOrder::DMY, DateOrder::MDY, DateOrder::YMD})
    if (spreadsheet_date_orders_ == 1u << static_cast<int>(order))
      return fmt::format("the dates read only as {}: give --date-format {}", date_shape(order),
                         to_string(order));
  return "give --date-format DMY, MDY or YMD for the order of the file's dates";
}

std::optional<EntryKind> Checker::check_kind(RowCheck& c) {
  std::string_view kind_text = c.get(Field::Kind);
  auto kind = parse_entry_kind(kind_text);
  if (kind) return kind;
  std::vector<std::string> kinds;
  for (int k = 0; k < kEntryKindCount; ++k) kinds.emplace_back(to_string(static_cast<EntryKind>(k)));
  std::string ambiguous;  // the kinds differ in more than case: never set
  if (auto canonical = canonical_id(kind_text, kinds, ambiguous); canonical != kind_text)
    return parse_entry_kind(canonical);
  if (kind_text.empty())
    bad(c, Field::Kind, "missing; expected " + join_or(kinds));
  else
    bad(c, Field::Kind, fmt::format("'{}' is not an entry kind; expected {}{}", kind_text,
                                    join_or(kinds), did_you_mean(kind_text, kinds)));
  return std::nullopt;
}

void Checker::check_framework(RowCheck& c) {
  if (!uses(c, Field::Framework, c.rule->framework, "a framework id")) return;
  std::string ambiguous;
  std::string_view id = canonical_id(c.get(Field::Framework), framework_ids_, ambiguous);
  if (!ambiguous.empty())
    return bad(c, Field::Framework, case_ambiguity(id, ambiguous));
  c.fw_slot = framework_slot(id);
  if (c.fw_slot == 0) {
    bad(c, Field::Framework,
        fmt::format("'{}' is not a framework of this workspace; expected {}{}", id,
                    framework_ids_.empty() ? std::string("a framework in frameworks/")
                                           : join_or(framework_ids_),
                    did_you_mean(id, framework_ids_)));
    return;
  }
  c.fwi = &frameworks_[c.fw_slot - 1];
  if (c.rule->framework_rule == FrameworkRule::WithItems && !c.fwi->has_items) {
    bad(c, Field::Framework,
        fmt::format("'{}' has no scale items; expected a framework with items for an "
                    "'assessment' entry",
                    id));
    c.fwi = nullptr;
  } else if (c.rule->framework_rule == FrameworkRule::GoalFramework &&
             !c.fwi->framework->is_goal_framework()) {
    bad(c, Field::Framework,
        fmt::format("'{}' is not a goal framework (it has no goal_scale); expected a framework "
                    "of person-led goals",
                    id));
    c.fwi = nullptr;
  }
}

void Checker::check_measure(RowCheck& c) {
  c.measure_text = c.get(Field::Measure);
  if (!uses(c, Field::Measure, c.rule->measure, c.rule->measure_what)) return;
  if (c.rule->measure_rule == MeasureRule::AttributeName) {
    check_attribute_name(c);
  } else if (c.fwi) {
    const Framework& fw = *c.fwi->framework;
    auto it = c.fwi->measures.find(c.measure_text);
    if (it == c.fwi->measures.end() && c.rule->measure_rule != MeasureRule::GoalKey) {
      std::string ambiguous;
      std::vector<std::string_view> ids;
      for (const auto& m : fw.measures) ids.push_back(m.id);
      c.measure_text = canonical_id(c.measure_text, ids, ambiguous);
      if (!ambiguous.empty())
        return bad(c, Field::Measure, case_ambiguity(c.measure_text, ambiguous));
      it = c.fwi->measures.find(c.measure_text);
    }
    if (it != c.fwi->measures.end()) {
      c.measure = &fw.measures[it->second - 1];
      c.measure_slot = it->second;
    }
    if (c.rule->measure_rule == MeasureRule::GoalKey)
      check_goal_key(c, fw);
    else
      check_framework_measure(c, fw);
  }
}

void Checker::check_attribute_name(RowCheck& c) {
  std::string ambiguous;
  c.measure_text = canonical_id(c.measure_text, attribute_ids_, ambiguous);
  if (!ambiguous.empty())
    return bad(c, Field::Measure, case_ambiguity(c.measure_text, ambiguous));
  c.attribute = ws_.settings.find_attribute(c.measure_text);
  if (!c.attribute)
    bad(c, Field::Measure,
        fmt::format("'{}' is not an attribute of this workspace (outcomes.yaml); expected {}{}",
                    c.measure_text,
                    attribute_ids_.empty() ? std::string("none: no attributes are declared")
                                           : join_or(attribute_ids_),
                    did_you_mean(c.measure_text, attribute_ids_)));
}

// A goal key is the service's own name for one of the person's goals: any key that is
// not the id of another kind of measure. The fact is keyed on the framework's goal measure.
void Checker::check_goal_key(RowCheck& c, const Framework& fw) {
  if (c.measure && c.measure->type != MeasureType::Goal) {
    bad(c, Field::Measure,
        fmt::format("'{}' is a {} of '{}', not a goal key; expected a key of your own for this "
                    "goal (letters, digits, '-', '_' or '.')",
                    c.measure_text, measure_type_name(c.measure->type), fw.id));
  } else if (!valid_person_ref(c.measure_text)) {
    bad(c, Field::Measure,
        fmt::format("'{}' is not a goal key; expected 1-64 letters, digits, '-', '_' or '.'",
                    c.measure_text));
  } else {
    c.measure_slot = goal_measure_slot(*c.fwi);
  }
  c.measure = nullptr;
}

void Checker::check_framework_measure(RowCheck& c, const Framework& fw) {
  const MeasureType want = c.rule->measure_type;
  if (!c.measure) {
    std::string noun(measure_type_name(want));
    auto fitting = measures_of_type(fw, want);
    bad(c, Field::Measure,
        fitting.empty()
            ? fmt::format("'{}' is not a measure of '{}', which has no {}s", c.measure_text, fw.id,
                          noun)
            : fmt::format("'{}' is not a {} of '{}'; expected {}{}", c.measure_text, noun, fw.id,
                          join_or(fitting), did_you_mean(c.measure_text, fitting)));
  } else if (c.measure->type != want) {
    auto fitting = measures_of_type(fw, want);
    bad(c, Field::Measure,
        fmt::format("'{}' is a {} of '{}', not a {}; expected {}", c.measure_text,
                    measure_type_name(c.measure->type), fw.id, measure_type_name(want),
                    fitting.empty() ? fmt::format("another framework ('{}' has no {}s)", fw.id,
                                                  measure_type_name(want))
                                    : join_or(fitting)));
    c.measure = nullptr;
  }
}

void Checker::check_value(RowCheck& c) {
  c.value_text = c.get(Field::Value);
  if (!uses(c, Field::Value, c.rule->value, "a score")) return;
  c.value = parse_whole(c.value_text);
  if (c.rule->value_rule == ValueRule::ItemScore) {
    if (c.measure && (!c.value || !c.measure->allows(*c.value)))
      bad(c, Field::Value,
          fmt::format("'{}' is not a score of item '{}'; expected {}", c.value_text,
                      c.measure->id, allowed_values(*c.measure)));
    else if (!c.value)
      bad(c, Field::Value,
          fmt::format("'{}' is not a whole number; expected an item score", c.value_text));
  } else if (c.rule->value_rule == ValueRule::GoalAttainment && c.fwi) {
    const GoalScale& gs = *c.fwi->framework->goal_scale;
    if (!c.value || *c.value < gs.min || *c.value > gs.max)
      bad(c, Field::Value,
          fmt::format("'{}' is not a goal attainment; expected a whole number from {} to {}",
                      c.value_text, gs.min, gs.max));
  } else if (!c.value) {
    bad(c, Field::Value, fmt::format("'{}' is not a whole number", c.value_text));
  }
}

void Checker::check_status(RowCheck& c) {
  c.status = c.get(Field::Status);
  const KindRule& rule = *c.rule;
  if (uses(c, Field::Status, rule.status, rule.status_what)) {
    // A status written in another case is the status of that name, stored as declared;
    // `known` takes it so from `ids`, and is false when two ids fit (an error of its own).
    std::string ambiguous;
    auto known = [&](const auto& ids) {
      c.status = canonical_id(c.status, ids, ambiguous);
      if (ambiguous.empty()) return true;
      bad(c, Field::Status, case_ambiguity(c.status, ambiguous));
      return false;
    };
    auto reject = [&](std::string_view what, const std::vector<std::string>& allowed) {
      bad(c, Field::Status,
          fmt::format("'{}' is not {}; expected {}{}", c.status, what,
                      allowed.empty() ? std::string("(none declared)") : join_or(allowed),
                      did_you_mean(c.status, allowed)));
    };
    auto listed = [&](const auto& ids) {
      return std::find(std::begin(ids), std::end(ids), c.status) != std::end(ids);
    };
    switch (rule.status_rule) {
      case StatusRule::ExitReason:
        if (known(exit_ids_) && !ws_.settings.find_exit_reason(c.status))
          reject("an exit reason of this workspace (outcomes.yaml)", exit_ids_);
        break;
      case StatusRule::ContactType:
        if (known(kContactStatuses) && !listed(kContactStatuses))
          reject("a contact type", to_strings(kContactStatuses));
        break;
      case StatusRule::FrameworkStatus:
        if (c.fwi && known(c.fwi->status_ids) && !c.fwi->framework->find_status(c.status))
          reject(fmt::format("a status of '{}'", c.fwi->framework->id), c.fwi->status_ids);
        break;
      case StatusRule::NeedState:
      case StatusRule::MilestoneEvent:
      case StatusRule::GoalEvent:
        if (!known(rule.events)) break;
        c.state = find_event(c.status, rule.events, rule.first_event);
        if (c.state == State::None) reject(rule.event_noun, to_strings(rule.events));
        break;
      case StatusRule::NoteConsent:
        if (known(kNoteStatuses) && !listed(kNoteStatuses))
          reject("a note's consent", to_strings(kNoteStatuses));
        break;
      case StatusRule::AttributeValue:
        if (c.attribute && known(c.attribute->values) && !listed(c.attribute->values))
          reject(fmt::format("a value of attribute '{}'", c.attribute->id), c.attribute->values);
        break;
      case StatusRule::None:
        break;
    }
  }
  if (rule.status_rule == StatusRule::GoalEvent && goal_event_needs_attainment(c.state) &&
      c.value_text.empty())
    bad(c, Field::Value, fmt::format("missing; a goal '{}' needs the attainment reached", c.status));
}

void Checker::check_text(RowCheck& c) {
  c.text = c.get(Field::Text);
  uses(c, Field::Text, text_use(*c.rule, c.state), c.rule->text_what);
}

std::uint64_t Checker::fact_key(const RowCheck& c) {
  switch (c.rule->key_rule) {
    case KeyRule::Measure:
      return make_key(c.fw_slot, c.measure_slot, 0);
    case KeyRule::MeasureAndText:
      return make_key(c.fw_slot, c.measure_slot, intern(text_index_, texts_, c.text));
    case KeyRule::MeasureAndGoalKey:
      return make_key(c.fw_slot, c.measure_slot, intern(text_index_, texts_, c.measure_text));
    case KeyRule::None:
      break;
  }
  return 0;
}

void Checker::fill_entry(const RowCheck& c, NewEntry& entry) const {
  entry.person.assign(c.person);
  entry.date = c.date;
  entry.kind = c.kind;
  if (c.fwi) {
    entry.framework = c.fwi->framework->id;
    entry.framework_hash = c.fwi->framework->content_hash;
    entry.framework_version = c.fwi->framework->version;
  } else {
    entry.framework.clear();
    entry.framework_hash.clear();
    entry.framework_version.clear();
  }
  entry.measure.assign(c.measure_text);
  entry.value = c.value;
  // A goal set without a value starts at the goal scale's baseline.
  if (c.rule->status_rule == StatusRule::GoalEvent && c.state == State::Set && !c.value)
    entry.value = c.fwi->framework->goal_scale->baseline;
  entry.status.assign(c.status);
  entry.text.assign(c.text);
  entry.by.assign(c.get(Field::By));
  entry.ref.assign(c.get(Field::Ref));
}

void Checker::check_bytes(RowCheck& c) {
  for (std::size_t i = 0; i < kFieldCount; ++i) {
    const auto f = static_cast<Field>(i);
    const auto allowed = f == Field::Text ? text::Controls::LineBreaks : text::Controls::None;
    if (auto why = text::value_problem(c.get(f), allowed)) bad(c, f, std::move(*why));
  }
}

bool Checker::check(const RawRow& row, Fact& fact, NewEntry* entry) {
  RowCheck c(row);
  // Bytes first, so that no later message quotes a control character or broken UTF-8.
  check_bytes(c);
  if (!c.ok) return false;
  c.person_slot = check_person(c);
  c.date = check_date(c);
  auto kind = check_kind(c);
  if (!kind) {
    if (c.person_slot) bad_people_[*c.person_slot] = true;
    return false;
  }
  c.kind = *kind;
  c.rule = &rule_of(*kind);
  c.kind_name = to_string(*kind);
  // Column by column, in this order: problems of one line are listed in the order found.
  check_framework(c);
  check_measure(c);
  check_value(c);
  check_status(c);
  check_text(c);
  if (!c.ok) {
    if (c.person_slot) bad_people_[*c.person_slot] = true;
    return false;
  }

  fact.person = *c.person_slot;
  fact.date = c.date.days;
  fact.kind = c.kind;
  fact.state = c.state;
  fact.origin = Origin::New;
  fact.key = fact_key(c);
  if (entry) fill_entry(c, *entry);
  return true;
}

Fact Checker::stored_fact(const Entry& e, std::uint32_t order) {
  Fact f;
  f.person = person_index(e.person);
  f.date = e.date.days;
  f.kind = e.kind;
  f.order = order;
  f.origin = Origin::Stored;
  const KindRule& rule = rule_of(e.kind);
  if (!rule.events.empty()) f.state = find_event(e.status, rule.events, rule.first_event);
  if (rule.key_rule == KeyRule::None || e.framework.empty()) return f;
  std::uint32_t fw = framework_slot(e.framework);
  if (!fw) return f;
  const auto& fi = frameworks_[fw - 1];
  std::uint32_t m = 0;
  if (rule.key_rule == KeyRule::MeasureAndGoalKey) {
    m = goal_measure_slot(fi);
  } else if (auto it = fi.measures.find(e.measure); it != fi.measures.end()) {
    m = it->second;
  }
  if (!m) return f;
  switch (rule.key_rule) {
    case KeyRule::Measure:
      f.key = make_key(fw, m, 0);
      break;
    case KeyRule::MeasureAndText:
      f.key = make_key(fw, m, intern(text_index_, texts_, trim(e.text)));
      break;
    case KeyRule::MeasureAndGoalKey:
      f.key = make_key(fw, m, intern(text_index_, texts_, e.measure));
      break;
    case KeyRule::None:
      break;
  }
  return f;
}

}  // namespace outcomes::record_detail

namespace outcomes {

bool kind_names_framework(EntryKind kind) {
  return record_detail::kKindRules[static_cast<std::size_t>(kind)].framework !=
         record_detail::Use::No;
}

}  // namespace outcomes
