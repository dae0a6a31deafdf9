#include "framework_render.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <ostream>

#include "text.h"

namespace outcomes {

nlohmann::ordered_json framework_to_json(const Framework& fw) {
  using nlohmann::ordered_json;
  auto optional_number = [](const std::optional<double>& v) -> ordered_json {
    return v ? ordered_json(*v) : ordered_json(nullptr);
  };
  ordered_json j;
  j["id"] = fw.id;
  j["name"] = fw.name;
  j["version"] = fw.version;
  j["content_hash"] = fw.content_hash;
  j["source"] = fw.source;
  j["licence"] = fw.licence;
  j["notice"] = fw.notice;
  j["description"] = fw.description;
  j["rules"] = fw.rules;
  j["statuses"] = ordered_json::array();
  for (const auto& s : fw.statuses)
    j["statuses"].push_back(
        ordered_json{{"id", s.id}, {"name", s.name}, {"means", to_string(s.means)}});

  const Scoring& s = fw.scoring;
  ordered_json scoring;
  scoring["total"] = to_string(s.total);
  scoring["conversion"] = ordered_json::array();
  for (const auto& [raw, score] : s.conversion)
    scoring["conversion"].push_back(ordered_json{{"raw", raw}, {"score", score}});
  scoring["direction"] = to_string(s.direction);
  scoring["bands"] = ordered_json::array();
  for (const auto& b : s.bands)
    scoring["bands"].push_back(
        ordered_json{{"id", b.id}, {"name", b.name}, {"min", b.min}, {"max", b.max}});
  scoring["reliability"] = s.reliability ? ordered_json{{"value", s.reliability->value},
                                                        {"kind", s.reliability->kind},
                                                        {"source", s.reliability->source}}
                                         : ordered_json(nullptr);
  scoring["reference_sd"] = optional_number(s.reference_sd);
  scoring["minimum_change"] = optional_number(s.minimum_change);
  scoring["minimum_interval"] = s.minimum_interval
                                    ? ordered_json(format_duration(*s.minimum_interval))
                                    : ordered_json(nullptr);
  scoring["sem"] = optional_number(s.sem);
  if (s.norms) {
    scoring["norms"] = ordered_json{
        {"functional", {{"mean", s.norms->functional.mean}, {"sd", s.norms->functional.sd}}},
        {"dysfunctional",
         {{"mean", s.norms->dysfunctional.mean}, {"sd", s.norms->dysfunctional.sd}}}};
  } else {
    scoring["norms"] = nullptr;
  }
  scoring["population"] = s.population;
  scoring["missing"] = to_string(s.missing);
  scoring["prorate_max_missing"] = s.prorate_max_missing;
  j["scoring"] = std::move(scoring);

  if (fw.goal_scale) {
    const GoalScale& g = *fw.goal_scale;
    ordered_json levels = ordered_json::array();
    for (const auto& [level, label] : g.levels)
      levels.push_back(ordered_json{{"level", level}, {"label", label}});
    j["goal_scale"] = ordered_json{{"min", g.min},
                                   {"max", g.max},
                                   {"baseline", g.baseline},
                                   {"rho", g.rho},
                                   {"levels", std::move(levels)}};
  } else {
    j["goal_scale"] = nullptr;
  }

  j["domains"] = ordered_json::array();
  for (const auto& d : fw.domains) {
    ordered_json dj;
    dj["id"] = d.id;
    dj["name"] = d.name;
    dj["description"] = d.description;
    dj["measures"] = ordered_json::array();
    for (const auto& id : d.measures) {
      const Measure* m = fw.find_measure(id);
      if (m == nullptr) continue;
      const bool scale = m->type == MeasureType::Scale;
      ordered_json mj;
      mj["id"] = m->id;
      mj["name"] = m->name;
      mj["type"] = to_string(m->type);
      mj["nature"] = to_string(m->nature);
      mj["definition"] = m->definition;
      mj["indicators"] = m->indicators;
      mj["min"] = scale ? ordered_json(m->lowest()) : ordered_json(nullptr);
      mj["max"] = scale ? ordered_json(m->highest()) : ordered_json(nullptr);
      mj["values"] = scale && !m->values.empty() ? ordered_json(m->values) : ordered_json(nullptr);
      mj["weight"] = scale ? ordered_json(m->weight) : ordered_json(nullptr);
      mj["label"] = m->label;
      mj["sustain"] =
          m->sustain ? ordered_json(format_duration(*m->sustain)) : ordered_json(nullptr);
      ordered_json anchors = ordered_json::array();
      for (const auto& [value, text] : m->anchors)
        anchors.push_back(ordered_json{{"value", value}, {"text", text}});
      mj["anchors"] = std::move(anchors);
      dj["measures"].push_back(std::move(mj));
    }
    j["domains"].push_back(std::move(dj));
  }
  return j;
}

// ---------------------------------------------------------------------------------------
// Rendering.

namespace {

// A plain text table: columns padded to their widest cell, two spaces apart.
void render_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows,
                  std::string_view indent) {
  text::write_table(out, rows, {.indent = indent, .right_aligned = {}, .rule = false});
}

std::string measure_details(const Measure& m) {
  std::string out;
  if (m.type == MeasureType::Scale) {
    out = m.values.empty() ? fmt::format("{}..{}", m.min, m.max)
                           : fmt::format("{{{}}}", fmt::join(m.values, ", "));
    if (m.weight != 1) out += fmt::format(" weight {}", text::number_as_written(m.weight));
  } else if (m.type == MeasureType::Milestone && m.sustain) {
    out = "sustain " + format_duration(*m.sustain);
  }
  return out;
}

std::string humanize(std::string_view id) {
  std::string out(id);
  std::replace(out.begin(), out.end(), '_', ' ');
  return out;
}

}  // namespace

