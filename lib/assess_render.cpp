#include "assess_render.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>

#include "csv.h"
#include "json_out.h"
#include "text.h"

namespace outcomes {

namespace {

using text::short_number;

std::string signed_number(double value) {
  return text::with_sign(short_number(value));
}

const Framework* find_framework(const std::vector<const Framework*>& frameworks,
                                std::string_view id) {
  for (const auto* f : frameworks)
    if (f && f->id == id) return f;
  return nullptr;
}

}  // namespace

namespace {

// The entries of a map keyed by measure id, in the framework's file order (ids the
// framework does not know follow in code point order).
template <typename Map>
std::vector<std::pair<std::string_view, const typename Map::mapped_type*>> in_file_order(
    const Map& map, const Framework& framework) {
  std::vector<std::pair<std::string_view, const typename Map::mapped_type*>> out;
  out.reserve(map.size());
  for (const auto& m : framework.measures)
    if (auto it = map.find(m.id); it != map.end()) out.emplace_back(it->first, &it->second);
  if (out.size() != map.size())
    for (const auto& [id, value] : map)
      if (!framework.find_measure(id)) out.emplace_back(id, &value);
  return out;
}

// Writes JSON straight into a string, in the layout nlohmann::json::dump gives (compact,
// or indented by 2 with "key": value), without building a tree: the whole caseload is
// rendered at once, so this is on the hot path.
class JsonWriter {
 public:
  JsonWriter(std::string& out, bool pretty) : out_(out), pretty_(pretty) {}

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  void key(std::string_view name) {
    member();
    string(name);
    out_ += pretty_ ? ": " : ":";
    keyed_ = true;
  }
  void null() { scalar("null"); }
  void boolean(bool v) { scalar(v ? "true" : "false"); }
  void integer(int64_t v) {
    before_value();
    fmt::format_to(std::back_inserter(out_), "{}", v);
  }
  // A number rounded once for output; whole values print without a fraction.
  void number(double v, int decimals = kScoreDecimals) {
    double r = round_to(v, decimals);
    if (r == std::trunc(r) && std::abs(r) < 1e15) return integer(static_cast<int64_t>(r));
    before_value();
    fmt::format_to(std::back_inserter(out_), "{}", r);
  }
  void text(std::string_view v) {
    before_value();
    string(v);
  }

  // Convenience members.
  void field(std::string_view k, std::string_view v) { key(k), text(v); }
  void field_int(std::string_view k, int64_t v) { key(k), integer(v); }
  void field_number(std::string_view k, const std::optional<double>& v,
                    int decimals = kScoreDecimals) {
    key(k);
    v ? number(*v, decimals) : null();
  }
  void field_text(std::string_view k, const std::optional<std::string>& v) {
    key(k);
    v ? text(*v) : null();
  }
  void field_dated(std::string_view k, const std::optional<DatedScore>& d) {
    key(k);
    if (!d) return null();
    begin_object();
    field("date", format_date(d->date));
    field_number("score", d->score);
    end_object();
  }

 private:
  void open(char c) {
    before_value();
    out_ += c;
    first_.push_back(true);
  }
  void close(char c) {
    bool empty = first_.back();
    first_.pop_back();
    if (!empty) newline();
    out_ += c;
  }
  // Before an object member or array element: the separator and, pretty, the indent.
  void member() {
    if (!first_.back()) out_ += ',';
    first_.back() = false;
    newline();
  }
  void before_value() {
    if (keyed_) {
      keyed_ = false;
      return;
    }
    if (!first_.empty()) member();
  }
  void scalar(std::string_view literal) {
    before_value();
    out_ += literal;
  }
  void newline() {
    if (!pretty_) return;
    out_ += '\n';
    out_.append(2 * first_.size(), ' ');
  }
  void string(std::string_view v) { append_json_string(out_, v); }

