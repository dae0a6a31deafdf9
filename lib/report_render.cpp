// Renderers of the Report model: json, table, markdown, csv and html.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>
#include <variant>

#include "disclosure.h"
#include "report.h"
#include "text.h"

namespace outcomes {
namespace {

using ojson = nlohmann::ordered_json;

constexpr std::string_view kNotAssessed = "not_assessed";

// --- numbers ---------------------------------------------------------------------------

double rounded(double v, int decimals) {
  double r = round_to(v, decimals);
  return r == 0 ? 0.0 : r;  // never "-0.00"
}

// A hidden count: "<k" when it is small, "*" when hidden only to protect another cell.
std::string count_text(const Count& c, int threshold) {
  if (c.secondary) return "*";
  return c.suppressed ? fmt::format("<{}", threshold) : fmt::format("{}", c.n);
}

ojson count_json(const Count& c, int threshold) {
  if (c.suppressed) return count_text(c, threshold);
  return c.n;
}

ojson number_json(const std::optional<double>& v, int decimals) {
  if (!v) return nullptr;
  return rounded(*v, decimals);
}

std::string number_text(const std::optional<double>& v, int decimals, bool sign = false) {
  if (!v) return "-";
  std::string s = text::fixed_number(*v, decimals);
  return sign ? text::with_sign(std::move(s)) : s;
}

// A percentage with what it is a share of: "45.5% (5 of 11)"; "-" when withheld.
std::string percent_text(const std::optional<double>& v, int64_t part, int64_t whole) {
  return v ? fmt::format("{}% ({} of {})", number_text(v, 1), part, whole) : "-";
}

// The people a status measure's percent_achieved is a share of.
int64_t percent_denominator(const StatusFigures& m) {
  int64_t n = 0;
  for (const auto& sc : m.counts)
    if (sc.counted()) n += sc.count.n;
  return n;
}

// Decimals used for a summary figure.
int figure_decimals(const std::string& figure) {
  return figure == "mean_change" ? 2 : 1;
}

std::string figure_text(const SummaryRow& row, int threshold) {
  if (row.figure == "percent_achieved")
    return percent_text(row.value, row.count.n, row.denominator);
  if (row.figure == "mean_change") return number_text(row.value, 2, true);
  if (row.figure == "mean_t_score") return number_text(row.value, 1);
  return count_text(row.count, threshold);
}

std::string figure_label(const std::string& figure) {
  if (figure == "percent_achieved") return "% achieved";
  if (figure == "mean_change") return "mean change";
  if (figure == "mean_t_score") return "mean T-score";
  if (figure == "achieved") return "achieved (sustained)";
  if (figure == "total") return "signals in period";
  return figure;
}

std::string count_label(const SummaryRow& row) {
  if (row.type == "status") return "achieved";
  if (row.type == "signal") return "entries";
  if (row.type == "milestone") return "people";
  return "people";
}

// An id for display: underscores become spaces so headers can wrap.
std::string display_id(const std::string& id) {
  std::string out = id;
  std::replace(out.begin(), out.end(), '_', ' ');
  return out;
}

// At most `limit` code points, ending in "…" when cut.
std::string shortened(const std::string& s, std::size_t limit) {
  std::size_t points = 0, i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (points == limit - 1) break;
      ++points;
    }
  }
  if (i >= s.size()) return s;
  std::string out = s.substr(0, i);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out + "\u2026";
}

std::string where_text(const Report& r) {
  std::string out;
  for (const auto& [a, v] : r.where) out += (out.empty() ? "" : ", ") + a + "=" + v;
  return out;
}

std::string period_text(const Report& r) {
  return format_date(r.from) + " to " + format_date(r.to);
}

// Which services a combined report covers and whether its people were linked.
std::string services_text(const CombinedServices& c) {
  return fmt::format(
      "Services combined: {}. {}", fmt::join(c.services, ", "),
      c.people_linked
          ? "People are linked across services by a shared pseudonym key: someone at several "
            "services counts once, and their journeys are read as one."
          : "People are not linked across services: each service's people are its own, so "
            "someone at two services counts twice.");
}

std::string suppression_text(const Report& r) {
  if (!r.suppression_applied)
    return "Small-number suppression is off (--no-suppress): handle with care.";
  return fmt::format(
      "Counts from 1 to {} are shown as <{}; zeros are shown. Counts tied by a total or an "
      "identity (the caseload flow, each breakdown column against its caseload figure, statuses "
      "against active people, contact types against contacts, change categories against people "
      "with a change) are checked together: where the counts shown would let a hidden count be "
      "worked out, or pin it to one possible value, the smallest further count that prevents it "
      "is hidden too and shown as *. Percentages and means of hidden groups are withheld (-).",
      r.threshold - 1, r.threshold);
}

// --- a document model shared by table, markdown and html ---------------------------------

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> right;  // right-align column (numbers)
};

struct Block {
  std::variant<std::string, Table> content;  // a paragraph or a table
};

struct Section {
  std::string id;  // html anchor / chart slot
  std::string title;
  std::vector<Block> blocks;
};

Table make_table(std::vector<std::string> header, std::size_t left_columns = 1) {
  Table t;
  t.right.assign(header.size(), true);
  for (std::size_t i = 0; i < left_columns && i < header.size(); ++i) t.right[i] = false;
  t.header = std::move(header);
  return t;
}

std::string nature_text(Nature n) {
  return n == Nature::Soft ? "soft" : "hard";
}

std::string category_label(std::string_view id) {
  if (id == "improved") return "Improved (reliable)";
  if (id == "no_reliable_change") return "No reliable change";
  if (id == "deteriorated") return "Deteriorated (reliable)";
  if (id == "insufficient_data") return "Insufficient data (one occasion or too soon)";
  return std::string(id);
}

