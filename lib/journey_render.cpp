#include "journey_render.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "text.h"

namespace outcomes {

std::string sparkline(const std::vector<std::optional<double>>& values, double min, double max) {
  static const char* const kBars[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  std::string line;
  for (const auto& v : values) {
    if (!v) {
      line += "·";
      continue;
    }
    int level = 0;
    if (max > min) {
      double f = (*v - min) / (max - min);
      level = static_cast<int>(std::lround(f * 7));
    }
    line += kBars[std::clamp(level, 0, 7)];
  }
  return line;
}

// ---------------------------------------------------------------- rendering helpers
namespace {

using text::pad;
using text::width;

// Scores and changes: whole numbers without decimals, others with two.
std::string num(double v) {
  double r = round_to(v, 2);
  return text::fixed_number(r, std::fabs(r - std::round(r)) < 1e-9 ? 0 : 2);
}

std::string signed_num(double v) {
  return text::with_sign(num(v));
}

std::string direction_words(Direction d) {
  return d == Direction::LowerIsBetter ? "lower is better" : "higher is better";
}

std::string milestone_words(const std::string& state) {
  if (state == "achieved") return "Achieved";
  if (state == "in_progress") return "In progress";
  return "Ended";
}

std::string attainment_text(int value) {
  return value > 0 ? fmt::format("+{}", value) : fmt::format("{}", value);
}

std::string contact_summary(const ContactCounts& c) {
  return fmt::format("attended {}, missed {}, self-initiated {}, outreach {}", c.attended, c.missed,
                     c.self_initiated, c.outreach);
}

std::vector<std::optional<double>> score_series(const JourneyScale& s) {
  std::vector<std::optional<double>> v;
  for (const JourneyOccasion& o : s.occasions) v.push_back(o.score);
  return v;
}

std::vector<std::optional<double>> item_series(const JourneyItemSeries& item) {
  std::vector<std::optional<double>> v;
  for (const auto& x : item.values) v.push_back(x ? std::optional<double>(*x) : std::nullopt);
  return v;
}

std::string episode_end(const JourneyEpisode& ep) {
  return ep.end ? format_date(*ep.end) : std::string("(open)");
}

std::string run_words(const MilestoneRun& r) {
  std::string s = "started " + format_date(r.start);
  if (r.sustained_on) s += ", sustained " + format_date(*r.sustained_on);
  s += r.end ? ", ended " + format_date(*r.end) : std::string(", still going");
  if (r.due) s += " (sustained on " + format_date(*r.due) + " if unbroken)";
  return s;
}

std::string audit_detail(const Entry& e) {
  std::string s;
  auto add = [&](const std::string& part) {
    if (part.empty()) return;
    if (!s.empty()) s += " ";
    s += part;
  };
  if (!e.framework.empty()) add(e.framework);
  if (!e.measure.empty()) add(e.measure);
  if (e.value) add(fmt::format("value={}", *e.value));
  if (!e.status.empty()) add(e.status);
  if (e.kind == EntryKind::Note && e.status == "private" && e.text.empty())
    add("(private note, not shown)");
  else if (!e.text.empty())
    add("\"" + e.text + "\"");
  return s;
}

}  // namespace

// ---------------------------------------------------------------- table
void render_journey_table(const Journey& j, std::ostream& out) {
  out << fmt::format("Journey of {}, as of {}\n", j.person, format_date(j.as_of));
  if (!j.service.empty()) out << fmt::format("Service: {}\n", j.service);

  out << "\nEpisodes\n";
  if (j.episodes.empty()) out << "  (no enrolment recorded)\n";
  for (const JourneyEpisode& ep : j.episodes) {
    std::string how = ep.end ? ep.exit_reason_name : std::string("open");
    if (ep.number > 1) how += " (re-engaged)";
    out << fmt::format("  {:>2}  {}  to  {:<10}  {:>4} days  {}\n", ep.number,
                       format_date(ep.start), episode_end(ep), ep.days, how);
    if (!ep.enrol_text.empty()) out << fmt::format("      enrolled: {}\n", ep.enrol_text);
    if (!ep.exit_text.empty()) out << fmt::format("      exit: {}\n", ep.exit_text);
  }

  if (!j.attributes.empty()) {
    out << "\nAbout\n";
    size_t w = 0;
    for (const auto& a : j.attributes) w = std::max(w, width(a.name));
    for (const auto& a : j.attributes) out << "  " << pad(a.name, w) << "  " << a.value << "\n";
  }

  out << fmt::format("\nContacts: {}", j.contacts.all.total());
  if (j.contacts.first)
    out << fmt::format(" ({}), {} to {}\n", contact_summary(j.contacts.all),
                       format_date(*j.contacts.first), format_date(*j.contacts.last));
  else
    out << "\n";
  if (!j.contacts.months.empty()) {
    out << "  Month    Attended  Missed  Self-initiated  Outreach\n";
    for (const auto& [m, c] : j.contacts.months)
      out << fmt::format("  {}  {:>8}  {:>6}  {:>14}  {:>8}\n", m, c.attended, c.missed,
                         c.self_initiated, c.outreach);
  }

  for (const JourneyScale& s : j.scales) {
    out << fmt::format("\n{} ({}; {} occasion{}", s.name, direction_words(s.direction),
                       s.occasions.size(), s.occasions.size() == 1 ? "" : "s");
    if (s.incomplete_occasions > 0) out << fmt::format(", {} incomplete", s.incomplete_occasions);
    out << ")\n";
    size_t w = 10;
    for (const auto& item : s.items) w = std::max(w, width(item.name));
    if (s.has_total) {
      out << "  " << pad("Score", w) << "  "
          << sparkline(score_series(s), s.score_min, s.score_max);
      if (s.baseline && s.latest)
        out << fmt::format("  {} -> {}", num(s.baseline->score), num(s.latest->score));
      if (s.change) out << fmt::format(", change {}", signed_num(*s.change));
      out << "\n";
      std::string rc(to_string(s.reliable_change));
      std::replace(rc.begin(), rc.end(), '_', ' ');
      out << "  " << pad("", w) << "  reliable change: " << rc << "\n";
      for (const JourneyOccasion& o : s.occasions) {
        out << fmt::format("    {}  ", format_date(o.date));
        if (o.score) {
          out << num(*o.score);
          if (o.band) out << "  " << *o.band;
        } else {
          out << fmt::format("not scored ({} of {} items)", o.items.size(), s.item_count);
        }
        if (o.score && !o.complete) out << "  (pro-rated)";
        out << "\n";
      }
    }
    for (const JourneyItemSeries& item : s.items) {
      out << "  " << pad(item.name, w) << "  "
          << pad(sparkline(item_series(item), item.min, item.max), s.occasions.size());
      if (item.first && item.last) out << fmt::format("  {} -> {}", *item.first, *item.last);
      out << "\n";
    }
    if (!s.notice.empty()) out << "  " << s.notice << "\n";
  }

  if (!j.statuses.empty()) {
    out << "\nOutcomes\n";
    std::string fw;
    for (const JourneyStatus& st : j.statuses) {
      if (st.framework_name != fw) {
        fw = st.framework_name;
        out << "  " << fw << "\n";
      }
      out << fmt::format("    {}: {}\n", st.name, st.current_name);
      for (const JourneyNeed& n : st.needs)
        out << fmt::format("      need {}: {}{}\n", format_date(n.opened), n.text,
                           n.met ? ", met " + format_date(*n.met) : std::string(", still open"));
      for (const JourneyStatusEntry& h : st.history)
        out << fmt::format("      {} {}{}\n", format_date(h.date), h.status_name,
                           h.text.empty() ? "" : ": " + h.text);
    }
  }

  if (!j.milestones.empty()) {
    out << "\nMilestones\n";
    for (const JourneyMilestone& m : j.milestones) {
      out << fmt::format("  {}: {}\n", m.name, milestone_words(m.state));
      for (const MilestoneRun& r : m.runs) out << "    " << run_words(r) << "\n";
    }
  }

  if (!j.goals.empty()) {
    out << "\nGoals (in the person's own words)\n";
    for (const JourneyGoalSummary& g : j.goal_summaries)
      if (g.t_score)
        out << fmt::format("  Goal attainment T-score: {:.1f}\n", round_to(*g.t_score, 1));
    for (const JourneyGoal& g : j.goals) {
      out << fmt::format("  \"{}\"  set {}, starting at {}; now {}{}{}\n", g.text,
                         format_date(g.set_on), attainment_text(g.baseline),
                         attainment_text(g.attainment),
                         g.attainment_label.empty() ? "" : " (" + g.attainment_label + ")",
                         g.open ? "" : ", closed");
      for (const JourneyGoalReview& r : g.reviews)
        out << fmt::format("    {} {} {}{}\n", format_date(r.date), r.close ? "closed" : "review",
                           attainment_text(r.attainment), r.text.empty() ? "" : ": " + r.text);
    }
  }

  if (!j.signals.empty()) {
    out << "\nRelational signals\n";
    size_t w = 0;
    for (const auto& sg : j.signals) w = std::max(w, width(sg.name));
    for (const JourneySignal& sg : j.signals)
      out << "  " << pad(sg.name, w)
          << fmt::format("  {:>3} ({} in the last 90 days), last {}\n", sg.total, sg.last_90_days,
                         format_date(sg.dates.back()));
  }

  out << "\nNotes\n";
  if (j.notes.empty()) out << "  (none)\n";
  for (const JourneyNote& n : j.notes)
    out << fmt::format("  {}{}{}: {}\n", format_date(n.date), n.is_private ? " [private]" : "",
                       n.by.empty() ? "" : " (" + n.by + ")", n.text);
  if (j.private_notes_hidden > 0)
    out << fmt::format("  ({} private note{} not shown; use --include-private)\n",
                       j.private_notes_hidden, j.private_notes_hidden == 1 ? "" : "s");

  if (!j.workers.empty()) {
    out << "\nWorkers involved\n";
    size_t w = 0;
    for (const auto& wk : j.workers) w = std::max(w, width(wk.by));
    for (const JourneyWorker& wk : j.workers)
      out << "  " << pad(wk.by, w)
          << fmt::format("  {:>4} {}, {} to {}\n", wk.entries,
                         wk.entries == 1 ? "entry" : "entries", format_date(wk.first),
                         format_date(wk.last));
  }

  if (j.audit) {
    out << "\nAudit history (every entry, superseded ones included)\n";
    for (const Entry& e : j.audit_entries) {
      const std::string detail = audit_detail(e);
      out << fmt::format("  #{} {} {}{}{}\n", e.id, format_date(e.date), to_string(e.kind),
                         detail.empty() ? "" : " ", detail);
      // An entry recorded without --by has no worker: say so rather than show a placeholder.
      out << fmt::format("      recorded {}{}{}", e.recorded_at,
                         e.by.empty() ? ", no worker given" : " by " + e.by,
                         e.ref.empty() ? "" : ", ref " + e.ref);
      if (e.supersedes) out << fmt::format(", corrects #{}", e.supersedes);
      if (!e.reason.empty()) out << fmt::format(" because: {}", e.reason);
      if (e.superseded) out << " [superseded]";
      out << "\n";
    }
  }
}

// ---------------------------------------------------------------- markdown
namespace {

std::string md(std::string_view text) {
  return text::markdown_escape(text);
}

}  // namespace

void render_journey_markdown(const Journey& j, std::ostream& out) {
  out << fmt::format("# Journey of {}\n\n", md(j.person));
  out << fmt::format("As of {}{}.\n", format_date(j.as_of),
                     j.service.empty() ? "" : ", " + md(j.service));

  out << "\n## Episodes\n\n";
  if (j.episodes.empty()) {
    out << "No enrolment recorded.\n";
  } else {
    out << "| # | From | To | Days | How it ended |\n|---:|---|---|---:|---|\n";
    for (const JourneyEpisode& ep : j.episodes) {
      std::string how = ep.end ? md(ep.exit_reason_name) : std::string("open");
      if (ep.number > 1) how += " (re-engaged)";
      if (!ep.exit_text.empty()) how += ": " + md(ep.exit_text);
      out << fmt::format("| {} | {} | {} | {} | {} |\n", ep.number, format_date(ep.start),
                         ep.end ? format_date(*ep.end) : "open", ep.days, how);
    }
  }

  if (!j.attributes.empty()) {
    out << "\n## About\n\n";
    for (const auto& a : j.attributes) out << fmt::format("- {}: {}\n", md(a.name), md(a.value));
  }

  out << fmt::format("\n## Contacts\n\n{} contacts", j.contacts.all.total());
  if (j.contacts.first)
    out << fmt::format(" ({}), {} to {}.\n\n", contact_summary(j.contacts.all),
                       format_date(*j.contacts.first), format_date(*j.contacts.last));
  else
    out << ".\n";
  if (!j.contacts.months.empty()) {
    out << "| Month | Attended | Missed | Self-initiated | Outreach |\n"
           "|---|---:|---:|---:|---:|\n";
    for (const auto& [m, c] : j.contacts.months)
      out << fmt::format("| {} | {} | {} | {} | {} |\n", m, c.attended, c.missed, c.self_initiated,
                         c.outreach);
  }

  for (const JourneyScale& s : j.scales) {
    out << fmt::format("\n## {}\n\n", md(s.name));
    out << fmt::format("{} occasion{} ({}", s.occasions.size(), s.occasions.size() == 1 ? "" : "s",
                       direction_words(s.direction));
    if (s.incomplete_occasions > 0) out << fmt::format("; {} incomplete", s.incomplete_occasions);
    out << ").";
    if (s.has_total) {
      out << fmt::format(" Score: `{}`", sparkline(score_series(s), s.score_min, s.score_max));
      if (s.baseline && s.latest)
        out << fmt::format(" {} → {}", num(s.baseline->score), num(s.latest->score));
      if (s.change) out << fmt::format(", change {}", signed_num(*s.change));
      std::string rc(to_string(s.reliable_change));
      std::replace(rc.begin(), rc.end(), '_', ' ');
      out << "; reliable change: " << rc << ".";
    }
    out << "\n\n| Item |";
    for (const JourneyOccasion& o : s.occasions) out << " " << format_date(o.date) << " |";
    out << " Trend |\n|---|";
    for (size_t i = 0; i < s.occasions.size(); ++i) out << "---:|";
    out << "---|\n";
    if (s.has_total) {
      out << "| **Score** |";
      for (const JourneyOccasion& o : s.occasions)
        out << " " << (o.score ? num(*o.score) : "–") << " |";
      out << " `" << sparkline(score_series(s), s.score_min, s.score_max) << "` |\n";
    }
    for (const JourneyItemSeries& item : s.items) {
      out << "| " << md(item.name) << " |";
      for (const auto& v : item.values) out << " " << (v ? std::to_string(*v) : "–") << " |";
      out << " `" << sparkline(item_series(item), item.min, item.max) << "` |\n";
    }
    if (!s.notice.empty()) out << "\n" << md(s.notice) << "\n";
  }

  if (!j.statuses.empty()) {
    out << "\n## Outcomes\n\n| Framework | Outcome | Status | Needs and evidence |\n"
           "|---|---|---|---|\n";
    for (const JourneyStatus& st : j.statuses) {
      std::string detail;
      for (const JourneyNeed& n : st.needs) {
        if (!detail.empty()) detail += "; ";
        detail += fmt::format("need {}: {}{}", format_date(n.opened), md(n.text),
                              n.met ? " (met " + format_date(*n.met) + ")" : " (open)");
      }
      for (const JourneyStatusEntry& h : st.history) {
        if (!detail.empty()) detail += "; ";
        detail += fmt::format("{} {}{}", format_date(h.date), md(h.status_name),
                              h.text.empty() ? "" : ": " + md(h.text));
      }
      out << fmt::format("| {} | {} | {} | {} |\n", md(st.framework_name), md(st.name),
                         md(st.current_name), detail);
    }
  }

  if (!j.milestones.empty()) {
    out << "\n## Milestones\n\n";
    for (const JourneyMilestone& m : j.milestones) {
      out << fmt::format("- **{}**: {}", md(m.name), milestone_words(m.state));
      for (const MilestoneRun& r : m.runs) out << "; " << run_words(r);
      out << "\n";
    }
  }

  if (!j.goals.empty()) {
    out << "\n## Goals, in the person's own words\n\n";
    for (const JourneyGoalSummary& g : j.goal_summaries)
      if (g.t_score)
        out << fmt::format("Goal attainment T-score: {:.1f}.\n\n", round_to(*g.t_score, 1));
    for (const JourneyGoal& g : j.goals) {
      out << fmt::format("- \"{}\": set {}, starting at {}; now {}{}{}\n", md(g.text),
                         format_date(g.set_on), attainment_text(g.baseline),
                         attainment_text(g.attainment),
                         g.attainment_label.empty() ? "" : " (" + md(g.attainment_label) + ")",
                         g.open ? "" : ", closed");
      for (const JourneyGoalReview& r : g.reviews)
        out << fmt::format("  - {} {} {}{}\n", format_date(r.date), r.close ? "closed" : "review",
                           attainment_text(r.attainment), r.text.empty() ? "" : ": " + md(r.text));
    }
  }

  if (!j.signals.empty()) {
    out << "\n## Relational signals\n\n| Signal | Total | Last 90 days | Last seen |\n"
           "|---|---:|---:|---|\n";
    for (const JourneySignal& sg : j.signals)
      out << fmt::format("| {} | {} | {} | {} |\n", md(sg.name), sg.total, sg.last_90_days,
                         format_date(sg.dates.back()));
  }

  out << "\n## Notes\n\n";
  if (j.notes.empty()) out << "None.\n";
  for (const JourneyNote& n : j.notes)
    out << fmt::format("- {}{}{}: {}\n", format_date(n.date), n.is_private ? " (private)" : "",
                       n.by.empty() ? "" : " — " + md(n.by), md(n.text));
  if (j.private_notes_hidden > 0)
    out << fmt::format("\n{} private note{} not shown.\n", j.private_notes_hidden,
                       j.private_notes_hidden == 1 ? "" : "s");

  if (!j.workers.empty()) {
    out << "\n## Workers involved\n\n| Worker | Entries | First | Last |\n|---|---:|---|---|\n";
    for (const JourneyWorker& w : j.workers)
      out << fmt::format("| {} | {} | {} | {} |\n", md(w.by), w.entries, format_date(w.first),
                         format_date(w.last));
  }

  if (j.audit) {
    out << "\n## Audit history\n\n| Id | Date | Kind | Detail | Recorded | By | Correction |\n"
           "|---:|---|---|---|---|---|---|\n";
    for (const Entry& e : j.audit_entries) {
      std::string corr;
      if (e.supersedes) corr = fmt::format("corrects #{}", e.supersedes);
      if (!e.reason.empty()) corr += (corr.empty() ? "" : ": ") + md(e.reason);
      if (e.superseded) corr += (corr.empty() ? "" : "; ") + std::string("superseded");
      out << fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", e.id, format_date(e.date),
                         to_string(e.kind), md(audit_detail(e)), e.recorded_at, md(e.by), corr);
    }
  }
}

// ---------------------------------------------------------------- json
namespace {

nlohmann::json opt_date(const std::optional<Date>& d) {
  return d ? nlohmann::json(format_date(*d)) : nlohmann::json(nullptr);
}

nlohmann::json opt_num(const std::optional<double>& v, int decimals = 2) {
  return v ? nlohmann::json(round_to(*v, decimals)) : nlohmann::json(nullptr);
}

nlohmann::json dated(const std::optional<DatedScore>& d) {
  if (!d) return nullptr;
  return {{"date", format_date(d->date)}, {"score", round_to(d->score, 2)}};
}

nlohmann::json counts_json(const ContactCounts& c) {
  return {{"attended", c.attended},
          {"missed", c.missed},
          {"self_initiated", c.self_initiated},
          {"outreach", c.outreach},
          {"total", c.total()}};
}

}  // namespace

nlohmann::json journey_to_json(const Journey& j) {
  using nlohmann::json;
  json doc = json::object();
  doc["person"] = j.person;
  doc["service"] = j.service;
  doc["as_of"] = format_date(j.as_of);
  doc["include_private"] = j.include_private;
  doc["in_open_episode"] = j.in_open_episode;

  json episodes = json::array();
  for (const JourneyEpisode& ep : j.episodes)
    episodes.push_back({{"number", ep.number},
                        {"start", format_date(ep.start)},
                        {"end", opt_date(ep.end)},
                        {"exit_reason", ep.end ? json(ep.exit_reason) : json(nullptr)},
                        {"exit_reason_name", ep.end ? json(ep.exit_reason_name) : json(nullptr)},
                        {"enrol_text", ep.enrol_text},
                        {"exit_text", ep.exit_text},
                        {"days", ep.days},
                        {"reengagement", ep.number > 1}});
  doc["episodes"] = episodes;

  json attributes = json::object();
  for (const auto& a : j.attributes)
    attributes[a.id] = {{"name", a.name}, {"value", a.value}, {"date", format_date(a.date)}};
  doc["attributes"] = attributes;

  json contacts = counts_json(j.contacts.all);
  contacts["first"] = opt_date(j.contacts.first);
  contacts["last"] = opt_date(j.contacts.last);
  json months = json::object();
  for (const auto& [m, c] : j.contacts.months) months[m] = counts_json(c);
  contacts["months"] = months;
  doc["contacts"] = contacts;

  json scales = json::array();
  for (const JourneyScale& s : j.scales) {
    json occasions = json::array();
    for (const JourneyOccasion& o : s.occasions) {
      json items = json::object();
      for (const auto& [id, v] : o.items) items[id] = v;
      occasions.push_back({{"date", format_date(o.date)},
                           {"items", items},
                           {"complete", o.complete},
                           {"score", opt_num(o.score)},
                           {"band", o.band ? json(*o.band) : json(nullptr)}});
    }
    json items = json::object();
    for (const JourneyItemSeries& item : s.items) {
      json values = json::array();
      for (const auto& v : item.values) values.push_back(v ? json(*v) : json(nullptr));
      items[item.id] = {{"name", item.name},
                        {"values", values},
                        {"first", item.first ? json(*item.first) : json(nullptr)},
                        {"last", item.last ? json(*item.last) : json(nullptr)},
                        {"sparkline", sparkline(item_series(item), item.min, item.max)}};
    }
    scales.push_back(
        {{"framework", s.framework},
         {"name", s.name},
         {"notice", s.notice},
         {"has_total", s.has_total},
         {"direction", std::string(to_string(s.direction))},
         {"occasions", occasions},
         {"items", items},
         {"baseline", dated(s.baseline)},
         {"latest", dated(s.latest)},
         {"change", opt_num(s.change)},
         {"reliable_change", std::string(to_string(s.reliable_change))},
         {"complete_occasions", s.complete_occasions},
         {"incomplete_occasions", s.incomplete_occasions},
         {"setbacks", s.setbacks},
         {"sparkline", s.has_total ? json(sparkline(score_series(s), s.score_min, s.score_max))
                                   : json(nullptr)}});
  }
  doc["scales"] = scales;

  json statuses = json::array();
  for (const JourneyStatus& st : j.statuses) {
    json history = json::array();
    for (const JourneyStatusEntry& h : st.history)
      history.push_back({{"date", format_date(h.date)}, {"status", h.status}, {"text", h.text}});
    json needs = json::array();
    for (const JourneyNeed& n : st.needs)
      needs.push_back(
          {{"text", n.text}, {"opened", format_date(n.opened)}, {"met", opt_date(n.met)}});
    statuses.push_back({{"framework", st.framework},
                        {"measure", st.measure},
                        {"name", st.name},
                        {"status", st.current},
                        {"status_name", st.current_name},
                        {"history", history},
                        {"needs", needs}});
  }
  doc["statuses"] = statuses;

  json milestones = json::array();
  for (const JourneyMilestone& m : j.milestones) {
    json runs = json::array();
    for (const MilestoneRun& r : m.runs)
      runs.push_back({{"start", format_date(r.start)},
                      {"end", opt_date(r.end)},
                      {"sustained", r.sustained},
                      {"sustained_on", opt_date(r.sustained_on)},
                      {"due", opt_date(r.due)}});
    milestones.push_back(
        {{"framework", m.framework},
         {"measure", m.measure},
         {"name", m.name},
         {"sustain", m.sustain ? json(format_duration(*m.sustain)) : json(nullptr)},
         {"state", m.state},
         {"runs", runs}});
  }
  doc["milestones"] = milestones;

  json goals = json::array();
  for (const JourneyGoal& g : j.goals) {
    json reviews = json::array();
    for (const JourneyGoalReview& r : g.reviews)
      reviews.push_back({{"date", format_date(r.date)},
                         {"attainment", r.attainment},
                         {"kind", r.close ? "close" : "review"},
                         {"text", r.text},
                         {"label", r.label}});
    goals.push_back({{"framework", g.framework},
                     {"goal", g.key},
                     {"text", g.text},
                     {"set", format_date(g.set_on)},
                     {"baseline", g.baseline},
                     {"attainment", g.attainment},
                     {"attainment_label", g.attainment_label},
                     {"state", g.open ? "open" : "closed"},
                     {"reviews", reviews}});
  }
  json t_scores = json::object();
  for (const JourneyGoalSummary& g : j.goal_summaries)
    t_scores[g.framework] = opt_num(g.t_score, 1);
  doc["goals"] = {{"goals", goals}, {"t_scores", t_scores}};

  json signals = json::array();
  for (const JourneySignal& sg : j.signals) {
    json dates = json::array();
    for (Date d : sg.dates) dates.push_back(format_date(d));
    signals.push_back({{"framework", sg.framework},
                       {"measure", sg.measure},
                       {"name", sg.name},
                       {"total", sg.total},
                       {"last_90_days", sg.last_90_days},
                       {"dates", dates}});
  }
  doc["signals"] = signals;

  json notes = json::array();
  for (const JourneyNote& n : j.notes)
    notes.push_back({{"date", format_date(n.date)},
                     {"text", n.text},
                     {"by", n.by.empty() ? json(nullptr) : json(n.by)},
                     {"consent", n.is_private ? "private" : "shareable"}});
  doc["notes"] = notes;
  doc["private_notes_hidden"] = j.private_notes_hidden;

  json workers = json::array();
  for (const JourneyWorker& w : j.workers)
    workers.push_back({{"by", w.by},
                       {"entries", w.entries},
                       {"first", format_date(w.first)},
                       {"last", format_date(w.last)}});
  doc["workers"] = workers;

  if (j.audit) {
    json audit = json::array();
    for (const Entry& e : j.audit_entries) {
      bool hidden = e.kind == EntryKind::Note && e.status == "private" && e.text.empty();
      audit.push_back({{"id", e.id},
                       {"date", format_date(e.date)},
                       {"kind", std::string(to_string(e.kind))},
                       {"framework", e.framework},
                       {"framework_version", e.framework_version},
                       {"measure", e.measure},
                       {"value", e.value ? json(*e.value) : json(nullptr)},
                       {"status", e.status},
                       {"text", hidden ? json(nullptr) : json(e.text)},
                       {"by", e.by.empty() ? json(nullptr) : json(e.by)},
                       {"ref", e.ref},
                       {"recorded_at", e.recorded_at},
                       {"batch", e.batch},
                       {"supersedes", e.supersedes ? json(e.supersedes) : json(nullptr)},
                       {"reason", e.reason},
                       {"superseded", e.superseded}});
    }
    doc["audit"] = audit;
  } else {
    doc["audit"] = nullptr;
  }
  return doc;
}

void render_journey_json(const Journey& j, std::ostream& out) {
  out << journey_to_json(j).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

// ---------------------------------------------------------------- html
namespace {

using text::html_escape;

std::string long_date(Date d) {
  static const char* const kMonths[] = {"January",   "February", "March",    "April",
                                        "May",       "June",     "July",     "August",
                                        "September", "October",  "November", "December"};
  auto ymd = split_date(d);
  return fmt::format("{} {} {}", ymd.day, kMonths[ymd.month - 1], ymd.year);
}

std::string plain_change(ReliableChange rc) {
  switch (rc) {
    case ReliableChange::Improved:
      return "a real improvement, bigger than day-to-day ups and downs";
    case ReliableChange::Deteriorated:
      return "harder than at the start, by more than day-to-day ups and downs";
    case ReliableChange::NoReliableChange:
      return "about the same as at the start, allowing for day-to-day ups and downs";
    case ReliableChange::InsufficientData:
      return "too early to say how much has changed";
    case ReliableChange::NotComputable:
      return "";
  }
  return "";
}

// A small line chart of the total score over time (inline SVG, readable without colour).
std::string score_chart(const JourneyScale& s) {
  std::vector<std::pair<size_t, double>> pts;
  for (size_t i = 0; i < s.occasions.size(); ++i)
    if (s.occasions[i].score) pts.emplace_back(i, *s.occasions[i].score);
  if (pts.empty()) return "";
  const double w = 560, h = 140, left = 40, right = 28, top = 14, bottom = 24;
  size_t n = s.occasions.size();
  auto x = [&](size_t i) {
    return n <= 1 ? left + (w - left - right) / 2 : left + (w - left - right) * i / (n - 1);
  };
  double lo = s.score_min, hi = s.score_max > s.score_min ? s.score_max : s.score_min + 1;
  auto y = [&](double v) { return top + (h - top - bottom) * (1 - (v - lo) / (hi - lo)); };
  std::string desc = fmt::format("{} score over time:", s.name);
  for (const auto& [i, v] : pts)
    desc += fmt::format(" {} {};", format_date(s.occasions[i].date), num(v));
  std::string svg = fmt::format(
      "<svg class=\"chart\" viewBox=\"0 0 {:.0f} {:.0f}\" role=\"img\" aria-label=\"{}\">"
      "<title>{}</title>",
      w, h, html_escape(desc), html_escape(desc));
  svg +=
      fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" class=\"axis\"/>",
                  left, top, left, h - bottom);
  svg +=
      fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" class=\"axis\"/>",
                  left, h - bottom, w - right, h - bottom);
  svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"end\">{}</text>",
                     left - 4, y(hi) + 4, html_escape(num(hi)));
  svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"end\">{}</text>",
                     left - 4, y(lo), html_escape(num(lo)));
  std::string path;
  for (const auto& [i, v] : pts)
    path += fmt::format("{}{:.1f},{:.1f}", path.empty() ? "" : " ", x(i), y(v));
  svg += fmt::format("<polyline points=\"{}\" class=\"line\"/>", path);
  for (const auto& [i, v] : pts)
    svg += fmt::format(
        "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\" class=\"dot\"/>"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"val\" text-anchor=\"middle\">{}</text>",
        x(i), y(v), x(i), y(v) - 7, html_escape(num(v)));
  if (n > 0) {
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\">{}</text>", x(0), h - 6,
                       html_escape(format_date(s.occasions.front().date)));
    if (n > 1)
      svg += fmt::format(
          "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"end\">{}</text>", x(n - 1),
          h - 6, html_escape(format_date(s.occasions.back().date)));
  }
  svg += "</svg>";
  return svg;
}