  std::string& out_;
  bool pretty_;
  bool keyed_ = false;
  std::vector<bool> first_;  // per open object or array: no member written yet
};

// Writes one assessment object in the documented key order.
void write_assessment(JsonWriter& w, const Assessment& a, const Framework& framework) {
  bool total = framework.has_total();
  w.begin_object();
  w.field("person", a.person);
  w.field("framework", a.framework);
  w.field("as_of", format_date(a.as_of));
  w.field_dated("baseline", a.baseline);
  w.field_dated("latest", a.latest);
  w.field_number("change", a.change);
  w.field_number("rci", a.rci);
  w.key("reliable_change");
  total ? w.text(to_string(a.reliable_change)) : w.null();
  w.key("clinical_significance");
  a.clinical_significance ? w.text(to_string(*a.clinical_significance)) : w.null();
  w.key("meaningful_change");
  a.meaningful_change ? w.boolean(*a.meaningful_change) : w.null();
  w.field_int("occasions", a.occasions);
  w.field_int("incomplete_occasions", a.incomplete_occasions);
  w.key("direction_changes");
  total ? w.integer(a.direction_changes) : w.null();
  w.key("setbacks");
  total ? w.integer(a.setbacks) : w.null();
  w.field_dated("best", a.best);
  w.field_dated("worst", a.worst);
  w.key("bands");
  w.begin_object();
  w.field_text("baseline", a.baseline_band);
  w.field_text("latest", a.latest_band);
  w.end_object();

  w.key("items");
  w.begin_object();
  for (const auto& [id, entry] : in_file_order(a.items, framework)) {
    const ItemAssessment& item = *entry;
    w.key(id);
    w.begin_object();
    w.key("baseline");
    item.baseline ? w.number(item.baseline->score) : w.null();
    w.key("latest");
    item.latest ? w.number(item.latest->score) : w.null();
    w.field_number("change", item.change);
    w.key("baseline_date");
    item.baseline ? w.text(format_date(item.baseline->date)) : w.null();
    w.key("latest_date");
    item.latest ? w.text(format_date(item.latest->date)) : w.null();
    w.field_int("occasions", item.occasions);
    w.field_int("direction_changes", item.direction_changes);
    w.field_int("setbacks", item.setbacks);
    w.field_dated("best", item.best);
    w.field_dated("worst", item.worst);
    w.key("bands");
    w.begin_object();
    w.field_text("baseline", item.baseline_band);
    w.field_text("latest", item.latest_band);
    w.end_object();
    w.end_object();
  }
  w.end_object();

  w.key("statuses");
  w.begin_object();
  for (const auto& [id, status] : in_file_order(a.statuses, framework)) w.field(id, *status);
  w.end_object();
  w.key("milestones");
  w.begin_object();
  for (const auto& [id, state] : in_file_order(a.milestones, framework))
    w.field(id, to_string(*state));
  w.end_object();

  w.key("goals");
  w.begin_object();
  w.field_number("t_score", a.t_score, kTScoreDecimals);
  w.key("goals");
  w.begin_array();
  for (const auto& g : a.goals) {
    w.begin_object();
    w.field("goal", g.goal);
    w.field_int("baseline", g.baseline);
    w.field_int("attainment", g.attainment);
    w.field("state", g.open ? "open" : "closed");
    w.end_object();
  }
  w.end_array();
  w.end_object();

  w.key("signals");
  w.begin_object();
  for (const auto& [id, s] : in_file_order(a.signals, framework)) {
    w.key(id);
    w.begin_object();
    w.field_int("last_90_days", s->last_90_days);
    w.field_int("total", s->total);
    w.end_object();
  }
  w.end_object();

  w.key("engagement");
  w.begin_object();
  w.field_int("attended", a.engagement.attended);
  w.field_int("missed", a.engagement.missed);
  w.field_int("self_initiated", a.engagement.self_initiated);
  w.end_object();
  w.key("in_open_episode");
  w.boolean(a.in_open_episode);
  w.end_object();
}

void write_assessment(JsonWriter& w, const Assessment& a,
                      const std::vector<const Framework*>& frameworks) {
  if (const Framework* f = find_framework(frameworks, a.framework))
    return write_assessment(w, a, *f);
  Framework unknown;
  unknown.id = a.framework;
  write_assessment(w, a, unknown);
}

}  // namespace

nlohmann::json assessment_to_json(const Assessment& a, const Framework& framework) {
  std::string text;
  JsonWriter w(text, false);
  write_assessment(w, a, framework);
  return nlohmann::json::parse(text);
}

void render_assessments_json(const std::vector<Assessment>& list,
                             const std::vector<const Framework*>& frameworks, std::ostream& out) {
  std::string text;
  JsonWriter w(text, true);
  w.begin_array();
  for (const auto& a : list) {
    write_assessment(w, a, frameworks);
    if (text.size() > (1 << 20)) {
      out << text;
      text.clear();
    }
  }
  w.end_array();
  text += '\n';
  out << text;
}

namespace {

// Appends an assessment's JSON line to `text`, writing `text` out once it holds a megabyte.
void add_jsonl(std::string& text, const Assessment& a,
               const std::vector<const Framework*>& frameworks, std::ostream& out) {
  JsonWriter w(text, false);
  write_assessment(w, a, frameworks);
  text += '\n';
  if (text.size() > (1 << 20)) {
    out << text;
    text.clear();
  }
}

}  // namespace

void render_assessments_jsonl(const std::vector<Assessment>& list,
                              const std::vector<const Framework*>& frameworks, std::ostream& out) {
  std::string text;
  for (const auto& a : list) add_jsonl(text, a, frameworks, out);
  out << text;
}

StoreAssessment stream_assessments_jsonl(const JourneyStore& store,
                                         const std::vector<Framework>& frameworks,
                                         const AssessOptions& options, std::ostream& out) {
  std::vector<const Framework*> known;
  for (const auto& f : frameworks) known.push_back(&f);
  std::string text;
  StoreAssessment result = for_each_timeline(store, frameworks, options, [&](const Timeline& t) {
    for (const auto& ft : t.frameworks) add_jsonl(text, assess_timeline(t, ft), known, out);
  });
  out << text;
  return result;
}

// --- CSV

namespace {

std::string opt_text(const std::optional<double>& v, int decimals = kScoreDecimals) {
  return v ? short_number(*v, decimals) : std::string();
}

}  // namespace

void render_assessments_csv(const std::vector<Assessment>& list,
                            const std::vector<const Framework*>& frameworks, std::ostream& out) {
  std::vector<std::string> header = {"person",
                                     "framework",
                                     "as_of",
                                     "baseline_date",
                                     "baseline_score",
                                     "latest_date",
                                     "latest_score",
                                     "change",
                                     "rci",
                                     "reliable_change",
                                     "clinical_significance",
                                     "meaningful_change",
                                     "occasions",
                                     "incomplete_occasions",
                                     "direction_changes",
                                     "setbacks",
                                     "best_date",
                                     "best_score",
                                     "worst_date",
                                     "worst_score",
                                     "baseline_band",
                                     "latest_band",
                                     "goals_t_score",
                                     "goals_open",
                                     "goals_closed",
                                     "attended",
                                     "missed",
                                     "self_initiated",
                                     "in_open_episode"};
  size_t fixed = header.size();
  // Measure columns: the union over the frameworks shown, in framework then file order.
  enum class Col { ItemBaseline, ItemLatest, ItemChange, Status, Milestone, Signal90, SignalTotal };
  struct MeasureColumn {
    Col kind;
    std::string measure;
  };
  std::vector<MeasureColumn> columns;
  std::set<std::string> names;
  std::set<std::string_view> shown;
  for (const auto& a : list) shown.insert(a.framework);
  std::vector<const Framework*> ordered;
  for (const auto* f : frameworks)
    if (f && shown.count(f->id)) ordered.push_back(f);
  std::sort(ordered.begin(), ordered.end(),
            [](const Framework* x, const Framework* y) { return x->id < y->id; });
  auto add = [&](Col kind, const std::string& measure, std::string name) {
    if (names.insert(name).second) {
      header.push_back(std::move(name));
      columns.push_back({kind, measure});
    }
  };
  for (const auto* f : ordered) {
    for (const auto& m : f->measures) {
      switch (m.type) {
        case MeasureType::Scale:
          add(Col::ItemBaseline, m.id, "item:" + m.id + ":baseline");
          add(Col::ItemLatest, m.id, "item:" + m.id + ":latest");
          add(Col::ItemChange, m.id, "item:" + m.id + ":change");
          break;
        case MeasureType::Status:
          add(Col::Status, m.id, "status:" + m.id);
          break;
        case MeasureType::Milestone:
          add(Col::Milestone, m.id, "milestone:" + m.id);
          break;
        case MeasureType::Signal:
          add(Col::Signal90, m.id, "signal:" + m.id + ":last_90_days");
          add(Col::SignalTotal, m.id, "signal:" + m.id + ":total");
          break;
        case MeasureType::Goal:
          break;
      }
    }
  }
  write_csv_row(out, header);

  std::vector<std::string> row;
  for (const auto& a : list) {
    const Framework* f = find_framework(frameworks, a.framework);
    bool total = f && f->has_total();
    row.assign(header.size(), std::string());
    auto dated = [](const std::optional<DatedScore>& d, std::string& date, std::string& score) {
      if (!d) return;
      date = format_date(d->date);
      score = short_number(d->score);
    };
    row[0] = a.person;
    row[1] = a.framework;
    row[2] = format_date(a.as_of);
    dated(a.baseline, row[3], row[4]);
    dated(a.latest, row[5], row[6]);
    row[7] = opt_text(a.change);
    row[8] = opt_text(a.rci);
    if (total) row[9] = to_string(a.reliable_change);
    if (a.clinical_significance) row[10] = to_string(*a.clinical_significance);
    if (a.meaningful_change) row[11] = *a.meaningful_change ? "true" : "false";
    row[12] = std::to_string(a.occasions);
    row[13] = std::to_string(a.incomplete_occasions);
    if (total) {
      row[14] = std::to_string(a.direction_changes);
      row[15] = std::to_string(a.setbacks);
    }
    dated(a.best, row[16], row[17]);
    dated(a.worst, row[18], row[19]);
    row[20] = a.baseline_band.value_or("");
    row[21] = a.latest_band.value_or("");
    row[22] = opt_text(a.t_score, kTScoreDecimals);
    if (!a.goals.empty()) {
      auto open =
          std::count_if(a.goals.begin(), a.goals.end(), [](const auto& g) { return g.open; });
      row[23] = std::to_string(open);
      row[24] = std::to_string(static_cast<long>(a.goals.size()) - open);
    }
    row[25] = std::to_string(a.engagement.attended);
    row[26] = std::to_string(a.engagement.missed);
    row[27] = std::to_string(a.engagement.self_initiated);
    row[28] = a.in_open_episode ? "true" : "false";
    for (size_t c = 0; c < columns.size(); ++c) {
      const auto& col = columns[c];
      const Measure* m = f ? f->find_measure(col.measure) : nullptr;
      if (!m) continue;
      std::string& cell = row[fixed + c];
      switch (col.kind) {
        case Col::ItemBaseline:
        case Col::ItemLatest:
        case Col::ItemChange: {
          if (m->type != MeasureType::Scale) break;
          auto it = a.items.find(col.measure);
          if (it == a.items.end()) break;
          const auto& item = it->second;
          if (col.kind == Col::ItemBaseline && item.baseline)
            cell = short_number(item.baseline->score);
          if (col.kind == Col::ItemLatest && item.latest) cell = short_number(item.latest->score);
          if (col.kind == Col::ItemChange) cell = opt_text(item.change);
          break;
        }
        case Col::Status:
          if (auto it = a.statuses.find(col.measure); it != a.statuses.end()) cell = it->second;
          break;
        case Col::Milestone:
          if (auto it = a.milestones.find(col.measure); it != a.milestones.end())
            cell = to_string(it->second);
          break;
        case Col::Signal90:
        case Col::SignalTotal:
          if (auto it = a.signals.find(col.measure); it != a.signals.end())
            cell = std::to_string(col.kind == Col::Signal90 ? it->second.last_90_days
                                                            : it->second.total);
          break;
      }
    }
    write_csv_row(out, row);
  }
}

// --- table

namespace {

std::string dated_text(const std::optional<DatedScore>& d) {
  return d ? fmt::format("{} {}", short_number(d->score), format_date(d->date)) : "-";
}

// "3 achieved, 1 partial": how often each value occurs, in value order.
std::string tally(const std::vector<std::string>& values) {
  std::vector<std::pair<std::string, int>> counts;
  for (const auto& v : values) {
    auto it =
        std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == v; });
    if (it == counts.end())
      counts.emplace_back(v, 1);
    else
      ++it->second;
  }
  std::sort(counts.begin(), counts.end());
  std::string out;
  for (const auto& [value, n] : counts)
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", n, value);
  return out.empty() ? "-" : out;
}

}  // namespace