std::vector<Section> document(const Report& r) {
  const int k = r.threshold;
  auto c = [k](const Count& x) { return count_text(x, k); };
  std::vector<Section> doc;

  Section intro{"summary", "Period and cohort", {}};
  if (!r.period_complete)
    intro.blocks.push_back({fmt::format(
        "Period not yet complete: today is {}, so figures for this period will still change.",
        r.today ? format_date(*r.today) : std::string("within it"))});
  intro.blocks.push_back({std::string("Period: " + period_text(r))});
  intro.blocks.push_back(
      {std::string("Cohort: " + (r.where.empty() ? std::string("everyone") : where_text(r)))});
  if (r.combined) intro.blocks.push_back({services_text(*r.combined)});
  doc.push_back(std::move(intro));

  Section caseload{"caseload", "Caseload (people)", {}};
  {
    Table t = make_table({"Measure", "People"});
    t.rows = {{"Active in the period", c(r.caseload.active)},
              {"New (first enrolment)", c(r.caseload.new_)},
              {"Re-engaged", c(r.caseload.reengaged)},
              {"Exited", c(r.caseload.exited)},
              {"Open at the start", c(r.caseload.open_at_start)},
              {"Open at the end", c(r.caseload.open_at_end)}};
    caseload.blocks.push_back({t});
  }
  doc.push_back(std::move(caseload));

  Section engagement{"engagement", "Engagement (contacts in the period)", {}};
  {
    Table t = make_table({"Measure", "Count"});
    const auto& e = r.engagement;
    t.rows = {{"Contacts", c(e.contacts)}, {"Attended", c(e.attended)},
              {"Missed", c(e.missed)},     {"Self-initiated", c(e.self_initiated)},
              {"Outreach", c(e.outreach)}, {"People contacted", c(e.people_contacted)}};
    engagement.blocks.push_back({t});
  }
  doc.push_back(std::move(engagement));

  Section summary{"soft-hard", "Soft and hard outcomes side by side", {}};
  summary.blocks.push_back({std::string(
      "Every measure is tagged soft (relational) or hard. Distance travelled and relational "
      "signals sit beside end-point results.")});
  for (Nature nature : {Nature::Soft, Nature::Hard}) {
    Table t = make_table({nature == Nature::Soft ? "Soft (relational)" : "Hard", "Framework",
                          "Figure", "Value", "Count"},
                         3);
    for (const auto& row : r.summary)
      if (row.nature == nature && row.assessed)
        t.rows.push_back({row.name, row.framework, figure_label(row.figure), figure_text(row, k),
                          c(row.count) + " " + count_label(row)});
    if (!t.rows.empty()) summary.blocks.push_back({t});
  }
  if (r.summary.empty())
    summary.blocks.push_back({std::string("No framework has data among the active people.")});
  if (auto left_out = std::count_if(r.summary.begin(), r.summary.end(),
                                    [](const SummaryRow& row) { return !row.assessed; }))
    summary.blocks.push_back({fmt::format(
        "{} {} with nothing assessed in the period {} left out of this table and its chart.",
        left_out, left_out == 1 ? "measure" : "measures", left_out == 1 ? "is" : "are")});
  doc.push_back(std::move(summary));

  for (const auto& f : r.frameworks) {
    Section s{"fw-" + f.id, fmt::format("{} ({} {})", f.name, f.id, f.version), {}};
    s.blocks.push_back({fmt::format("Active people with entries: {}", c(f.people))});
    if (!f.measures.empty()) {
      std::vector<std::string> header{"Outcome"};
      for (const auto& sc : f.measures.front().counts) header.push_back(display_id(sc.status));
      header.push_back("% achieved");
      Table t = make_table(header);
      for (const auto& m : f.measures) {
        std::vector<std::string> row{m.name};
        for (const auto& sc : m.counts) row.push_back(c(sc.count));
        row.resize(header.size() - 1);
        row.push_back(percent_text(m.percent_achieved, m.achieved.n, percent_denominator(m)));
        t.rows.push_back(std::move(row));
      }
      s.blocks.push_back({t});
    }
    if (f.change) {
      const auto& ch = *f.change;
      s.blocks.push_back({fmt::format(
          "Distance travelled on the total score: {} people, mean change {}{}.", c(ch.people),
          number_text(ch.mean_change, 2, true),
          f.direction == Direction::LowerIsBetter ? " (lower is better)" : " (higher is better)")});
      Table t = make_table({"Reliable change", "People"});
      // Without a reliability test every measured change would sit in one row saying so;
      // the notes say once why, and only what can be told apart is listed.
      if (f.reliable_change_threshold)
        t.rows = {{category_label("improved"), c(ch.improved)},
                  {category_label("no_reliable_change"), c(ch.no_reliable_change)},
                  {category_label("deteriorated"), c(ch.deteriorated)}};
      t.rows.push_back({category_label("insufficient_data"), c(ch.insufficient_data)});
      if (ch.meaningful && f.minimum_change)
        t.rows.push_back({fmt::format("Improved by at least the minimum meaningful change ({})",
                                      text::short_number(*f.minimum_change)),
                          c(*ch.meaningful)});
      s.blocks.push_back({t});
    }
    if (!f.items.empty()) {
      Table t = make_table({"Item", "Nature", "People", "Mean change"}, 2);
      for (const auto& i : f.items)
        t.rows.push_back(
            {i.name, nature_text(i.nature), c(i.people), number_text(i.mean_change, 2, true)});
      s.blocks.push_back({t});
      s.blocks.push_back({fmt::format(
          "Non-linear journeys (better than at baseline despite at least one setback): {} people.",
          c(f.non_linear_journeys))});
    }
    if (!f.milestones.empty()) {
      Table t = make_table({"Milestone", "Nature", "Achieved", "In progress", "Ended"}, 2);
      for (const auto& m : f.milestones)
        t.rows.push_back(
            {m.name, nature_text(m.nature), c(m.achieved), c(m.in_progress), c(m.ended)});
      s.blocks.push_back({t});
    }
    if (!f.signals.empty()) {
      Table t = make_table({"Relational signal", "In the period"});
      for (const auto& g : f.signals) t.rows.push_back({g.name, c(g.total)});
      s.blocks.push_back({t});
    }
    if (f.goals)
      s.blocks.push_back(
          {fmt::format("Person-led goals: {} people, mean T-score {} (50 = goals met as expected).",
                       c(f.goals->people), number_text(f.goals->mean_t_score, 1))});
    doc.push_back(std::move(s));
  }

  Section breakdowns{"breakdowns", "Breakdowns (people)", {}};
  for (const auto& b : r.breakdowns) {
    Table t = make_table({b.name, "Active", "New", "Re-engaged", "Exited"});
    for (const auto& cell : b.cells)
      t.rows.push_back(
          {cell.value, c(cell.active), c(cell.new_), c(cell.reengaged), c(cell.exited)});
    breakdowns.blocks.push_back({t});
  }
  if (r.breakdowns.empty())
    breakdowns.blocks.push_back(
        {std::string("No equality attributes are declared in outcomes.yaml.")});
  doc.push_back(std::move(breakdowns));

  Section quality{"data-quality", "Data quality", {}};
  {
    Table t = make_table({"Check", "Count"});
    t.rows = {
        {"Active people with no baseline", c(r.data_quality.no_baseline)},
        {fmt::format("Reviews overdue (last occasion over {} days before the end)",
                     r.review_interval_days),
         c(r.data_quality.overdue_review)},
        {"Incomplete occasions", c(r.data_quality.incomplete_occasions)},
        {"Late entries (recorded in the period, dated earlier)", c(r.data_quality.late_entries)}};
    if (r.data_quality.values_outside_range.n > 0)
      t.rows.push_back({"Values the edited framework no longer allows (left out)",
                        c(r.data_quality.values_outside_range)});
    quality.blocks.push_back({t});
  }
  doc.push_back(std::move(quality));

  Section stories{"stories", "Stories (shared with consent)", {}};
  for (const auto& st : r.stories)
    stories.blocks.push_back(
        {fmt::format("{} ({}): \u201c{}\u201d", st.person, format_date(st.date), st.excerpt)});
  if (r.stories.empty())
    stories.blocks.push_back({std::string("No shareable notes are dated in the period.")});
  doc.push_back(std::move(stories));

  Section notes{"notes", "Notes", {}};
  notes.blocks.push_back({suppression_text(r)});
  for (const auto& f : r.frameworks)
    if (f.change && !f.reliable_change_threshold)
      notes.blocks.push_back({fmt::format(
          "{}: change on the total score is shown without a reliable-change category. The "
          "framework gives neither a reference SD with a reliability coefficient nor a standard "
          "error of measurement, so no change can be told apart from measurement error; a "
          "service with its own figures can add them to the framework's scoring.",
          f.name)});
  for (const auto& n : r.notices) notes.blocks.push_back({n.text});
  for (const auto& w : r.framework_warnings) notes.blocks.push_back({w});
  doc.push_back(std::move(notes));
  return doc;
}