const char* kJourneyCss =
    R"(body{font-family:Georgia,'Times New Roman',serif;font-size:11pt;line-height:1.45;color:#111;max-width:48em;margin:1.5em auto;padding:0 1em}
h1{font-size:1.7em;margin:0 0 .2em}h2{font-size:1.25em;border-bottom:1px solid #888;margin-top:1.6em;padding-bottom:.15em}h3{font-size:1.05em;margin:1.1em 0 .3em}
p.sub{color:#444;margin:0}table{border-collapse:collapse;margin:.4em 0;font-size:.92em}th,td{border:1px solid #bbb;padding:.2em .45em;text-align:left;vertical-align:top}
th{background:#eee;white-space:nowrap}td.n{text-align:right}.spark{font-family:'DejaVu Sans Mono',monospace;letter-spacing:1px}
blockquote{margin:.3em 0 .6em 1em;padding-left:.7em;border-left:3px solid #999;font-style:italic}
svg.chart{width:100%;max-width:560px;height:auto;display:block}svg .axis{stroke:#555;stroke-width:1}svg .line{fill:none;stroke:#222;stroke-width:2}
svg .dot{fill:#fff;stroke:#222;stroke-width:2}svg .tick,svg .val{font-size:10px;font-family:sans-serif;fill:#333}
.muted{color:#555}footer{margin-top:2em;font-size:.85em;color:#444;border-top:1px solid #bbb;padding-top:.5em}
@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}table,svg,blockquote{page-break-inside:avoid}}
@page{size:A4;margin:16mm})";

}  // namespace

void render_journey_html(const Journey& j, std::ostream& out) {
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>Journey of " << html_escape(j.person) << "</title>\n<style>\n"
      << kJourneyCss << "\n</style>\n</head>\n<body>\n";
  out << "<header><h1>Journey of " << html_escape(j.person) << "</h1>\n<p class=\"sub\">"
      << (j.service.empty() ? "" : html_escape(j.service) + " &middot; ") << "up to "
      << html_escape(long_date(j.as_of)) << "</p></header>\n";

  out << "<section>\n<h2>Time with the service</h2>\n";
  if (j.episodes.empty()) {
    out << "<p>No start date recorded yet.</p>\n";
  } else {
    out << "<table>\n<tr><th>Period</th><th>Started</th><th>Ended</th><th>Length</th><th>How it "
           "ended</th></tr>\n";
    for (const JourneyEpisode& ep : j.episodes) {
      std::string how = ep.end ? html_escape(ep.exit_reason_name) : std::string("still being supported");
      if (!ep.exit_text.empty()) how += " &ndash; " + html_escape(ep.exit_text);
      out << fmt::format(
          "<tr><td>{}{}</td><td>{}</td><td>{}</td><td class=\"n\">{} days</td><td>{}</td></tr>\n",
          ep.number, ep.number > 1 ? " (came back)" : "", html_escape(long_date(ep.start)),
          ep.end ? html_escape(long_date(*ep.end)) : "&ndash;", ep.days, how);
    }
    out << "</table>\n";
  }
  out << "</section>\n";

  out << "<section>\n<h2>Keeping in touch</h2>\n";
  const ContactCounts& c = j.contacts.all;
  if (c.total() == 0) {
    out << "<p>No contacts recorded.</p>\n";
  } else {
    out << fmt::format(
        "<p>{} contacts between {} and {}: {} meetings attended, {} missed, {} times you got in "
        "touch yourself, and {} outreach visits.</p>\n",
        c.total(), html_escape(long_date(*j.contacts.first)), html_escape(long_date(*j.contacts.last)), c.attended,
        c.missed, c.self_initiated, c.outreach);
    out << "<table>\n<tr><th>Month</th><th>Attended</th><th>Missed</th><th>You got in "
           "touch</th><th>Outreach</th></tr>\n";
    for (const auto& [m, mc] : j.contacts.months)
      out << fmt::format(
          "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td "
          "class=\"n\">{}</td></tr>\n",
          m, mc.attended, mc.missed, mc.self_initiated, mc.outreach);
    out << "</table>\n";
  }
  out << "</section>\n";

  if (!j.scales.empty()) {
    out << "<section>\n<h2>How things have changed over time</h2>\n"
        << "<p>Ups and downs are a normal part of any journey; a dip is a step, not a "
           "failure.</p>\n";
    for (const JourneyScale& s : j.scales) {
      out << "<h3>" << html_escape(s.name) << "</h3>\n";
      out << "<p>"
          << (s.direction == Direction::LowerIsBetter ? "Lower scores are better."
                                                      : "Higher scores are better.");
      if (s.has_total && s.baseline && s.latest) {
        out << fmt::format(" From {} on {} to {} on {}.", html_escape(num(s.baseline->score)),
                           html_escape(long_date(s.baseline->date)), html_escape(num(s.latest->score)),
                           html_escape(long_date(s.latest->date)));
        std::string words = plain_change(s.reliable_change);
        if (!words.empty())
          out << " " << html_escape(words[0] == 'a' ? "That is " + words : "It is " + words) << ".";
      }
      if (s.incomplete_occasions > 0)
        out << fmt::format(
            " {} time{} not every question was answered, so no score was worked out.",
            s.incomplete_occasions, s.incomplete_occasions == 1 ? "" : "s");
      out << "</p>\n";
      if (s.has_total) out << score_chart(s) << "\n";
      out << "<table>\n<tr><th></th>";
      for (const JourneyOccasion& o : s.occasions) out << "<th>" << format_date(o.date) << "</th>";
      out << "<th>Trend</th></tr>\n";
      if (s.has_total) {
        out << "<tr><th>Score</th>";
        for (const JourneyOccasion& o : s.occasions)
          out << "<td class=\"n\">" << (o.score ? html_escape(num(*o.score)) : "&ndash;") << "</td>";
        out << "<td class=\"spark\">" << sparkline(score_series(s), s.score_min, s.score_max)
            << "</td></tr>\n";
      }
      for (const JourneyItemSeries& item : s.items) {
        out << "<tr><td>" << html_escape(item.name) << "</td>";
        for (const auto& v : item.values)
          out << "<td class=\"n\">" << (v ? std::to_string(*v) : "&ndash;") << "</td>";
        out << "<td class=\"spark\">" << sparkline(item_series(item), item.min, item.max)
            << "</td></tr>\n";
      }
      out << "</table>\n";
      if (!s.notice.empty()) out << "<p class=\"muted\">" << html_escape(s.notice) << "</p>\n";
    }
    out << "</section>\n";
  }

  if (!j.statuses.empty()) {
    out << "<section>\n<h2>Areas of life we worked on</h2>\n<table>\n<tr><th>Area</th><th>Where "
           "things are</th><th>What was needed</th></tr>\n";
    for (const JourneyStatus& st : j.statuses) {
      std::string needs;
      for (const JourneyNeed& n : st.needs)
        needs += fmt::format(
            "{}{} ({}){}", needs.empty() ? "" : "<br>", html_escape(n.text),
            n.met ? "sorted " + html_escape(long_date(*n.met)) : std::string("still working on it"), "");
      for (const JourneyStatusEntry& h : st.history)
        if (!h.text.empty()) needs += (needs.empty() ? "" : "<br>") + html_escape(h.text);
      out << "<tr><td>" << html_escape(st.name) << "</td><td>" << html_escape(st.current_name) << "</td><td>"
          << needs << "</td></tr>\n";
    }
    out << "</table>\n</section>\n";
  }

  if (!j.milestones.empty()) {
    out << "<section>\n<h2>Milestones</h2>\n<ul>\n";
    for (const JourneyMilestone& m : j.milestones) {
      out << "<li><strong>" << html_escape(m.name) << "</strong>: ";
      std::string parts;
      for (const MilestoneRun& r : m.runs) {
        std::string p = "started " + long_date(r.start);
        if (r.sustained_on && m.sustain) p += ", kept going for " + format_duration(*m.sustain);
        if (r.end) p += ", ended " + long_date(*r.end);
        parts += (parts.empty() ? "" : "; ") + p;
      }
      out << html_escape(parts) << "</li>\n";
    }
    out << "</ul>\n</section>\n";
  }

  if (!j.goals.empty()) {
    out << "<section>\n<h2>Your goals, in your own words</h2>\n";
    for (const JourneyGoal& g : j.goals) {
      out << "<blockquote>" << html_escape(g.text) << "</blockquote>\n<p>Set on "
          << html_escape(long_date(g.set_on));
      if (!g.attainment_label.empty()) out << "; where it is now: " << html_escape(g.attainment_label);
      out << (g.open ? "." : " (finished).") << "</p>\n";
      if (!g.reviews.empty()) {
        out << "<ul>\n";
        for (const JourneyGoalReview& r : g.reviews)
          out << "<li>" << html_escape(long_date(r.date)) << (r.close ? " (finished)" : "") << ": "
              << html_escape(r.label.empty() ? attainment_text(r.attainment) : r.label)
              << (r.text.empty() ? "" : " &ndash; &ldquo;" + html_escape(r.text) + "&rdquo;") << "</li>\n";
        out << "</ul>\n";
      }
    }
    out << "</section>\n";
  }

  if (!j.signals.empty()) {
    out << "<section>\n<h2>Signs of connection</h2>\n<table>\n<tr><th>What we "
           "noticed</th><th>Times</th><th>Most recent</th></tr>\n";
    for (const JourneySignal& sg : j.signals)
      out << fmt::format("<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>\n", html_escape(sg.name),
                         sg.total, html_escape(long_date(sg.dates.back())));
    out << "</table>\n</section>\n";
  }

  if (!j.notes.empty()) {
    out << "<section>\n<h2>Notes</h2>\n";
    for (const JourneyNote& n : j.notes)
      out << "<p><strong>" << html_escape(long_date(n.date)) << "</strong>"
          << (n.is_private ? " (private)" : "") << ": " << html_escape(n.text) << "</p>\n";
    out << "</section>\n";
  }

  if (!j.workers.empty()) {
    out << "<section>\n<h2>People who supported you</h2>\n<p>";
    for (size_t i = 0; i < j.workers.size(); ++i) out << (i ? ", " : "") << html_escape(j.workers[i].by);
    out << "</p>\n</section>\n";
  }

  if (j.audit) {
    out << "<section>\n<h2>Audit "
           "history</h2>\n<table>\n<tr><th>#</th><th>Date</th><th>Kind</th><th>Detail</"
           "th><th>Recorded</th><th>By</th><th>Correction</th></tr>\n";
    for (const Entry& e : j.audit_entries) {
      std::string corr;
      if (e.supersedes) corr = fmt::format("corrects #{}", e.supersedes);
      if (!e.reason.empty()) corr += (corr.empty() ? "" : ": ") + e.reason;
      if (e.superseded) corr += (corr.empty() ? "" : "; ") + std::string("superseded");
      out << fmt::format(
          "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></"
          "tr>\n",
          e.id, format_date(e.date), to_string(e.kind), html_escape(audit_detail(e)), html_escape(e.recorded_at),
          html_escape(e.by), html_escape(corr));
    }
    out << "</table>\n</section>\n";
  }

  out << "<footer><p>Produced on " << html_escape(long_date(j.as_of))
      << ". This record is about one person and is confidential.</p></footer>\n</body>\n</html>\n";
}

}  // namespace outcomes
