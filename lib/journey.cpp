#include "journey.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "error.h"
#include "forget.h"
#include "store.h"
#include "suggest.h"

namespace outcomes {
namespace {

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

}  // namespace

namespace {

// The scale part of a framework's timeline, as the journey shows it.
JourneyScale journey_scale(const FrameworkTimeline& ft, const Assessment& a) {
  const Framework& fw = ft.framework();
  const PreparedFramework& p = *ft.prepared;
  JourneyScale s;
  s.framework = fw.id;
  s.name = fw.name;
  s.notice = fw.notice;
  s.has_total = fw.has_total();
  s.item_count = static_cast<int>(p.items.size());
  s.direction = fw.scoring.direction;
  std::tie(s.score_min, s.score_max) = score_range(fw);
  for (const Occasion& occasion : ft.occasions) {
    JourneyOccasion o;
    o.date = occasion.date;
    for (std::size_t i = 0; i < p.items.size(); ++i)
      if (occasion.values[i]) o.items.emplace(p.items[i]->id, *occasion.values[i]);
    o.complete = occasion.complete;
    o.score = occasion.score;
    if (occasion.band) o.band = occasion.band->name;
    ++(o.complete ? s.complete_occasions : s.incomplete_occasions);
    s.occasions.push_back(std::move(o));
  }
  for (std::size_t i = 0; i < p.items.size(); ++i) {
    const Measure* m = p.items[i];
    JourneyItemSeries series;
    series.id = m->id;
    series.name = m->label.empty() ? m->name : m->label;
    series.min = m->lowest();
    series.max = m->highest();
    bool any = false;
    for (const Occasion& o : ft.occasions) {
      series.values.push_back(o.values[i]);
      if (!o.values[i]) continue;
      any = true;
      if (!series.first) series.first = o.values[i];
      series.last = o.values[i];
    }
    if (any) s.items.push_back(std::move(series));
  }
  s.baseline = a.baseline;
  s.latest = a.latest;
  s.change = a.change;
  s.reliable_change = a.reliable_change;
  s.setbacks = a.setbacks;
  return s;
}

std::vector<JourneyGoal> journey_goals(const FrameworkTimeline& ft) {
  const Framework& fw = ft.framework();
  auto label = [&](int value) {
    auto it = fw.goal_scale->levels.find(value);
    return it == fw.goal_scale->levels.end() ? std::string() : it->second;
  };
  std::vector<JourneyGoal> goals;
  for (const Goal& goal : ft.goals) {
    JourneyGoal g;
    g.framework = fw.id;
    g.key = goal.key;
    g.text = goal.set->text;
    g.set_on = goal.set->date;
    g.baseline = goal.baseline;
    g.attainment = goal.attainment;
    g.open = goal.open;
    g.attainment_label = label(g.attainment);
    // A review without a value keeps the attainment it found.
    int running = goal.baseline;
    for (const Entry* e : goal.reviews) {
      if (e->value) running = *e->value;
      g.reviews.push_back({e->date, running, e->status == "close", e->text, label(running)});
    }
    goals.push_back(std::move(g));
  }
  std::stable_sort(goals.begin(), goals.end(), [](const JourneyGoal& x, const JourneyGoal& y) {
    if (x.set_on != y.set_on) return x.set_on < y.set_on;
    return x.key < y.key;
  });
  return goals;
}

void add_framework(Journey& j, const Timeline& t, const FrameworkTimeline& ft) {
  const Framework& fw = ft.framework();
  Assessment a = assess_timeline(t, ft);
  if (!ft.occasions.empty()) j.scales.push_back(journey_scale(ft, a));

  for (const StatusTrack& track : ft.statuses) {
    if (track.history.empty() && track.needs.empty()) continue;
    const Measure& m = *track.measure;
    JourneyStatus st;
    st.framework = fw.id;
    st.framework_name = fw.name;
    st.measure = m.id;
    st.name = m.label.empty() ? m.name : m.label;
    for (const Entry* e : track.history)
      st.history.push_back({e->date, e->status, status_name(&fw, e->status), e->text});
    for (const Need& n : track.needs) st.needs.push_back({n.text, n.opened, n.met});
    st.current = track.current;
    st.current_name = status_name(&fw, st.current);
    j.statuses.push_back(std::move(st));
  }
  for (const MilestoneTrack& track : ft.milestones) {
    const Measure& m = *track.measure;
    j.milestones.push_back({fw.id, m.id, m.label.empty() ? m.name : m.label, m.sustain,
                            std::string(to_string(track.state)), track.runs});
  }
  for (const SignalTrack& track : ft.signals) {
    if (track.dates.empty()) continue;
    const Measure& m = *track.measure;
    JourneySignal sg;
    sg.framework = fw.id;
    sg.measure = m.id;
    sg.name = m.label.empty() ? m.name : m.label;
    sg.dates = track.dates;
    sg.total = static_cast<int>(track.dates.size());
    auto recent = a.signals.find(m.id);
    sg.last_90_days = recent == a.signals.end() ? 0 : recent->second.last_90_days;
    j.signals.push_back(std::move(sg));
  }
  if (fw.is_goal_framework() && !ft.goals.empty()) {
    j.goal_summaries.push_back({fw.id, fw.name, a.t_score});
    for (auto& g : journey_goals(ft)) j.goals.push_back(std::move(g));
  }
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

  PreparedFrameworks prepared(workspace.frameworks);
  Timeline t = build_timeline(current, prepared, options.as_of);

  for (const Episode& episode : t.episodes) {
    JourneyEpisode ep;
    ep.number = static_cast<int>(j.episodes.size()) + 1;
    ep.start = episode.start;
    ep.end = episode.end;
    ep.enrol_text = episode.enrol->text;
    if (episode.exit) {
      ep.exit_reason = episode.exit->status;
      const ExitReason* r = workspace.settings.find_exit_reason(ep.exit_reason);
      ep.exit_reason_name = r ? r->name : ep.exit_reason;
      ep.exit_text = episode.exit->text;
    }
    ep.days = (ep.end ? ep.end->days : options.as_of.days) - ep.start.days;
    j.episodes.push_back(std::move(ep));
  }
  j.in_open_episode = t.in_open_episode();

  // Attributes: the settings' order, then unknown ones by id.
  std::map<std::string, JourneyAttribute> attributes;
  for (const Entry* e : t.attributes) {
    const AttributeDef* def = workspace.settings.find_attribute(e->measure);
    attributes[e->measure] = {e->measure, def ? def->name : e->measure, e->status, e->date};
  }
  for (const AttributeDef& def : workspace.settings.attributes) {
    auto it = attributes.find(def.id);
    if (it == attributes.end()) continue;
    j.attributes.push_back(it->second);
    attributes.erase(it);
  }
  for (auto& [id, a] : attributes) j.attributes.push_back(a);

  // Contacts by month, empty months included.
  std::map<std::string, ContactCounts> months;
  for (const Entry* e : t.contacts) {
    ContactCounts& m = months[format_month(e->date)];
    ContactCounts& all = j.contacts.all;
    if (e->status == "attended")
      ++m.attended, ++all.attended;
    else if (e->status == "missed")
      ++m.missed, ++all.missed;
    else if (e->status == "self_initiated")
      ++m.self_initiated, ++all.self_initiated;
    else if (e->status == "outreach")
      ++m.outreach, ++all.outreach;
    if (!j.contacts.first) j.contacts.first = e->date;
    j.contacts.last = e->date;
  }
  if (j.contacts.first) {
    auto ymd = split_date(*j.contacts.first);
    Date cursor = make_date(ymd.year, ymd.month, 1);
    std::string last = format_month(*j.contacts.last);
    while (true) {
      std::string m = format_month(cursor);
      auto it = months.find(m);
      j.contacts.months.emplace_back(m, it == months.end() ? ContactCounts{} : it->second);
      if (m == last) break;
      cursor = add_months(cursor, 1);
    }
  }

  // Notes and the workers who recorded, in recording order.
  std::map<std::string, JourneyWorker> workers;
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
    if (e.kind != EntryKind::Note) continue;
    bool priv = e.status == "private";
    if (priv && !options.include_private) {
      ++j.private_notes_hidden;
      continue;
    }
    j.notes.push_back({e.date, e.text, e.by, priv});
  }
  for (auto& [by, w] : workers) j.workers.push_back(w);

  // Frameworks no longer in the workspace have nothing to interpret their entries with.
  for (const FrameworkTimeline& ft : t.frameworks) add_framework(j, t, ft);
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
        std::find(people.begin(), people.end(), person) == people.end()) {
      if (auto date = ErasedPeople(store).erased_on(person))
        throw UsageError(erased_person_message(person, *date) + "; nothing of theirs is kept");
      throw UsageError(fmt::format("no person '{}' in the journey store{}", person,
                                   did_you_mean(person, people)));
    }
  }
  return build_journey(person, entries, workspace, options);
}

}  // namespace outcomes