using text::width;

std::string title_line(const Report& r) {
  if (r.combined)
    return fmt::format("Outcomes report: services {}", fmt::join(r.combined->services, ", "));
  return r.service.empty() ? "Outcomes report" : "Outcomes report: " + r.service;
}

// --- html helpers ------------------------------------------------------------------------

using text::html_escape;

std::string num(double v) {
  return text::fixed_number(v, 1);
}

// Fill patterns readable without colour: solid dark, diagonal hatch, dots, light, open.
constexpr int kPatterns = 6;
std::string pattern_defs(const std::string& prefix) {
  std::string d = "<defs>";
  d += fmt::format(
      "<pattern id='{0}p1' width='6' height='6' patternUnits='userSpaceOnUse' "
      "patternTransform='rotate(45)'><rect width='6' height='6' fill='#fff'/>"
      "<line x1='0' y1='0' x2='0' y2='6' stroke='#333' stroke-width='3'/></pattern>",
      prefix);
  d += fmt::format(
      "<pattern id='{0}p2' width='5' height='5' patternUnits='userSpaceOnUse'>"
      "<rect width='5' height='5' fill='#fff'/><circle cx='2.5' cy='2.5' r='1.2' fill='#333'/>"
      "</pattern>",
      prefix);
  d += fmt::format(
      "<pattern id='{0}p4' width='6' height='6' patternUnits='userSpaceOnUse'>"
      "<rect width='6' height='6' fill='#fff'/><path d='M0 3H6M3 0V6' stroke='#555' "
      "stroke-width='1'/></pattern>",
      prefix);
  d += fmt::format(
      "<pattern id='{0}sup' width='4' height='4' patternUnits='userSpaceOnUse' "
      "patternTransform='rotate(-45)'><rect width='4' height='4' fill='#fff'/>"
      "<line x1='0' y1='0' x2='0' y2='4' stroke='#999' stroke-width='1'/></pattern>",
      prefix);
  d += "</defs>";
  return d;
}

std::string fill_for(int index, const std::string& prefix) {
  switch (index % kPatterns) {
    case 0:
      return "#1f3a5f";
    case 1:
      return "url(#" + prefix + "p1)";
    case 2:
      return "url(#" + prefix + "p2)";
    case 3:
      return "#b8c4d6";
    case 4:
      return "url(#" + prefix + "p4)";
    default:
      return "#ffffff";
  }
}

// A status's fill by what it means: achieved solid dark, partial hatched, not achieved dotted,
// not relevant light, not assessed open (white), anything else cross-hatched.
int status_fill(const StatusCount& sc) {
  if (!sc.means) return sc.status == kNotAssessed ? 5 : 4;
  switch (*sc.means) {
    case StatusMeaning::Achieved:
      return 0;
    case StatusMeaning::Partial:
      return 1;
    case StatusMeaning::NotAchieved:
      return 2;
    case StatusMeaning::NotRelevant:
      return 3;
  }
  return 4;
}

// Text colour that reads on a fill (white on the dark solid, black elsewhere).
std::string text_on(int index) {
  return index % kPatterns == 0 ? "#fff" : "#000";
}

struct Svg {
  std::string id;
  int width = 700;
  int height = 0;
  std::string title;
  std::string desc;
  std::string body;

  std::string str() const {
    return fmt::format(
        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {0} {1}' width='100%' "
        "role='img' aria-labelledby='{2}-t {2}-d'><title id='{2}-t'>{3}</title>"
        "<desc id='{2}-d'>{4}</desc>{5}</svg>\n",
        width, height, id, html_escape(title), html_escape(desc), body);
  }
};

std::string text_el(double x, double y, const std::string& s, const std::string& extra = "") {
  return fmt::format("<text x='{}' y='{}'{}>{}</text>", num(x), num(y),
                     extra.empty() ? "" : " " + extra, html_escape(s));
}

std::string rect_el(double x, double y, double w, double h, const std::string& fill) {
  return fmt::format(
      "<rect x='{}' y='{}' width='{}' height='{}' fill='{}' stroke='#333' "
      "stroke-width='0.6'/>",
      num(x), num(y), num(std::max(w, 0.0)), num(std::max(h, 0.0)), fill);
}