namespace {

// One framework's table: the columns that hold something for at least one of its rows.
void render_table_group(const std::vector<const Assessment*>& group, const Framework* f,
                        std::ostream& out) {
  struct Column {
    std::string title;
    bool right = false;
  };
  const std::vector<Column> columns = {
      {"PERSON"},        {"BASELINE"},          {"LATEST"},
      {"CHANGE", true},  {"RCI", true},         {"RELIABLE"},
      {"CLINICAL"},      {"OCC", true},         {"INCOMPLETE", true},
      {"TURNS", true},   {"SETBACKS", true},    {"BANDS"},
      {"ITEMS"},         {"STATUSES"},          {"MILESTONES"},
      {"GOALS_T", true}, {"SIGNALS_90D", true}, {"ATTENDED", true},
      {"MISSED", true},  {"SELF", true}};
  std::vector<std::vector<std::string>> rows;
  for (const Assessment* entry : group) {
    const Assessment& a = *entry;
    bool total = f && f->has_total();
    Direction direction = f ? f->scoring.direction : Direction::HigherIsBetter;
    std::vector<std::string> r;
    r.push_back(a.person);
    r.push_back(dated_text(a.baseline));
    r.push_back(dated_text(a.latest));
    r.push_back(a.change ? signed_number(*a.change) : "-");
    r.push_back(a.rci ? short_number(*a.rci) : "-");
    r.push_back(total ? std::string(to_string(a.reliable_change)) : "-");
    r.push_back(a.clinical_significance ? std::string(to_string(*a.clinical_significance)) : "-");
    bool scaled = f && !f->items().empty();
    r.push_back(scaled ? std::to_string(a.occasions) : "-");
    r.push_back(scaled ? std::to_string(a.incomplete_occasions) : "-");
    r.push_back(total ? std::to_string(a.direction_changes) : "-");
    r.push_back(total ? std::to_string(a.setbacks) : "-");
    r.push_back(
        a.baseline_band || a.latest_band
            ? fmt::format("{}->{}", a.baseline_band.value_or("?"), a.latest_band.value_or("?"))
            : "-");
    if (a.items.empty()) {
      r.push_back("-");
    } else {
      int up = 0, down = 0, same = 0;
      for (const auto& [id, item] : a.items) {
        if (!item.change || *item.change == 0)
          ++same;
        else if (better(*item.change, 0, direction))
          ++up;
        else
          ++down;
      }
      r.push_back(fmt::format("{} better, {} worse, {} same", up, down, same));
    }
    std::vector<std::string> values;
    for (const auto& [id, s] : a.statuses) values.push_back(s);
    r.push_back(tally(values));
    values.clear();
    for (const auto& [id, s] : a.milestones) values.emplace_back(to_string(s));
    r.push_back(tally(values));
    r.push_back(a.t_score ? fmt::format("{} ({})", short_number(*a.t_score, kTScoreDecimals),
                                        a.goals.size())
                          : "-");
    if (a.signals.empty()) {
      r.push_back("-");
    } else {
      int n = 0;
      for (const auto& [id, s] : a.signals) n += s.last_90_days;
      r.push_back(std::to_string(n));
    }
    r.push_back(std::to_string(a.engagement.attended));
    r.push_back(std::to_string(a.engagement.missed));
    r.push_back(std::to_string(a.engagement.self_initiated));
    rows.push_back(std::move(r));
  }

  // Columns that hold nothing for any row are left out, so each table shows what applies.
  std::vector<size_t> shown;
  for (size_t c = 0; c < columns.size(); ++c) {
    bool any = c == 0 || c >= columns.size() - 3;
    for (const auto& r : rows) any = any || r[c] != "-";
    if (any) shown.push_back(c);
  }
  std::vector<std::vector<std::string>> cells(rows.size() + 1);
  text::TableStyle style;
  for (size_t c : shown) {
    cells[0].push_back(columns[c].title);
    style.right_aligned.push_back(columns[c].right);
  }
  for (size_t r = 0; r < rows.size(); ++r)
    for (size_t c : shown) cells[r + 1].push_back(std::move(rows[r][c]));
  text::write_table(out, cells, style);
}

}  // namespace

void render_assessments_table(const std::vector<Assessment>& list,
                              const std::vector<const Framework*>& frameworks, std::ostream& out) {
  // One table per framework (their columns mean different things), frameworks in code
  // point order, people in the order given.
  std::map<std::string_view, std::vector<const Assessment*>> groups;
  for (const auto& a : list) groups[a.framework].push_back(&a);
  bool first = true;
  for (const auto& [id, group] : groups) {
    const Framework* f = find_framework(frameworks, id);
    if (!first) out << '\n';
    first = false;
    out << (f && !f->name.empty() ? fmt::format("{}: {}\n", id, f->name) : fmt::format("{}\n", id));
    render_table_group(group, f, out);
  }

  // Copyright notices of the frameworks shown, once each, after the tables.
  std::set<std::string> notices;
  for (const auto& [id, group] : groups) {
    const Framework* f = find_framework(frameworks, id);
    if (f && !f->notice.empty() && notices.insert(f->notice).second)
      out << '\n' << f->notice << '\n';
  }
}

}  // namespace outcomes
