#include "export_tables.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>

#include "assess.h"
#include "error.h"
#include "hash.h"
#include "suggest.h"
#include "timeline.h"

namespace outcomes {

namespace {

bool ascii_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool ascii_digit(char c) {
  return c >= '0' && c <= '9';
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// Words SPSS, Stata or R keep for themselves (in lower case; SPSS ignores case). Those
// starting with '_' never arise: such a name gets a leading "v".
constexpr std::array<std::string_view, 37> kReservedWords = {
    "all",   "and",   "by",   "eq",     "ge",     "gt",          "le",      "lt",   "ne",    "not",
    "or",    "to",    "with", "byte",   "double", "float",       "if",      "in",   "int",   "long",
    "strl",  "using", "else", "repeat", "while",  "function",    "for",     "next", "break", "true",
    "false", "null",  "inf",  "nan",    "na",     "na_integer_", "na_real_"};
constexpr std::array<std::string_view, 2> kMoreReservedWords = {"na_character_", "na_complex_"};

bool reserved(std::string_view name) {
  const std::string low = lower(name);
  return std::find(kReservedWords.begin(), kReservedWords.end(), low) != kReservedWords.end() ||
         std::find(kMoreReservedWords.begin(), kMoreReservedWords.end(), low) !=
             kMoreReservedWords.end();
}

// `name` cut to leave room for '_' and 6 hex digits of `digest_of`'s SHA-256, then those.
std::string with_digest(std::string name, std::string_view digest_of) {
  name.resize(std::min(name.size(), kMaxVariableName - 7));
  while (!name.empty() && name.back() == '_') name.pop_back();
  return name + "_" + sha256_hex(digest_of).substr(0, 6);
}

}  // namespace

std::string variable_name(std::string_view path) {
  std::string name;
  for (char c : path) {
    if (ascii_letter(c) || ascii_digit(c))
      name += c;
    else if (name.empty() || name.back() != '_')
      name += '_';
  }
  while (!name.empty() && name.back() == '_') name.pop_back();
  if (name.empty() || !ascii_letter(name.front())) name.insert(0, "v");
  if (reserved(name)) name += '_';
  if (name.size() > kMaxVariableName) name = with_digest(name, path);
  return name;
}

std::string VariableNames::add(std::string_view path) {
  std::string name = variable_name(path);
  for (int n = 0; used_.count(lower(name)); ++n)
    name = with_digest(variable_name(path),
                       n == 0 ? std::string(path) : fmt::format("{}#{}", path, n));
  used_.insert(lower(name));
  return name;
}

std::string assessment_table_name(std::string_view framework_id) {
  std::string name = "assessments_";
  for (char c : framework_id) name += ascii_letter(c) || ascii_digit(c) ? c : '_';
  return name;
}

namespace {


std::string person_protection(const ExportOptions& o) {
  if (o.identify) return "none: the person's own reference (--identifiable)";
  return fmt::format("pseudonym: p- and 16 hex digits of HMAC-SHA-256 of the reference under {}",
                     o.key ? "the shared key file's key" : "the workspace's secret");
}

std::string date_protection(const ExportOptions& o) {
  return o.dates == DatePrecision::Month ? "coarsened to the month (its first day is carried)" : "";
}

Column column(std::string name, std::string label, ColumnType type, std::string derivation,
              std::string protection = "") {
  Column c;
  c.name = std::move(name);
  c.label = std::move(label);
  c.type = type;
  c.derivation = std::move(derivation);
  c.protection = std::move(protection);
  return c;
}

std::string measure_label(const Measure& m) {
  return m.label.empty() || m.label == m.name ? m.name : fmt::format("{} ({})", m.name, m.label);
}

std::vector<ValueLabel> item_values(const Measure& m) {
  std::vector<ValueLabel> out;
  auto add = [&](int v) {
    auto it = m.anchors.find(v);
    out.push_back({std::to_string(v), it == m.anchors.end() ? "" : it->second});
  };
  if (!m.values.empty())
    for (int v : m.values) add(v);
  else
    for (int v = m.min; v <= m.max; ++v) add(v);
  return out;
}

// What a wide column holds.
enum class Field {
  Person,
  Enrolled,
  AsOf,
  BaselineDate,
  BaselineScore,
  LatestDate,
  LatestScore,
  Change,
  Rci,
  Reliable,
  Clinical,
  Meaningful,
  BaselineBand,
  LatestBand,
  ItemBaselineBand,
  ItemLatestBand,
  SignalRecent,
  SignalTotal,
  Occasions,
  Incomplete,
  DirectionChanges,
  Setbacks,
  BestDate,
  BestScore,
  WorstDate,
  WorstScore,
  ItemBaseline,
  ItemLatest,
  ItemChange,
  Status,
  Milestone,
  Goals,
  TScore
};

struct WideColumn {
  Field field;
  std::string measure;  // item, status or milestone id
};

struct WideTable {
  TableSpec spec;
  std::vector<WideColumn> fields;  // one per spec column
};

WideTable wide_table(const Framework& f, const ExportOptions& o) {
  WideTable t;
  t.spec.name = assessment_table_name(f.id);
  t.spec.label =
      fmt::format("one row per person with entries of {} ({}) by the as-of date: their assessment",
                  f.id, f.name);
  t.spec.dates = o.dates;
  VariableNames names;
  const std::string dates = date_protection(o);
  auto add = [&](Field field, std::string_view path, std::string label, ColumnType type,
                 std::string derivation, std::string protection = "", std::string measure = "") {
    Column c = column(names.add(path), std::move(label), type, std::move(derivation),
                      std::move(protection));
    c.framework = f.id;
    c.framework_version = f.version;
    if (field == Field::BaselineScore || field == Field::LatestScore || field == Field::Change ||
        field == Field::BestScore || field == Field::WorstScore)
      c.unit = "points";
    t.spec.columns.push_back(std::move(c));
    t.fields.push_back({field, std::move(measure)});
  };
  auto code = [&](const std::vector<ValueLabel>& values) { t.spec.columns.back().values = values; };
  add(Field::Person, "person", "The person", ColumnType::Text, "the person's reference",
      person_protection(o));
  add(Field::Enrolled, "enrolled", "In an open episode of support at the as-of date",
      ColumnType::Boolean, "an enrol with no exit after it, by the as-of date");
  add(Field::AsOf, "as_of", "The date the assessment is as of", ColumnType::Date,
      "the date given by --as-of (default: --to, else today)", dates);
  const Scoring& s = f.scoring;
  const bool total = f.has_total();
  const bool items = !f.items().empty();
  std::vector<ValueLabel> bands;
  for (const auto& b : s.bands) bands.push_back({b.id, b.name});
  if (total) {
    const std::string score =
        fmt::format("the {} of the items{}", s.total == ScoreRule::Sum ? "sum" : "weighted sum",
                    s.conversion.empty() ? "" : ", converted by the framework's table");
    add(Field::BaselineDate, "baseline_date", "Date of the first complete occasion",
        ColumnType::Date, "the first complete occasion", dates);
    add(Field::BaselineScore, "baseline_score", "Score at baseline", ColumnType::Number,
        score + ", rounded to 2 decimals");
    add(Field::LatestDate, "latest_date", "Date of the latest complete occasion", ColumnType::Date,
        "the latest complete occasion by the as-of date", dates);
    add(Field::LatestScore, "latest_score", "Latest score", ColumnType::Number,
        score + ", rounded to 2 decimals");
    add(Field::Change, "change", "Change from baseline to latest", ColumnType::Number,
        "latest score minus baseline score, rounded to 2 decimals");
    if (reliable_change_sdiff(s))
      add(Field::Rci, "rci", "Reliable Change Index", ColumnType::Number,
          "change divided by the standard error of the difference (from the framework's "
          "reliability and reference SD, or its SEM), rounded to 2 decimals");
    add(Field::Reliable, "reliable_change", "Reliable change category", ColumnType::Code,
        "|RCI| > 1.96 in the better or worse direction; insufficient_data with fewer than two "
        "complete occasions over the minimum interval");
    code({{"improved", "reliable improvement"},
          {"no_reliable_change", "no reliable change"},
          {"deteriorated", "reliable deterioration"},
          {"insufficient_data", "fewer than two complete occasions far enough apart"},
          {"not_computable", "the framework gives no reliability"}});
    if (s.norms) {
      add(Field::Clinical, "clinical_significance", "Clinical significance (Jacobson-Truax)",
          ColumnType::Code,
          "reliable change and crossing the cut-off between the framework's functional and "
          "dysfunctional norms");
      code({{"recovered", "reliably improved and crossed the cut-off"},
            {"improved", "reliably improved"},
            {"unchanged", "no reliable change"},
            {"deteriorated", "reliably deteriorated"}});
    }
    if (s.minimum_change)
      add(Field::Meaningful, "meaningful_change", "Improvement of at least the minimum change",
          ColumnType::Boolean,
          fmt::format(
              "change of at least {} points in the better direction over the minimum interval",
              *s.minimum_change));
    if (!bands.empty()) {
      add(Field::BaselineBand, "baseline_band", "Band of the baseline score", ColumnType::Code,
          "the framework's band holding the baseline score");
      code(bands);
      add(Field::LatestBand, "latest_band", "Band of the latest score", ColumnType::Code,
          "the framework's band holding the latest score (band movement: baseline_band to "
          "latest_band)");
      code(bands);
    }
  }
  if (items) {
    add(Field::Occasions, "occasions", "Complete occasions", ColumnType::Integer,
        "occasions (dates with item scores) that are complete");
    add(Field::Incomplete, "incomplete_occasions", "Incomplete occasions", ColumnType::Integer,
        "occasions with items missing and no score");
  }
  if (total) {
    add(Field::DirectionChanges, "direction_changes", "Changes of direction", ColumnType::Integer,
        "turns between improving and worsening across complete occasions");
    add(Field::Setbacks, "setbacks", "Setbacks", ColumnType::Integer,
        "complete occasions worse than the one before");
    add(Field::BestDate, "best_date", "Date of the best score", ColumnType::Date,
        "the complete occasion with the best score", dates);
    add(Field::BestScore, "best_score", "Best score", ColumnType::Number,
        "the best score of a complete occasion, rounded to 2 decimals");
    add(Field::WorstDate, "worst_date", "Date of the worst score", ColumnType::Date,
        "the complete occasion with the worst score", dates);
    add(Field::WorstScore, "worst_score", "Worst score", ColumnType::Number,
        "the worst score of a complete occasion, rounded to 2 decimals");
  }
  std::vector<ValueLabel> statuses;
  for (const auto& st : f.statuses) statuses.push_back({st.id, st.name});
  statuses.push_back({"not_assessed", "no status recorded"});
  for (const auto& m : f.measures) {
    switch (m.type) {
      case MeasureType::Scale:
        add(Field::ItemBaseline, m.id + ":baseline", measure_label(m) + ": baseline",
            ColumnType::Number, "the item's first value", "", m.id);
        code(item_values(m));
        add(Field::ItemLatest, m.id + ":latest", measure_label(m) + ": latest", ColumnType::Number,
            "the item's latest value by the as-of date", "", m.id);
        code(item_values(m));
        add(Field::ItemChange, m.id + ":change", measure_label(m) + ": change", ColumnType::Number,
            "latest minus baseline value of the item", "", m.id);
        // Without a total, a framework's bands are on item values: each item's band
        // movement.
        if (!total && !bands.empty()) {
          add(Field::ItemBaselineBand, m.id + ":baseline_band",
              measure_label(m) + ": band at baseline", ColumnType::Code,
              "the framework's band holding the item's first value", "", m.id);
          code(bands);
          add(Field::ItemLatestBand, m.id + ":latest_band", measure_label(m) + ": latest band",
              ColumnType::Code, "the framework's band holding the item's latest value", "", m.id);
          code(bands);
        }
        break;
      case MeasureType::Status:
        add(Field::Status, m.id, measure_label(m) + ": status", ColumnType::Code,
            "the latest status recorded by the as-of date", "", m.id);
        code(statuses);
        break;
      case MeasureType::Milestone:
        add(Field::Milestone, m.id, measure_label(m) + ": milestone", ColumnType::Code,
            m.sustain ? fmt::format("achieved once a run lasted {}", format_duration(*m.sustain))
                      : "achieved when it starts",
            "", m.id);
        code({{"achieved", "achieved"},
              {"in_progress", "running, not yet sustained"},
              {"ended", "stopped before it was sustained"}});
        break;
      case MeasureType::Signal:
        add(Field::SignalRecent, m.id + ":last_90_days", measure_label(m) + ": last 90 days",
            ColumnType::Integer, "times recorded in the 90 days up to the as-of date", "", m.id);
        add(Field::SignalTotal, m.id + ":total", measure_label(m) + ": total", ColumnType::Integer,
            "times recorded by the as-of date", "", m.id);
        break;
      case MeasureType::Goal:
        break;
    }
  }
  if (f.is_goal_framework()) {
    add(Field::Goals, "goals", "Goals", ColumnType::Integer, "goals set (the latest of each key)");
    add(Field::TScore, "t_score", "Goal attainment T-score", ColumnType::Number,
        fmt::format("Kiresuk-Sherman T-score of the goals' attainments (rho {}), rounded to 1 "
                    "decimal",
                    f.goal_scale->rho));
  }
  return t;
}

Cell score_cell(const std::optional<double>& v, int decimals = kScoreDecimals) {
  if (!v) return {};
  return round_to(*v, decimals);
}

Cell wide_cell(const WideColumn& column, const Assessment& a, const std::string& person,
               DatePrecision dates) {
  auto date = [&](const std::optional<DatedScore>& d) -> Cell {
    if (!d) return {};
    return coarsen(d->date, dates);
  };
  auto score = [&](const std::optional<DatedScore>& d) -> Cell {
    if (!d) return {};
    return round_to(d->score, kScoreDecimals);
  };
  auto text = [](const std::optional<std::string>& v) -> Cell {
    if (!v) return {};
    return *v;
  };
  const ItemAssessment* item = nullptr;
  if (auto it = a.items.find(column.measure); it != a.items.end()) item = &it->second;
  switch (column.field) {
    case Field::Person:
      return person;
    case Field::Enrolled:
      return a.in_open_episode;
    case Field::AsOf:
      return coarsen(a.as_of, dates);
    case Field::BaselineDate:
      return date(a.baseline);
    case Field::BaselineScore:
      return score(a.baseline);
    case Field::LatestDate:
      return date(a.latest);
    case Field::LatestScore:
      return score(a.latest);
    case Field::Change:
      return score_cell(a.change);
    case Field::Rci:
      return score_cell(a.rci);
    case Field::Reliable:
      return std::string(to_string(a.reliable_change));
    case Field::Clinical:
      if (!a.clinical_significance) return {};
      return std::string(to_string(*a.clinical_significance));
    case Field::Meaningful:
      if (!a.meaningful_change) return {};
      return *a.meaningful_change;
    case Field::BaselineBand:
      return text(a.baseline_band);
    case Field::LatestBand:
      return text(a.latest_band);
    case Field::Occasions:
      return std::int64_t{a.occasions};
    case Field::Incomplete:
      return std::int64_t{a.incomplete_occasions};
    case Field::DirectionChanges:
      return std::int64_t{a.direction_changes};
    case Field::Setbacks:
      return std::int64_t{a.setbacks};
    case Field::BestDate:
      return date(a.best);
    case Field::BestScore:
      return score(a.best);
    case Field::WorstDate:
      return date(a.worst);
    case Field::WorstScore:
      return score(a.worst);
    case Field::ItemBaseline:
      return item ? score(item->baseline) : Cell{};
    case Field::ItemLatest:
      return item ? score(item->latest) : Cell{};
    case Field::ItemChange:
      return item ? score_cell(item->change) : Cell{};
    case Field::ItemBaselineBand:
      return item ? text(item->baseline_band) : Cell{};
    case Field::ItemLatestBand:
      return item ? text(item->latest_band) : Cell{};
    case Field::SignalRecent:
    case Field::SignalTotal:
      if (auto it = a.signals.find(column.measure); it != a.signals.end())
        return std::int64_t{column.field == Field::SignalRecent ? it->second.last_90_days
                                                                 : it->second.total};
      return std::int64_t{0};
    case Field::Status:
      if (auto it = a.statuses.find(column.measure); it != a.statuses.end()) return it->second;
      return {};
    case Field::Milestone:
      if (auto it = a.milestones.find(column.measure); it != a.milestones.end())
        return std::string(to_string(it->second));
      return {};
    case Field::Goals:
      return static_cast<std::int64_t>(a.goals.size());
    case Field::TScore:
      return score_cell(a.t_score, kTScoreDecimals);
  }
  return {};
}

TableSpec long_table(const std::vector<Framework>& frameworks, const ExportOptions& o) {
  TableSpec t;
  t.name = "assessments";
  t.label = "one row per person, framework, occasion and item: the item's value";
  t.dates = o.dates;
  VariableNames names;
  t.columns.push_back(column(names.add("person"), "The person", ColumnType::Text,
                             "the person's reference", person_protection(o)));
  Column framework =
      column(names.add("framework"), "Framework", ColumnType::Code, "the framework id");
  std::vector<ValueLabel> items;
  for (const auto& f : frameworks) {
    framework.values.push_back({f.id, f.name});
    for (const Measure* m : f.items()) {
      if (std::none_of(items.begin(), items.end(),
                       [&](const ValueLabel& v) { return v.value == m->id; }))
        items.push_back({m->id, measure_label(*m)});
    }
  }
  t.columns.push_back(std::move(framework));
  t.columns.push_back(column(names.add("framework_version"), "Framework version", ColumnType::Text,
                             "the version label of the framework file in the workspace"));
  t.columns.push_back(column(names.add("date"), "Date of the occasion", ColumnType::Date,
                             "the date of the item entries", date_protection(o)));
  Column item =
      column(names.add("item"), "Item", ColumnType::Code, "the item's id in the framework");
  item.values = std::move(items);
  t.columns.push_back(std::move(item));
  t.columns.push_back(column(names.add("value"), "Item value", ColumnType::Integer,
                             "the value recorded on that date; empty when the item is missing"));
  t.columns.push_back(column(names.add("complete"), "Occasion complete", ColumnType::Boolean,
                             "the occasion has a score (or, without a total, every item)"));
  Column score = column(names.add("score"), "Occasion score", ColumnType::Number,
                        "the occasion's total score, rounded to 2 decimals; empty without a "
                        "total or when incomplete");
  score.unit = "points";
  t.columns.push_back(std::move(score));
  return t;
}

AssessOptions assess_options(const std::vector<Framework>& frameworks, const ExportOptions& o) {
  AssessOptions a;
  a.as_of = o.as_of.value_or(o.to.value_or(today_utc()));
  for (const auto& f : frameworks) a.frameworks.push_back(f.id);
  return a;
}

// People per pass of the long layout (their rows are held while reordering).
constexpr size_t kPeoplePerPass = 256;

void write_long(const JourneyStore& store, const std::vector<Framework>& frameworks,
                const ExportOptions& o, const std::string& key, TableSink& sink) {
  const TableSpec spec = long_table(frameworks, o);
  sink.begin_table(spec);
  const auto order = people_in_export_order(export_people(store, o), key, o.identify);
  AssessOptions options = assess_options(frameworks, o);
  std::map<std::string, std::vector<Row>> rows;  // by reference, within a pass
  for (size_t start = 0; start < order.size(); start += kPeoplePerPass) {
    const size_t end = std::min(order.size(), start + kPeoplePerPass);
    std::vector<std::string> group;
    for (size_t i = start; i < end; ++i) group.push_back(order[i].second);
    std::sort(group.begin(), group.end());
    options.people = group;
    rows.clear();
    for_each_timeline(store, frameworks, options, [&](const Timeline& t) {
      auto& out = rows[t.person];
      for (const auto& ft : t.frameworks) {
        const Framework& f = ft.framework();
        for (const auto& occasion : ft.occasions) {
          if ((o.from && occasion.date < *o.from) || (o.to && *o.to < occasion.date)) continue;
          for (size_t i = 0; i < ft.prepared->items.size(); ++i) {
            Row row(spec.columns.size());
            row[1] = f.id;
            row[2] = f.version;
            row[3] = coarsen(occasion.date, o.dates);
            row[4] = ft.prepared->items[i]->id;
            if (occasion.values[i]) row[5] = std::int64_t{*occasion.values[i]};
            row[6] = occasion.complete;
            row[7] = score_cell(occasion.score);
            out.push_back(std::move(row));
          }
        }
      }
    });
    for (size_t i = start; i < end; ++i) {
      auto it = rows.find(order[i].second);
      if (it == rows.end()) continue;
      for (auto& row : it->second) {
        row[0] = order[i].first;
        sink.row(row);
      }
    }
  }
  sink.end_table();
}

}  // namespace

std::vector<Framework> export_frameworks(const std::vector<Framework>& workspace,
                                         const std::vector<std::string>& ids) {
  std::vector<std::string> known;
  for (const auto& f : workspace) known.push_back(f.id);
  std::vector<Framework> out;
  for (const auto& f : workspace)
    if (ids.empty() || std::find(ids.begin(), ids.end(), f.id) != ids.end()) out.push_back(f);
  for (const auto& id : ids)
    if (std::find(known.begin(), known.end(), id) == known.end())
      throw UsageError(fmt::format("--framework: the workspace has no framework '{}'{}", id,
                                   did_you_mean(id, known)));
  std::sort(out.begin(), out.end(),
            [](const Framework& a, const Framework& b) { return a.id < b.id; });
  return out;
}

TableSpec entries_table_spec(const ExportOptions& o) {
  TableSpec t;
  t.name = "entries";
  t.label = "one row per journey entry (the long entries format `record --from` reads)";
  t.dates = o.dates;
  const std::string text_protection =
      o.include_text ? "private notes withheld"
                     : "left out: withheld for notes and goals, withheld- and a keyed digest for "
                       "needs (so an open and its met pair up); private notes always withheld";
  // The names are the long entries format's own (what `record --from` reads back), kept
  // as they are: "by" is an SPSS reserved word, which a writer for SPSS has to rename.
  auto add = [&](std::string_view name, std::string label, ColumnType type, std::string derivation,
                 std::string protection = "") {
    t.columns.push_back(column(std::string(name), std::move(label), type, std::move(derivation),
                               std::move(protection)));
  };
  for (const auto& name : export_columns(o.audit)) {
    if (name == "person")
      add(name, "The person", ColumnType::Text, "the person's reference", person_protection(o));
    else if (name == "date")
      add(name, "Date of the entry", ColumnType::Date, "as recorded", date_protection(o));
    else if (name == "kind") {
      add(name, "Kind of entry", ColumnType::Code, "as recorded");
      for (int k = 0; k < kEntryKindCount; ++k)
        t.columns.back().values.push_back({std::string(to_string(static_cast<EntryKind>(k))), ""});
    } else if (name == "framework")
      add(name, "Framework id", ColumnType::Text, "as recorded; empty for kinds without one");
    else if (name == "measure")
      add(name, "Measure, item, goal key or attribute", ColumnType::Text, "as recorded");
    else if (name == "value")
      add(name, "Item score or goal attainment", ColumnType::Integer, "as recorded");
    else if (name == "status")
      add(name, "Status, contact type, state, note consent, exit reason or attribute value",
          ColumnType::Text, "as recorded");
    else if (name == "text")
      add(name, "Free text: evidence, need, goal words, note", ColumnType::Text, "as recorded",
          text_protection);
    else if (name == "by")
      add(name, "Who recorded the entry", ColumnType::Text, "as recorded",
          o.identify ? "" : "left out");
    else if (name == "ref")
      add(name, "External reference of the entry", ColumnType::Text, "as recorded",
          o.identify ? "" : "r- and 16 hex digits of HMAC-SHA-256 of the reference under the key");
    else if (name == "id")
      add(name, "Entry id", ColumnType::Integer, "the store's id of the entry");
    else if (name == "supersedes")
      add(name, "Id of the entry this corrects", ColumnType::Integer, "as recorded");
    else if (name == "reason")
      add(name, "Why the correction was made", ColumnType::Text, "as recorded",
          o.include_text ? "" : "left out");
    else
      add(name, name, ColumnType::Text, "as recorded");
  }
  return t;
}

std::vector<TableSpec> assessment_table_specs(const std::vector<Framework>& frameworks,
                                              const ExportOptions& options) {
  if (options.long_layout) return {long_table(frameworks, options)};
  std::vector<TableSpec> out;
  for (const auto& f : frameworks) out.push_back(wide_table(f, options).spec);
  return out;
}

void write_assessment_tables(const JourneyStore& store, const std::vector<Framework>& frameworks,
                             const ExportOptions& options, const std::string& key,
                             TableSink& sink) {
  if (options.long_layout) return write_long(store, frameworks, options, key, sink);
  if (options.from)
    throw UsageError(
        "--from applies to entries and the long layout; the wide layout is as of "
        "one date (--as-of)");
  const auto order = people_in_export_order(export_people(store, options), key, options.identify);
  AssessOptions assess = assess_options(frameworks, options);
  if (!options.people.empty()) {
    std::vector<std::string> refs;
    for (const auto& [label, ref] : order) refs.push_back(ref);
    std::sort(refs.begin(), refs.end());
    assess.people = refs;
  }
  std::map<std::string_view, std::string_view> label_of;  // reference -> export label
  for (const auto& [label, ref] : order) label_of[ref] = label;
  // Each person's assessments become rows as the store is read (a row is far smaller than
  // an Assessment), held per framework until every person is read.
  std::vector<WideTable> tables;
  for (const auto& f : frameworks) tables.push_back(wide_table(f, options));
  std::vector<std::vector<std::pair<std::string_view, Row>>> rows(frameworks.size());
  for_each_timeline(store, frameworks, assess, [&](const Timeline& t) {
    for (const auto& ft : t.frameworks) {
      const auto it = std::find_if(frameworks.begin(), frameworks.end(),
                                   [&](const Framework& f) { return f.id == ft.framework().id; });
      if (it == frameworks.end()) continue;
      const size_t index = static_cast<size_t>(it - frameworks.begin());
      const Assessment a = assess_timeline(t, ft);
      const std::string_view label = label_of.at(t.person);
      Row row;
      row.reserve(tables[index].fields.size());
      for (const auto& column : tables[index].fields)
        row.push_back(wide_cell(column, a, std::string(label), options.dates));
      rows[index].emplace_back(label, std::move(row));
    }
  });
  for (size_t i = 0; i < frameworks.size(); ++i) {
    std::sort(rows[i].begin(), rows[i].end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    sink.begin_table(tables[i].spec);
    for (const auto& [label, row] : rows[i]) sink.row(row);
    sink.end_table();
    rows[i] = {};
  }
}

TableSpec dictionary_table_spec() {
  TableSpec t;
  t.name = "dictionary";
  t.label = "one row per column of each table in the export";
  VariableNames names;
  for (const char* name : {"table", "column", "label", "type", "unit", "values", "framework",
                           "framework_version", "derivation", "protection"})
    t.columns.push_back(column(names.add(name), name, ColumnType::Text, ""));
  t.columns[0].label = "Table (file) name";
  t.columns[1].label = "Column (variable) name";
  t.columns[2].label = "What the column holds";
  t.columns[3].label = "Type: text, code, integer, number, date or boolean";
  t.columns[4].label = "Unit";
  t.columns[5].label = "Allowed values and their labels (value=label; ...)";
  t.columns[6].label = "Framework id";
  t.columns[7].label = "Framework version";
  t.columns[8].label = "How the value was worked out";
  t.columns[9].label = "What was done to protect people";
  return t;
}

void write_dictionary(const std::vector<TableSpec>& tables, TableSink& sink) {
  sink.begin_table(dictionary_table_spec());
  for (const auto& table : tables)
    for (const auto& c : table.columns) {
      std::string values;
      for (const auto& v : c.values)
        values += (values.empty() ? "" : "; ") + v.value + (v.label.empty() ? "" : "=" + v.label);
      std::string type(to_string(c.type));
      if (c.type == ColumnType::Date && table.dates == DatePrecision::Month) type += " (month)";
      sink.row({table.name, c.name, c.label, type, c.unit, values, c.framework, c.framework_version,
                c.derivation, c.protection});
    }
  sink.end_table();
}

}  // namespace outcomes