// Caseload flow: open at start, in (new, re-engaged), out (exited), open at end.
std::string caseload_chart(const Report& r) {
  const int k = r.threshold;
  const auto& cl = r.caseload;
  struct Bar {
    std::string label;
    const Count* count;
    int fill;
  };
  std::vector<Bar> bars = {{"Open at the start", &cl.open_at_start, 3},
                           {"New", &cl.new_, 0},
                           {"Re-engaged", &cl.reengaged, 1},
                           {"Exited", &cl.exited, 2},
                           {"Open at the end", &cl.open_at_end, 3},
                           {"Active in the period", &cl.active, 0}};
  double max = 1;
  for (const auto& b : bars) max = std::max<double>(max, b.count->suppressed ? k : b.count->n);
  Svg svg{"chart-caseload", 700, static_cast<int>(bars.size()) * 30 + 20, "Caseload flow", "", ""};
  svg.body = pattern_defs("cl");
  std::string desc = "Horizontal bars of people: ";
  const double x0 = 170, span = 460;
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const auto& b = bars[i];
    double y = 10 + static_cast<double>(i) * 30;
    double v = b.count->suppressed ? k - 1 : static_cast<double>(b.count->n);
    std::string label = count_text(*b.count, k);
    desc += fmt::format("{}{} {}", i ? "; " : "", b.label, label);
    svg.body += text_el(x0 - 8, y + 16, b.label, "text-anchor='end'");
    svg.body += rect_el(x0, y, span * v / max, 22,
                        b.count->suppressed ? "url(#clsup)" : fill_for(b.fill, "cl"));
    svg.body += text_el(x0 + span * v / max + 6, y + 16, label);
  }
  svg.desc = desc + ".";
  return svg.str();
}

// One 100% stacked bar per status measure, with direct labels and a legend of patterns.
std::string status_chart(const FrameworkFigures& f, int k, bool active_hidden, int index) {
  if (f.measures.empty()) return "";
  const std::string prefix = fmt::format("st{}", index);
  const double x0 = 230, span = 440;
  const int row_h = 26;
  Svg svg{"chart-status-" + f.id, 700, 0, "Statuses per outcome: " + f.name, "", ""};
  svg.body = pattern_defs(prefix);
  std::string desc;
  double y = 8;
  for (const auto& m : f.measures) {
    int64_t total = 0, hidden = 0;
    for (const auto& sc : m.counts) total += sc.count.n;
    for (const auto& sc : m.counts) hidden += sc.count.suppressed ? sc.count.n : 0;
    svg.body += text_el(x0 - 8, y + 15, shortened(m.name, 36), "text-anchor='end' class='lab'");
    desc += m.name + ": ";
    double x = x0;
    if (total == 0) {
      svg.body += rect_el(x0, y, span, 20, "#fff");
      svg.body += text_el(x0 + 6, y + 15, "no active people");
    }
    // With the total hidden, the bars' proportions would give it back: one hidden bar.
    if (total > 0 && active_hidden) {
      svg.body += rect_el(x0, y, span, 20, "url(#" + prefix + "sup)");
      for (const auto& sc : m.counts) desc += fmt::format("{} {}; ", sc.status, count_text(sc.count, k));
      y += row_h;
      continue;
    }
    for (std::size_t i = 0; i < m.counts.size() && total > 0; ++i) {
      const auto& sc = m.counts[i];
      desc += fmt::format("{} {}; ", sc.status, count_text(sc.count, k));
      if (sc.count.suppressed || sc.count.n == 0) continue;
      double w = span * static_cast<double>(sc.count.n) / static_cast<double>(total);
      int fill = status_fill(sc);
      svg.body += rect_el(x, y, w, 20, fill_for(fill, prefix));
      if (w > 26)
        svg.body +=
            text_el(x + w / 2, y + 14, std::to_string(sc.count.n),
                    fmt::format("text-anchor='middle' fill='{}' class='lab'", text_on(fill)));
      x += w;
    }
    if (hidden > 0) {
      // Hidden cells are drawn together: their sum follows from the total anyway.
      double w = span * static_cast<double>(hidden) / static_cast<double>(total);
      svg.body += rect_el(x, y, w, 20, "url(#" + prefix + "sup)");
    }
    y += row_h;
  }
  // Legend.
  double lx = 10;
  y += 6;
  for (const auto& sc : f.measures.front().counts) {
    std::string label = display_id(sc.status);
    svg.body += rect_el(lx, y, 14, 14, fill_for(status_fill(sc), prefix));
    svg.body += text_el(lx + 18, y + 12, label, "class='lab'");
    lx += 28 + 6.0 * static_cast<double>(label.size());
  }
  svg.body += rect_el(lx, y, 14, 14, "url(#" + prefix + "sup)");
  svg.body += text_el(lx + 18, y + 12, fmt::format("hidden (<{})", k), "class='lab'");
  svg.height = static_cast<int>(y) + 24;
  svg.desc = "Share of active people per status, one bar per outcome. " + desc;
  return svg.str();
}