void render_framework_summary(std::ostream& out, const Framework& fw) {
  out << fw.id << " — " << fw.name << '\n';
  std::vector<std::vector<std::string>> head{
      {"Version:", fmt::format("{} (content hash {})", fw.version, fw.content_hash)},
      {"Source:", fw.source},
      {"Licence:", fw.licence}};
  if (!fw.notice.empty()) head.push_back({"Notice:", fw.notice});
  if (!fw.description.empty()) head.push_back({"About:", fw.description});
  render_table(out, head, "");
  if (!fw.rules.empty()) {
    out << "Rules:\n";
    for (const auto& r : fw.rules) out << "  - " << r << '\n';
  }
  bool has_status = false;
  for (const auto& m : fw.measures) has_status = has_status || m.type == MeasureType::Status;
  if (has_status) {
    out << "\nStatuses:\n";
    std::vector<std::vector<std::string>> rows{{"ID", "NAME", "MEANS"}};
    for (const auto& st : fw.statuses)
      rows.push_back({st.id, st.name, std::string(to_string(st.means))});
    render_table(out, rows, "  ");
  }
  for (const auto& d : fw.domains) {
    out << fmt::format("\nDomain {} — {} ({} measure{})\n", d.id, d.name, d.measures.size(),
                       d.measures.size() == 1 ? "" : "s");
    if (!d.description.empty()) out << "  " << d.description << '\n';
    std::vector<std::vector<std::string>> rows{{"ID", "NAME", "TYPE", "NATURE", "ALLOWED"}};
    for (const auto& id : d.measures) {
      const Measure* m = fw.find_measure(id);
      if (m == nullptr) continue;
      rows.push_back({m->id, m->name, std::string(to_string(m->type)),
                      std::string(to_string(m->nature)), measure_details(*m)});
    }
    render_table(out, rows, "  ");
    for (const auto& id : d.measures) {
      const Measure* m = fw.find_measure(id);
      if (m == nullptr || (m->indicators.empty() && m->label.empty() && m->anchors.empty()))
        continue;
      out << "  " << m->id << ":\n";
      if (!m->label.empty()) out << "    label: " << m->label << '\n';
      for (const auto& [value, text] : m->anchors) out << "    " << value << " = " << text << '\n';
      for (const auto& ind : m->indicators) out << "    - " << ind << '\n';
    }
  }
  const auto items = fw.items();
  if (!items.empty()) {
    const Scoring& s = fw.scoring;
    std::vector<std::vector<std::string>> rows;
    if (s.total == ScoreRule::None) {
      rows.push_back({"Total:", "none (each item is followed on its own)"});
    } else {
      double lo = 0, hi = 0;
      for (const Measure* m : items) {
        const double w = s.total == ScoreRule::WeightedSum ? m->weight : 1.0;
        lo += w * m->lowest();
        hi += w * m->highest();
      }
      rows.push_back(
          {"Total:", fmt::format("{} of {} items, raw {}..{}", humanize(to_string(s.total)),
                                 items.size(), text::number_as_written(lo), text::number_as_written(hi))});
    }
    if (!s.conversion.empty()) {
      std::vector<std::string> pairs;
      for (const auto& [raw, score] : s.conversion)
        pairs.push_back(fmt::format("{}→{:.2f}", raw, score));
      rows.push_back(
          {"Conversion:", fmt::format("{} raw totals (raw→score)", s.conversion.size())});
      for (std::size_t i = 0; i < pairs.size(); i += 8) {
        std::vector<std::string> line(
            pairs.begin() + static_cast<std::ptrdiff_t>(i),
            pairs.begin() + static_cast<std::ptrdiff_t>(std::min(pairs.size(), i + 8)));
        rows.push_back({"", fmt::format("{}", fmt::join(line, "  "))});
      }
    }
    rows.push_back({"Direction:", humanize(to_string(s.direction))});
    if (!s.bands.empty()) {
      std::vector<std::string> bands;
      for (const auto& b : s.bands)
        bands.push_back(fmt::format("{} {}..{} ({})", b.id, text::number_as_written(b.min),
                                    text::number_as_written(b.max), b.name));
      rows.push_back({"Bands:", fmt::format("{}", fmt::join(bands, "; "))});
    }
    if (s.reliability)
      rows.push_back(
          {"Reliability:",
           fmt::format("{} ({}{}{})", text::number_as_written(s.reliability->value),
                       humanize(s.reliability->kind), s.reliability->source.empty() ? "" : "; ",
                       s.reliability->source)});
    else
      rows.push_back({"Reliability:", "not given (no reliable change index)"});
    if (s.reference_sd) rows.push_back({"Reference SD:", text::number_as_written(*s.reference_sd)});
    if (s.minimum_change) rows.push_back({"Minimum change:", text::number_as_written(*s.minimum_change)});
    if (s.minimum_interval)
      rows.push_back({"Minimum interval:", format_duration(*s.minimum_interval)});
    if (s.sem) rows.push_back({"SEM:", text::number_as_written(*s.sem)});
    if (s.norms)
      rows.push_back({"Norms:", fmt::format("functional mean {} sd {}; dysfunctional mean {} sd {}",
                                            text::number_as_written(s.norms->functional.mean),
                                            text::number_as_written(s.norms->functional.sd),
                                            text::number_as_written(s.norms->dysfunctional.mean),
                                            text::number_as_written(s.norms->dysfunctional.sd))});
    for (const auto& p : s.population) rows.push_back({"Population:", p});
    rows.push_back({"Missing items:",
                    s.missing == MissingRule::Incomplete
                        ? std::string("occasion incomplete, not scored")
                        : fmt::format("prorated when at most {} missing", s.prorate_max_missing)});
    out << "\nScoring:\n";
    render_table(out, rows, "  ");
  }
  if (fw.goal_scale) {
    const GoalScale& g = *fw.goal_scale;
    out << fmt::format("\nGoal scale: {}..{}, baseline {}, rho {}\n", g.min, g.max, g.baseline,
                       text::number_as_written(g.rho));
    for (const auto& [level, label] : g.levels) out << fmt::format("  {:>2}  {}\n", level, label);
  }
}

