#include "journey.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "error.h"
#include "store.h"
#include "suggest.h"

namespace outcomes {
namespace {

std::string trim(std::string_view text) {
  size_t b = 0, e = text.size();
  while (b < e && (text[b] == ' ' || text[b] == '\t' || text[b] == '\r' || text[b] == '\n')) ++b;
  while (e > b &&
         (text[e - 1] == ' ' || text[e - 1] == '\t' || text[e - 1] == '\r' || text[e - 1] == '\n'))
    --e;
  return std::string(text.substr(b, e - b));
}

std::string month_of(Date date) {
  auto ymd = split_date(date);
  return fmt::format("{:04d}-{:02d}", ymd.year, ymd.month);
}

std::string status_name(const Framework* fw, const std::string& id) {
  if (id == "not_assessed") return "Not assessed";
  if (!fw) return id;
  const StatusDef* s = fw->find_status(id);
  return s ? s->name : id;
}

bool entry_order(const Entry& a, const Entry& b) {
  if (a.date != b.date) return a.date < b.date;
  if (a.seq != b.seq) return a.seq < b.seq;
  return a.id < b.id;
}

// The total score of an occasion under the framework's rule, or nullopt when it cannot be scored.
std::optional<double> occasion_score(const Framework& fw, const std::map<std::string, int>& items,
                                     bool& complete) {
  auto all = fw.items();
  double sum = 0, weight_all = 0, weight_present = 0;
  int missing = 0;
  for (const Measure* m : all) {
    double w = fw.scoring.total == ScoreRule::WeightedSum ? m->weight : 1.0;
    weight_all += w;
    auto it = items.find(m->id);
    if (it == items.end()) {
      ++missing;
      continue;
    }
    weight_present += w;
    sum += w * it->second;
  }
  complete = missing == 0 && !all.empty();
  if (!fw.has_total() || all.empty()) return std::nullopt;
  if (missing > 0) {
    if (fw.scoring.missing != MissingRule::Prorate || missing > fw.scoring.prorate_max_missing ||
        weight_present <= 0)
      return std::nullopt;
    sum = sum * weight_all / weight_present;
  }
  if (!fw.scoring.conversion.empty()) {
    auto it = fw.scoring.conversion.find(static_cast<int>(std::lround(sum)));
    if (it == fw.scoring.conversion.end()) return std::nullopt;
    return it->second;
  }
  return sum;
}

std::pair<double, double> score_range(const Framework& fw) {
  double lo = 0, hi = 0;
  for (const Measure* m : fw.items()) {
    double w = fw.scoring.total == ScoreRule::WeightedSum ? m->weight : 1.0;
    double a = w * m->lowest(), b = w * m->highest();
    lo += std::min(a, b);
    hi += std::max(a, b);
  }
  if (!fw.scoring.conversion.empty()) {
    lo = fw.scoring.conversion.begin()->second;
    hi = fw.scoring.conversion.rbegin()->second;
  }
  return {lo, hi};
}

std::optional<std::string> band_of(const Framework& fw, double score) {
  for (const Band& b : fw.scoring.bands)
    if (score >= b.min && score <= b.max) return b.name;
  return std::nullopt;
}

}  // namespace

Journey build_journey(const std::string& person, const std::vector<Entry>& input,
                      const Workspace& workspace, const JourneyOptions& options) {
  Journey j;
  j.person = person;
  j.service = workspace.settings.service_name;
  j.as_of = options.as_of;
  j.include_private = options.include_private;
  j.audit = options.audit;

  std::vector<Entry> current;
  for (const Entry& e : input) {
    if (e.person != person || e.date > options.as_of) continue;
    if (options.audit) {
      Entry a = e;
      if (a.kind == EntryKind::Note && a.status == "private" && !options.include_private)
        a.text.clear();
      j.audit_entries.push_back(std::move(a));
    }
    if (!e.superseded) current.push_back(e);
  }
  std::stable_sort(current.begin(), current.end(), entry_order);
  std::stable_sort(j.audit_entries.begin(), j.audit_entries.end(), entry_order);

  // Episodes, attributes, contacts, notes, workers: one pass in recording order.
  std::map<std::string, JourneyWorker> workers;
  std::map<std::string, JourneyAttribute> attributes;
  std::map<std::string, ContactCounts> months;
  for (const Entry& e : current) {
    if (!e.by.empty()) {
      auto [it, fresh] = workers.try_emplace(e.by);
      JourneyWorker& w = it->second;
      if (fresh) {
        w.by = e.by;
        w.first = e.date;
      }
      ++w.entries;
      w.last = e.date;
    }
    switch (e.kind) {
      case EntryKind::Enrol:
        if (j.episodes.empty() || j.episodes.back().end) {
          JourneyEpisode ep;
          ep.number = static_cast<int>(j.episodes.size()) + 1;
          ep.start = e.date;
          ep.enrol_text = e.text;
          j.episodes.push_back(ep);
        }
        break;
      case EntryKind::Exit:
        if (!j.episodes.empty() && !j.episodes.back().end) {
          JourneyEpisode& ep = j.episodes.back();
          ep.end = e.date;
          ep.exit_reason = e.status;
          const ExitReason* r = workspace.settings.find_exit_reason(e.status);
          ep.exit_reason_name = r ? r->name : e.status;
          ep.exit_text = e.text;
        }
        break;
      case EntryKind::Attribute: {
        JourneyAttribute& a = attributes[e.measure];
        a.id = e.measure;
        const AttributeDef* def = workspace.settings.find_attribute(e.measure);
        a.name = def ? def->name : e.measure;
        a.value = e.status;
        a.date = e.date;
        break;
      }
      case EntryKind::Contact: {
        ContactCounts& m = months[month_of(e.date)];
        ContactCounts& all = j.contacts.all;
        if (e.status == "attended")
          ++m.attended, ++all.attended;
        else if (e.status == "missed")
          ++m.missed, ++all.missed;
        else if (e.status == "self_initiated")
          ++m.self_initiated, ++all.self_initiated;
        else if (e.status == "outreach")
          ++m.outreach, ++all.outreach;
        if (!j.contacts.first) j.contacts.first = e.date;
        j.contacts.last = e.date;
        break;
      }
      case EntryKind::Note: {
        bool priv = e.status == "private";
        if (priv && !options.include_private) {
          ++j.private_notes_hidden;
          break;
        }
        j.notes.push_back({e.date, e.text, e.by, priv});
        break;
      }
      default:
        break;
    }
  }
  for (JourneyEpisode& ep : j.episodes)
    ep.days = (ep.end ? ep.end->days : options.as_of.days) - ep.start.days;
  j.in_open_episode = !j.episodes.empty() && !j.episodes.back().end;
  for (auto& [by, w] : workers) j.workers.push_back(w);
  for (const AttributeDef& def : workspace.settings.attributes) {
    auto it = attributes.find(def.id);
    if (it == attributes.end()) continue;
    j.attributes.push_back(it->second);
    attributes.erase(it);
  }
  for (auto& [id, a] : attributes) j.attributes.push_back(a);
  if (j.contacts.first) {
    auto ymd = split_date(*j.contacts.first);
    Date cursor = make_date(ymd.year, ymd.month, 1);
    std::string last = month_of(*j.contacts.last);
    while (true) {
      std::string m = month_of(cursor);
      auto it = months.find(m);
      j.contacts.months.emplace_back(m, it == months.end() ? ContactCounts{} : it->second);
      if (m == last) break;
      cursor = add_months(cursor, 1);
    }
  }

  // Framework entries, grouped by framework id (sorted).
  std::map<std::string, std::vector<const Entry*>> by_framework;
  for (const Entry& e : current)
    if (!e.framework.empty()) by_framework[e.framework].push_back(&e);

  for (const auto& [fw_id, list] : by_framework) {
    const Framework* fw = workspace.find_framework(fw_id);
    if (!fw) continue;  // a framework no longer in the workspace: nothing to interpret it with
    Assessment a = assess_person(*fw, current, options.as_of);

    // Scales: occasions by date.
    std::map<Date, std::map<std::string, int>> occasions;
    for (const Entry* e : list)
      if (e->kind == EntryKind::Assessment && e->value) occasions[e->date][e->measure] = *e->value;
    if (!occasions.empty()) {
      JourneyScale s;
      s.framework = fw->id;
      s.name = fw->name;
      s.notice = fw->notice;
      s.has_total = fw->has_total();
      s.item_count = static_cast<int>(fw->items().size());
      s.direction = fw->scoring.direction;
      std::tie(s.score_min, s.score_max) = score_range(*fw);
      for (const auto& [date, items] : occasions) {
        JourneyOccasion o;
        o.date = date;
        o.items = items;
        o.score = occasion_score(*fw, items, o.complete);
        if (o.score) o.band = band_of(*fw, *o.score);
        if (o.complete)
          ++s.complete_occasions;
        else
          ++s.incomplete_occasions;
        s.occasions.push_back(std::move(o));
      }
      for (const Measure* m : fw->items()) {
        JourneyItemSeries series;
        series.id = m->id;
        series.name = m->label.empty() ? m->name : m->label;
        series.min = m->lowest();
        series.max = m->highest();
        bool any = false;
        for (const JourneyOccasion& o : s.occasions) {
          auto it = o.items.find(m->id);
          if (it == o.items.end()) {
            series.values.push_back(std::nullopt);
            continue;
          }
          any = true;
          series.values.push_back(it->second);
          if (!series.first) series.first = it->second;
          series.last = it->second;
        }
        if (any) s.items.push_back(std::move(series));
      }
      s.baseline = a.baseline;
      s.latest = a.latest;
      s.change = a.change;
      s.reliable_change = a.reliable_change;
      s.setbacks = a.setbacks;
      j.scales.push_back(std::move(s));
    }

    // Statuses and needs, in the framework's measure order.
    for (const Measure& m : fw->measures) {
      if (m.type == MeasureType::Status) {
        JourneyStatus st;
        st.framework = fw->id;
        st.framework_name = fw->name;
        st.measure = m.id;
        st.name = m.label.empty() ? m.name : m.label;
        for (const Entry* e : list) {
          if (e->measure != m.id) continue;
          if (e->kind == EntryKind::Status) {
            st.history.push_back({e->date, e->status, status_name(fw, e->status), e->text});
          } else if (e->kind == EntryKind::Need) {
            std::string text = trim(e->text);
            if (e->status == "open") {
              st.needs.push_back({text, e->date, std::nullopt});
            } else if (e->status == "met") {
              for (JourneyNeed& n : st.needs)
                if (n.text == text && !n.met) {
                  n.met = e->date;
                  break;
                }
            }
          }
        }
        if (st.history.empty() && st.needs.empty()) continue;
        auto it = a.statuses.find(m.id);
        st.current = it == a.statuses.end() ? "not_assessed" : it->second;
        st.current_name = status_name(fw, st.current);
        j.statuses.push_back(std::move(st));
      } else if (m.type == MeasureType::Milestone) {
        JourneyMilestone ms;
        ms.framework = fw->id;
        ms.measure = m.id;
        ms.name = m.label.empty() ? m.name : m.label;
        ms.sustain = m.sustain;
        for (const Entry* e : list) {
          if (e->measure != m.id || e->kind != EntryKind::Milestone) continue;
          bool running = !ms.runs.empty() && !ms.runs.back().end;
          if (e->status == "start" && !running)
            ms.runs.push_back(
                MilestoneRun{e->date, std::nullopt, false, std::nullopt, std::nullopt});
          else if (e->status == "end" && running)
            ms.runs.back().end = e->date;
        }
        if (ms.runs.empty()) continue;
        bool achieved = false;
        for (MilestoneRun& r : ms.runs) {
          Date target = m.sustain ? add_duration(r.start, *m.sustain) : r.start;
          Date until = r.end ? *r.end : options.as_of;
          r.sustained = until >= target;
          if (r.sustained && m.sustain)
            r.sustained_on = target;
          else if (!r.sustained && !r.end)
            r.due = target;
          achieved = achieved || r.sustained;
        }
        ms.state = achieved ? "achieved" : !ms.runs.back().end ? "in_progress" : "ended";
        j.milestones.push_back(std::move(ms));
      } else if (m.type == MeasureType::Signal) {
        JourneySignal sg;
        sg.framework = fw->id;
        sg.measure = m.id;
        sg.name = m.label.empty() ? m.name : m.label;
        for (const Entry* e : list) {
          if (e->measure != m.id || e->kind != EntryKind::Signal) continue;
          sg.dates.push_back(e->date);
          ++sg.total;
          if (e->date.days > options.as_of.days - 90) ++sg.last_90_days;
        }
        if (sg.total > 0) j.signals.push_back(std::move(sg));
      }
    }

    // Goals: each `set` starts a goal; reviews and closes apply to the latest goal of that key.
    if (fw->is_goal_framework()) {
      std::vector<JourneyGoal> goals;
      for (const Entry* e : list) {
        if (e->kind != EntryKind::Goal) continue;
        if (e->status == "set") {
          JourneyGoal g;
          g.framework = fw->id;
          g.key = e->measure;
          g.text = e->text;
          g.set_on = e->date;
          g.baseline = e->value ? *e->value : fw->goal_scale->baseline;
          g.attainment = g.baseline;
          goals.push_back(std::move(g));
          continue;
        }
        JourneyGoal* g = nullptr;
        for (auto it = goals.rbegin(); it != goals.rend(); ++it)
          if (it->key == e->measure) {
            g = &*it;
            break;
          }
        if (!g) continue;
        bool close = e->status == "close";
        int value = e->value ? *e->value : g->attainment;
        g->reviews.push_back({e->date, value, close, e->text, ""});
        g->attainment = value;
        if (close) g->open = false;
      }
      auto label = [&](int value) {
        auto it = fw->goal_scale->levels.find(value);
        return it == fw->goal_scale->levels.end() ? std::string() : it->second;
      };
      for (JourneyGoal& g : goals) {
        g.attainment_label = label(g.attainment);
        for (JourneyGoalReview& r : g.reviews) r.label = label(r.attainment);
      }
      std::stable_sort(goals.begin(), goals.end(), [](const JourneyGoal& x, const JourneyGoal& y) {
        if (x.set_on != y.set_on) return x.set_on < y.set_on;
        return x.key < y.key;
      });
      if (!goals.empty()) {
        j.goal_summaries.push_back({fw->id, fw->name, a.t_score});
        for (auto& g : goals) j.goals.push_back(std::move(g));
      }
    }
  }
  return j;
}

Journey load_journey(const JourneyStore& store, const Workspace& workspace,
                     const std::string& person, const JourneyOptions& options) {
  EntryQuery query;
  query.people = std::vector<std::string>{person};
  query.to = options.as_of;
  query.include_superseded = options.audit;
  std::vector<Entry> entries;
  store.for_each_entry(query, [&](const Entry& e) { entries.push_back(e); });
  if (entries.empty()) {
    auto people = store.people();
    if (!std::binary_search(people.begin(), people.end(), person) &&
        std::find(people.begin(), people.end(), person) == people.end())
      throw UsageError(fmt::format("no person '{}' in the journey store{}", person,
                                   did_you_mean(person, people)));
  }
  return build_journey(person, entries, workspace, options);
}

}  // namespace outcomes