// Histogram of change on the total score, with the band of no reliable change shaded.
std::string change_chart(const FrameworkFigures& f, int k, bool suppress, int index) {
  if (!f.change || f.changes.empty()) return "";
  const std::string prefix = fmt::format("ch{}", index);
  double lo = f.changes.front(), hi = f.changes.back();
  double rc = f.reliable_change_threshold.value_or(0);
  lo = std::min(lo, -rc);
  hi = std::max(hi, rc);
  double range = std::max(hi - lo, 1.0);
  // A bin width from 1, 2, 5 × 10^n giving about 12 bins.
  double raw = range / 12, step = 1;
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  double start = std::floor(lo / step) * step;
  int bins = static_cast<int>(std::ceil((hi - start) / step + 1e-9));
  bins = std::max(bins, 1);
  if (start + bins * step <= hi) ++bins;
  std::vector<int64_t> counts(static_cast<std::size_t>(bins), 0);
  for (double v : f.changes) {
    int b = static_cast<int>(std::floor((v - start) / step));
    b = std::clamp(b, 0, bins - 1);
    ++counts[static_cast<std::size_t>(b)];
  }
  // The bins add up to the number of people, which the chart and the report show, so a small
  // bin could be worked out from the others: they are protected as the report's counts are,
  // and the chart is left out when they cannot be (or only by hiding that number).
  std::vector<CellState> state(counts.size(), CellState::Shown);
  if (suppress) {
    DisclosureSystem cells(k);
    std::vector<Term> sum;
    for (auto n : counts) sum.push_back({cells.add(n), 1});
    const std::size_t people = cells.add(static_cast<int64_t>(f.changes.size()));
    sum.push_back({people, -1});
    cells.equal(std::move(sum));
    if (!cells.protect().empty() || cells.state(people) != CellState::Shown) return "";
    for (std::size_t b = 0; b < counts.size(); ++b) state[b] = cells.state(b);
  }
  int64_t max = 1;
  for (std::size_t b = 0; b < counts.size(); ++b)
    max = std::max<int64_t>(max, state[b] != CellState::Shown ? k : counts[b]);
  const double x0 = 50, span = 620, top = 24, h = 150;
  auto xpos = [&](double v) { return x0 + span * (v - start) / (bins * step); };
  Svg svg{"chart-change-" + f.id, 700, 215, "Distribution of change: " + f.name, "", ""};
  svg.body = pattern_defs(prefix);
  if (f.reliable_change_threshold) {
    svg.body += fmt::format(
        "<rect x='{}' y='{}' width='{}' height='{}' fill='url(#{}p4)' "
        "opacity='0.5'/>",
        num(xpos(-rc)), num(top), num(xpos(rc) - xpos(-rc)), num(h), prefix);
    svg.body += text_el((xpos(-rc) + xpos(rc)) / 2, top - 8,
                        fmt::format("no reliable change (within \u00b1{})", num(rc)),
                        "text-anchor='middle' class='lab'");
  }
  std::string desc =
      fmt::format("Histogram of {} people's change in bins of {}: ", f.changes.size(), num(step));
  for (int b = 0; b < bins; ++b) {
    int64_t n = counts[static_cast<std::size_t>(b)];
    double x = xpos(start + b * step);
    double w = span / bins - 2;
    const CellState shown = state[static_cast<std::size_t>(b)];
    bool hidden = shown != CellState::Shown;
    double hv = hidden ? k - 1 : static_cast<double>(n);
    double bh = h * hv / static_cast<double>(max);
    std::string label = shown == CellState::Secondary ? "*"
                        : hidden                      ? fmt::format("<{}", k)
                                                      : std::to_string(n);
    if (n > 0) {
      svg.body +=
          rect_el(x + 1, top + h - bh, w, bh, hidden ? "url(#" + prefix + "sup)" : "#1f3a5f");
      svg.body +=
          text_el(x + 1 + w / 2, top + h - bh - 3, label, "text-anchor='middle' class='lab'");
      desc +=
          fmt::format("{} to {}: {}; ", num(start + b * step), num(start + (b + 1) * step), label);
    }
  }
  svg.body += fmt::format("<line x1='{}' y1='{}' x2='{}' y2='{}' stroke='#000'/>", num(x0),
                          num(top + h), num(x0 + span), num(top + h));
  svg.body += fmt::format(
      "<line x1='{0}' y1='{1}' x2='{0}' y2='{2}' stroke='#000' "
      "stroke-dasharray='3 2'/>",
      num(xpos(0)), num(top), num(top + h + 4));
  for (int b = 0; b <= bins; b += std::max(1, bins / 6))
    svg.body += text_el(xpos(start + b * step), top + h + 16, num(start + b * step),
                        "text-anchor='middle' class='lab'");
  svg.body +=
      text_el(x0 + span / 2, top + h + 34,
              f.direction == Direction::LowerIsBetter ? "change in score (negative = better)"
                                                      : "change in score (positive = better)",
              "text-anchor='middle' class='lab'");
  svg.desc = desc;
  return svg.str();
}

// Small multiples: a few people's total score at each occasion, on one shared scale.
std::string journey_chart(const FrameworkFigures& f) {
  if (f.journeys.empty()) return "";
  double lo = 1e300, hi = -1e300;
  for (const auto& j : f.journeys)
    for (const auto& p : j.points) lo = std::min(lo, p.score), hi = std::max(hi, p.score);
  if (hi - lo < 1) hi = lo + 1;
  const int cols = 4, pw = 170, ph = 90;
  int rows = static_cast<int>((f.journeys.size() + cols - 1) / cols);
  Svg svg{"chart-journeys-" + f.id,        700, rows * (ph + 30) + 10,
          "Journeys over time: " + f.name, "",  ""};
  std::string desc =
      "Each panel is one person's total score at each occasion, same scale for all: ";
  for (std::size_t i = 0; i < f.journeys.size(); ++i) {
    const auto& j = f.journeys[i];
    double ox = 5 + static_cast<double>(i % cols) * (pw + 5);
    double oy = 20 + static_cast<double>(i / cols) * (ph + 30);
    svg.body += text_el(ox, oy - 5, j.person, "class='lab'");
    svg.body += fmt::format(
        "<rect x='{}' y='{}' width='{}' height='{}' fill='none' "
        "stroke='#999' stroke-width='0.6'/>",
        num(ox), num(oy), pw, ph);
    if (j.points.empty()) continue;
    double d0 = j.points.front().date.days, d1 = j.points.back().date.days;
    auto px = [&](const DatedScore& p) {
      return ox + 10 + (d1 > d0 ? (pw - 20) * (p.date.days - d0) / (d1 - d0) : (pw - 20) / 2.0);
    };
    auto py = [&](const DatedScore& p) {
      return oy + ph - 8 - (ph - 16) * (p.score - lo) / (hi - lo);
    };
    std::string points;
    desc += j.person + ":";
    for (const auto& p : j.points) {
      points += fmt::format("{},{} ", num(px(p)), num(py(p)));
      desc += fmt::format(" {} {}", format_date(p.date), num(p.score));
    }
    desc += "; ";
    svg.body += fmt::format(
        "<polyline points='{}' fill='none' stroke='#1f3a5f' stroke-width='1.5'/>", points);
    for (const auto& p : j.points)
      svg.body += fmt::format("<circle cx='{}' cy='{}' r='2.2' fill='#fff' stroke='#000'/>",
                              num(px(p)), num(py(p)));
    svg.body += text_el(px(j.points.front()), py(j.points.front()) - 5, num(j.points.front().score),
                        "class='lab' text-anchor='start'");
    svg.body += text_el(px(j.points.back()), py(j.points.back()) - 5, num(j.points.back().score),
                        "class='lab' text-anchor='end'");
  }
  svg.desc = desc;
  return svg.str();
}