void render_framework_list(std::ostream& out, const std::vector<Framework>& frameworks) {
  std::vector<std::vector<std::string>> rows{{"ID", "NAME", "VERSION", "MEASURES", "SOURCE"}};
  for (const auto& fw : frameworks) {
    std::string source = fw.source;
    // Citations are long; the table shows their start (show or --format json has all of it).
    if (text::width(source) > 60) {
      std::size_t cut = 0, n = 0;
      while (cut < source.size() && n < 57) {
        ++cut;
        while (cut < source.size() && (static_cast<unsigned char>(source[cut]) & 0xC0) == 0x80)
          ++cut;
        ++n;
      }
      source = source.substr(0, cut) + "...";
    }
    rows.push_back({fw.id, fw.name, fw.version, std::to_string(fw.measures.size()), source});
  }
  render_table(out, rows, "");
}

nlohmann::ordered_json framework_list_to_json(const std::vector<Framework>& frameworks) {
  auto out = nlohmann::ordered_json::array();
  for (const auto& fw : frameworks)
    out.push_back(nlohmann::ordered_json{{"id", fw.id},
                                         {"name", fw.name},
                                         {"version", fw.version},
                                         {"content_hash", fw.content_hash},
                                         {"measures", fw.measures.size()},
                                         {"source", fw.source},
                                         {"file", fw.path.filename().string()}});
  return out;
}

namespace {

// Text for a comment line of a CSV template: a double quote would open a quoted field.
std::string comment_text(std::string_view text) {
  std::string out(text);
  std::replace(out.begin(), out.end(), '"', '\'');
  return out;
}

// The columns and allowed values of the long layout for one measure.
std::string long_layout_line(const Framework& fw, const Measure& m) {
  std::vector<std::string> statuses;
  for (const auto& s : fw.statuses) statuses.push_back(s.id);
  switch (m.type) {
    case MeasureType::Status:
      return fmt::format("kind status, status one of {} (or kind need, status open or met, "
                         "text the need)",
                         fmt::join(statuses, ", "));
    case MeasureType::Scale:
      return fmt::format("kind assessment, value {}", m.allowed_text());
    case MeasureType::Milestone:
      return "kind milestone, status start or end";
    case MeasureType::Signal:
      return "kind signal";
    case MeasureType::Goal:
      break;
  }
  return "kind goal";
}

}  // namespace

void render_import_template(std::ostream& out, const Framework& fw) {
  const auto items = fw.items();
  const bool wide = !items.empty();
  out << fmt::format("# Import template for framework {} ({}, version {}).\n", fw.id,
                     comment_text(fw.name), comment_text(fw.version));
  out << "# Lines starting with # above the header are skipped; fill one row per line below it.\n";
  out << "# Dates are YYYY-MM-DD; by (who recorded it) may be left empty.\n";
  if (wide) {
    out << fmt::format("# Import with: outcomes record --from FILE --wide --framework {}\n",
                       fw.id);
    out << "# One row per person and date; leave an item empty when it was not scored.\n";
    out << "# Allowed scores:\n";
    for (const Measure* m : items)
      out << fmt::format("#   {} ({}): {}\n", m->id, comment_text(m->name), m->allowed_text());
    if (items.size() < fw.measures.size())
      out << "# Its other measures go in the long layout (person,date,kind,framework,measure,"
             "value,status,text,by), imported without --wide.\n";
    out << "person,date";
    for (const Measure* m : items) out << ',' << m->id;
    out << ",by\n";
    return;
  }
  out << "# Import with: outcomes record --from FILE\n";
  out << fmt::format("# One row per entry; framework is {}; measure is one of:\n", fw.id);
  for (const auto& m : fw.measures) {
    if (m.type == MeasureType::Goal) continue;
    out << fmt::format("#   {} ({}): {}\n", m.id, comment_text(m.name), long_layout_line(fw, m));
  }
  if (fw.goal_scale)
    out << fmt::format(
        "#   goals: kind goal, measure your own goal key, status set, review or close, value "
        "the attainment {}..{}, text the goal in the person's words\n",
        fw.goal_scale->min, fw.goal_scale->max);
  out << "person,date,kind,framework,measure,value,status,text,by\n";
}

}  // namespace outcomes