// The soft/hard summary as two panels of percent-achieved bars and headline figures.
std::string summary_chart(const Report& r) {
  if (r.summary.empty()) return "";
  const int k = r.threshold;
  std::size_t soft = 0, hard = 0;
  for (const auto& row : r.summary)
    if (row.assessed) (row.nature == Nature::Soft ? soft : hard)++;
  if (soft + hard == 0) return "";
  const int row_h = 18;
  Svg svg{"chart-soft-hard",
          700,
          static_cast<int>(std::max(soft, hard)) * row_h + 40,
          "Soft and hard outcomes side by side",
          "",
          ""};
  svg.body = pattern_defs("sh");
  std::string desc;
  for (Nature nature : {Nature::Soft, Nature::Hard}) {
    double ox = nature == Nature::Soft ? 5 : 355;
    svg.body += text_el(ox, 14, nature == Nature::Soft ? "Soft (relational)" : "Hard",
                        "font-weight='bold'");
    double y = 24;
    for (const auto& row : r.summary) {
      if (row.nature != nature || !row.assessed) continue;
      std::string name = shortened(row.name, 32);
      svg.body += text_el(ox, y + 12, name, "class='lab'");
      std::string value = figure_text(row, k);
      if (row.figure == "percent_achieved" && row.value) {
        double w = 110 * *row.value / 100;
        svg.body += rect_el(ox + 180, y + 2, 110, 12, "#fff");
        svg.body +=
            rect_el(ox + 180, y + 2, w, 12, nature == Nature::Soft ? "url(#shp1)" : "#1f3a5f");
        svg.body += text_el(ox + 294, y + 12, value, "class='lab'");
      } else {
        svg.body +=
            text_el(ox + 180, y + 12, figure_label(row.figure) + ": " + value, "class='lab'");
      }
      desc += fmt::format("{} ({}) {} {}; ", row.name, nature_text(row.nature),
                          figure_label(row.figure), value);
      y += row_h;
    }
  }
  svg.desc = "Headline figure of every measure, soft on the left, hard on the right: " + desc;
  return svg.str();
}

constexpr std::string_view kCss = R"(
@page { size: A4; margin: 14mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10.5pt;
  color: #111; margin: 0 auto; max-width: 182mm; padding: 8mm 0; line-height: 1.35; }
h1 { font-size: 17pt; margin: 0 0 2mm; }
h2 { font-size: 13pt; margin: 7mm 0 2mm; border-bottom: 1.5pt solid #1f3a5f; break-after: avoid; }
p { margin: 1.5mm 0; }
table { border-collapse: collapse; margin: 2mm 0 3mm; width: 100%; break-inside: avoid; }
th, td { border: 0.5pt solid #888; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
th { background: #e8edf3; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 2mm 0 4mm; break-inside: avoid; }
figcaption { font-size: 9pt; color: #333; }
svg { display: block; font-size: 11px; font-family: inherit; }
svg .lab { font-size: 10px; }
blockquote { margin: 2mm 0 2mm 4mm; padding-left: 3mm; border-left: 2pt solid #888; }
.meta { color: #333; }
)";

void html_table(const Table& t, std::ostream& out) {
  out << "<table><thead><tr>";
  for (const auto& h : t.header) out << "<th scope='col'>" << html_escape(h) << "</th>";
  out << "</tr></thead><tbody>\n";
  for (const auto& row : t.rows) {
    out << "<tr>";
    for (std::size_t i = 0; i < row.size(); ++i)
      out << (i < t.right.size() && t.right[i] ? "<td class='n'>" : "<td>") << html_escape(row[i])
          << "</td>";
    out << "</tr>\n";
  }
  out << "</tbody></table>\n";
}

}  // namespace

// --- json ------------------------------------------------------------------------------

void render_report_json(const Report& r, std::ostream& out) {
  const int k = r.threshold;
  auto c = [k](const Count& x) { return count_json(x, k); };
  ojson j;
  j["service"] = r.service;
  if (r.combined)
    j["services"] = {{"combined", r.combined->services},
                     {"people_linked", r.combined->people_linked}};
  j["period"] = {{"from", format_date(r.from)}, {"to", format_date(r.to)}};
  j["period_complete"] = r.period_complete;
  ojson where = ojson::array();
  for (const auto& [a, v] : r.where) where.push_back(a + "=" + v);
  j["where"] = where;
  j["threshold"] = r.threshold;
  j["caseload"] = {{"active", c(r.caseload.active)},
                   {"new", c(r.caseload.new_)},
                   {"exited", c(r.caseload.exited)},
                   {"reengaged", c(r.caseload.reengaged)},
                   {"open_at_start", c(r.caseload.open_at_start)},
                   {"open_at_end", c(r.caseload.open_at_end)}};
  const auto& e = r.engagement;
  j["engagement"] = {{"contacts", c(e.contacts)}, {"attended", c(e.attended)},
                     {"missed", c(e.missed)},     {"self_initiated", c(e.self_initiated)},
                     {"outreach", c(e.outreach)}, {"people_contacted", c(e.people_contacted)}};
  ojson frameworks = ojson::array();
  for (const auto& f : r.frameworks) {
    ojson fj;
    fj["id"] = f.id;
    fj["name"] = f.name;
    fj["version"] = f.version;
    fj["people"] = c(f.people);
    ojson measures = ojson::array();
    for (const auto& m : f.measures) {
      ojson counts = ojson::object();
      for (const auto& sc : m.counts) counts[sc.status] = c(sc.count);
      measures.push_back({{"id", m.id},
                          {"nature", std::string(to_string(m.nature))},
                          {"counts", counts},
                          {"percent_achieved", number_json(m.percent_achieved, 1)}});
    }
    fj["measures"] = measures;
    if (f.change) {
      const auto& ch = *f.change;
      fj["change"] = {{"people", c(ch.people)},
                      {"mean_change", number_json(ch.mean_change, 2)},
                      {"improved", c(ch.improved)},
                      {"no_reliable_change", c(ch.no_reliable_change)},
                      {"deteriorated", c(ch.deteriorated)},
                      {"insufficient_data", c(ch.insufficient_data)},
                      {"not_computable", c(ch.not_computable)},
                      {"meaningful_change", ch.meaningful ? c(*ch.meaningful) : ojson()}};
    } else {
      fj["change"] = nullptr;
    }
    ojson items = ojson::object();
    for (const auto& i : f.items)
      items[i.id] = {{"people", c(i.people)}, {"mean_change", number_json(i.mean_change, 2)}};
    fj["items"] = items;
    ojson milestones = ojson::object();
    for (const auto& m : f.milestones)
      milestones[m.id] = {
          {"achieved", c(m.achieved)}, {"in_progress", c(m.in_progress)}, {"ended", c(m.ended)}};
    fj["milestones"] = milestones;
    ojson signals = ojson::object();
    for (const auto& g : f.signals) signals[g.id] = c(g.total);
    fj["signals"] = signals;
    if (f.goals)
      fj["goals"] = {{"people", c(f.goals->people)},
                     {"mean_t_score", number_json(f.goals->mean_t_score, 1)}};
    else
      fj["goals"] = {{"people", 0}, {"mean_t_score", nullptr}};
    fj["non_linear_journeys"] = c(f.non_linear_journeys);
    frameworks.push_back(fj);
  }
  j["frameworks"] = frameworks;
  ojson summary = ojson::array();
  for (const auto& row : r.summary)
    summary.push_back(
        {{"framework", row.framework},
         {"measure", row.measure},
         {"type", row.type},
         {"nature", std::string(to_string(row.nature))},
         {"figure", row.figure},
         {"value", row.value ? number_json(row.value, figure_decimals(row.figure))
                             : (row.figure == "percent_achieved" || row.figure == "mean_change" ||
                                        row.figure == "mean_t_score"
                                    ? ojson(nullptr)
                                    : c(row.count))},
         {"count", c(row.count)}});
  j["soft_hard"] = summary;
  ojson breakdowns = ojson::object();
  for (const auto& b : r.breakdowns) {
    ojson values = ojson::object();
    for (const auto& cell : b.cells)
      values[cell.value] = {{"active", c(cell.active)},
                            {"new", c(cell.new_)},
                            {"reengaged", c(cell.reengaged)},
                            {"exited", c(cell.exited)}};
    breakdowns[b.attribute] = values;
  }
  j["breakdowns"] = breakdowns;
  j["data_quality"] = {{"no_baseline", c(r.data_quality.no_baseline)},
                       {"overdue_review", c(r.data_quality.overdue_review)},
                       {"incomplete_occasions", c(r.data_quality.incomplete_occasions)},
                       {"late_entries", c(r.data_quality.late_entries)}};
  if (r.data_quality.values_outside_range.n > 0)
    j["data_quality"]["values_outside_range"] = c(r.data_quality.values_outside_range);
  ojson stories = ojson::array();
  for (const auto& s : r.stories)
    stories.push_back(
        {{"person", s.person}, {"date", format_date(s.date)}, {"excerpt", s.excerpt}});
  j["stories"] = stories;
  ojson notices = ojson::array();
  for (const auto& n : r.notices)
    notices.push_back({{"framework", n.framework}, {"notice", n.text}});
  j["notices"] = notices;
  if (!r.framework_warnings.empty()) j["framework_warnings"] = r.framework_warnings;
  j["suppressed"] = r.suppressed;
  out << j.dump(2) << '\n';
}

// --- table -------------------------------------------------------------------------------

void render_report_table(const Report& r, std::ostream& out) {
  std::string title = title_line(r);
  out << title << '\n' << std::string(width(title), '=') << '\n';
  bool first = true;
  for (const auto& s : document(r)) {
    if (!first) out << '\n' << s.title << '\n' << std::string(width(s.title), '-') << '\n';
    first = false;
    for (const auto& b : s.blocks) {
      if (const auto* p = std::get_if<std::string>(&b.content)) {
        out << *p << '\n';
        continue;
      }
      const auto& t = std::get<Table>(b.content);
      std::vector<std::vector<std::string>> rows{t.header};
      rows.insert(rows.end(), t.rows.begin(), t.rows.end());
      text::write_table(out, rows, {.indent = "", .right_aligned = t.right, .rule = true});
    }
  }
}

// --- markdown ------------------------------------------------------------------------------

void render_report_markdown(const Report& r, std::ostream& out) {
  auto md = [](const std::string& s) { return text::markdown_escape(s); };
  out << "# " << md(title_line(r)) << "\n";
  for (const auto& s : document(r)) {
    out << "\n## " << md(s.title) << "\n";
    for (const auto& b : s.blocks) {
      out << '\n';
      if (const auto* p = std::get_if<std::string>(&b.content)) {
        out << md(*p) << '\n';
        continue;
      }
      const auto& t = std::get<Table>(b.content);
      out << '|';
      for (const auto& h : t.header) out << ' ' << md(h) << " |";
      out << "\n|";
      for (std::size_t i = 0; i < t.header.size(); ++i) out << (t.right[i] ? " ---: |" : " --- |");
      out << '\n';
      for (const auto& row : t.rows) {
        out << '|';
        for (const auto& cell : row) out << ' ' << md(cell) << " |";
        out << '\n';
      }
    }
  }
}

// --- csv -----------------------------------------------------------------------------------

void render_report_csv(const Report& r, std::ostream& out) {
  const int k = r.threshold;
  auto row = [&](std::string_view section, const std::string& framework, const std::string& measure,
                 const std::string& key, const std::string& value) {
    out << section << ',' << text::csv_field(framework) << ',' << text::csv_field(measure) << ','
        << text::csv_field(key) << ',' << text::csv_field(value) << '\n';
  };
  auto c = [k](const Count& x) { return count_text(x, k); };
  auto n = [](const std::optional<double>& v, int d) {
    return v ? text::fixed_number(*v, d) : std::string();
  };
  out << "section,framework,measure,key,value\n";
  row("period", "", "", "from", format_date(r.from));
  row("period", "", "", "to", format_date(r.to));
  row("period", "", "", "complete", r.period_complete ? "true" : "false");
  if (r.combined) {
    row("services", "", "", "combined", fmt::format("{}", fmt::join(r.combined->services, ",")));
    row("services", "", "", "people_linked", r.combined->people_linked ? "true" : "false");
  }
  for (const auto& [a, v] : r.where) row("where", "", a, "value", v);
  row("caseload", "", "", "active", c(r.caseload.active));
  row("caseload", "", "", "new", c(r.caseload.new_));
  row("caseload", "", "", "exited", c(r.caseload.exited));
  row("caseload", "", "", "reengaged", c(r.caseload.reengaged));
  row("caseload", "", "", "open_at_start", c(r.caseload.open_at_start));
  row("caseload", "", "", "open_at_end", c(r.caseload.open_at_end));
  const auto& e = r.engagement;
  row("engagement", "", "", "contacts", c(e.contacts));
  row("engagement", "", "", "attended", c(e.attended));
  row("engagement", "", "", "missed", c(e.missed));
  row("engagement", "", "", "self_initiated", c(e.self_initiated));
  row("engagement", "", "", "outreach", c(e.outreach));
  row("engagement", "", "", "people_contacted", c(e.people_contacted));
  for (const auto& f : r.frameworks) {
    row("framework", f.id, "", "people", c(f.people));
    for (const auto& m : f.measures) {
      for (const auto& sc : m.counts) row("status", f.id, m.id, sc.status, c(sc.count));
      row("status", f.id, m.id, "percent_achieved", n(m.percent_achieved, 1));
    }
    if (f.change) {
      const auto& ch = *f.change;
      row("change", f.id, "", "people", c(ch.people));
      row("change", f.id, "", "mean_change", n(ch.mean_change, 2));
      row("change", f.id, "", "improved", c(ch.improved));
      row("change", f.id, "", "no_reliable_change", c(ch.no_reliable_change));
      row("change", f.id, "", "deteriorated", c(ch.deteriorated));
      row("change", f.id, "", "insufficient_data", c(ch.insufficient_data));
      row("change", f.id, "", "not_computable", c(ch.not_computable));
      if (ch.meaningful) row("change", f.id, "", "meaningful_change", c(*ch.meaningful));
    }
    for (const auto& i : f.items) {
      row("item", f.id, i.id, "people", c(i.people));
      row("item", f.id, i.id, "mean_change", n(i.mean_change, 2));
    }
    for (const auto& m : f.milestones) {
      row("milestone", f.id, m.id, "achieved", c(m.achieved));
      row("milestone", f.id, m.id, "in_progress", c(m.in_progress));
      row("milestone", f.id, m.id, "ended", c(m.ended));
    }
    for (const auto& g : f.signals) row("signal", f.id, g.id, "total", c(g.total));
    if (f.goals) {
      row("goals", f.id, "", "people", c(f.goals->people));
      row("goals", f.id, "", "mean_t_score", n(f.goals->mean_t_score, 1));
    }
    row("non_linear_journeys", f.id, "", "people", c(f.non_linear_journeys));
  }
  for (const auto& s : r.summary) {
    row("soft_hard", s.framework, s.measure, "nature", std::string(to_string(s.nature)));
    row("soft_hard", s.framework, s.measure, "type", s.type);
    bool is_number =
        s.figure == "percent_achieved" || s.figure == "mean_change" || s.figure == "mean_t_score";
    row("soft_hard", s.framework, s.measure, s.figure,
        is_number ? n(s.value, figure_decimals(s.figure)) : c(s.count));
    row("soft_hard", s.framework, s.measure, "count", c(s.count));
  }
  for (const auto& b : r.breakdowns)
    for (const auto& cell : b.cells) {
      std::string m = b.attribute + "=" + cell.value;
      row("breakdown", "", m, "active", c(cell.active));
      row("breakdown", "", m, "new", c(cell.new_));
      row("breakdown", "", m, "reengaged", c(cell.reengaged));
      row("breakdown", "", m, "exited", c(cell.exited));
    }
  row("data_quality", "", "", "no_baseline", c(r.data_quality.no_baseline));
  row("data_quality", "", "", "overdue_review", c(r.data_quality.overdue_review));
  row("data_quality", "", "", "incomplete_occasions", c(r.data_quality.incomplete_occasions));
  row("data_quality", "", "", "late_entries", c(r.data_quality.late_entries));
  if (r.data_quality.values_outside_range.n > 0)
    row("data_quality", "", "", "values_outside_range", c(r.data_quality.values_outside_range));
  for (const auto& s : r.stories) row("story", "", s.person, format_date(s.date), s.excerpt);
  for (const auto& nt : r.notices) row("notice", nt.framework, "", "notice", nt.text);
  for (const auto& w : r.framework_warnings) row("framework_warning", "", "", "warning", w);
  row("suppressed", "", "", "suppressed", r.suppressed ? "true" : "false");
}

// --- html ------------------------------------------------------------------------------------

void render_report_html(const Report& r, std::ostream& out) {
  std::string title = title_line(r) + ", " + period_text(r);
  out << "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
      << "<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
      << "<title>" << html_escape(title) << "</title>\n<style>" << kCss << "</style>\n</head>\n<body>\n"
      << "<h1>" << html_escape(title_line(r)) << "</h1>\n";
  const bool suppress = r.suppression_applied;
  int index = 0;
  for (const auto& s : document(r)) {
    bool intro = s.id == "summary";
    if (!intro) out << "<section id='" << html_escape(s.id) << "'>\n<h2>" << html_escape(s.title) << "</h2>\n";
    if (s.id == "caseload")
      out << "<figure>" << caseload_chart(r)
          << "<figcaption>Caseload flow: people open at the start, coming in, leaving and open at "
             "the end of the period.</figcaption></figure>\n";
    if (auto svg = s.id == "soft-hard" ? summary_chart(r) : std::string(); !svg.empty())
      out << "<figure>" << svg
          << "<figcaption>Headline figures, soft and hard side by side.</figcaption></figure>\n";
    const FrameworkFigures* fw = nullptr;
    for (const auto& f : r.frameworks)
      if (s.id == "fw-" + f.id) fw = &f;
    for (const auto& b : s.blocks) {
      if (const auto* p = std::get_if<std::string>(&b.content)) {
        if (s.id == "stories" && !r.stories.empty())
          out << "<blockquote>" << html_escape(*p) << "</blockquote>\n";
        else
          out << "<p" << (intro ? " class='meta'" : "") << ">" << html_escape(*p) << "</p>\n";
      } else {
        html_table(std::get<Table>(b.content), out);
      }
    }
    if (fw) {
      ++index;
      if (auto svg = status_chart(*fw, r.threshold, r.caseload.active.suppressed, index); !svg.empty())
        out << "<figure>" << svg
            << "<figcaption>Statuses of the active people per outcome (patterns as in the "
               "legend).</figcaption></figure>\n";
      if (auto svg = change_chart(*fw, r.threshold, suppress, index); !svg.empty())
        // The band is drawn only where the framework has a reliable-change threshold.
        out << "<figure>" << svg << "<figcaption>Change between baseline and latest score"
            << (fw->reliable_change_threshold
                    ? "; the shaded band is change too small to be reliable"
                    : "")
            << ".</figcaption></figure>\n";
      if (auto svg = journey_chart(*fw); !svg.empty())
        out << "<figure>" << svg
            << "<figcaption>Journeys are rarely straight lines: dips are steps, not "
               "failures.</figcaption></figure>\n";
    }
    if (!intro) out << "</section>\n";
  }
  out << "</body>\n</html>\n";
}

}  // namespace outcomes
