#include "timeline.h"

#include <algorithm>
#include <cmath>

#include "text.h"

namespace outcomes {

EpisodeStep EpisodeRule::enrol(Date date) {
  if (open_) return EpisodeStep::EnrolWhileOpen;
  open_ = true;
  opened_ = date;
  return EpisodeStep::Opened;
}

EpisodeStep EpisodeRule::exit(Date date) {
  if (!open_) return EpisodeStep::ExitWithoutEpisode;
  open_ = false;
  closed_ = date;
  return EpisodeStep::Closed;
}

std::string need_key(std::string_view text) {
  return std::string(text::trim(text));
}

void evaluate_run(MilestoneRun& run, const std::optional<Duration>& sustain, Date as_of) {
  Date target = sustain ? add_duration(run.start, *sustain) : run.start;
  Date until = run.end ? *run.end : as_of;
  run.sustained = until >= target;
  run.sustained_on.reset();
  run.due.reset();
  if (run.sustained && sustain)
    run.sustained_on = target;
  else if (!run.sustained && !run.end)
    run.due = target;
}

std::string_view to_string(MilestoneState value) {
  switch (value) {
    case MilestoneState::Achieved:
      return "achieved";
    case MilestoneState::InProgress:
      return "in_progress";
    case MilestoneState::Ended:
      return "ended";
  }
  return "ended";
}

MilestoneState milestone_state(const std::vector<MilestoneRun>& runs) {
  for (const auto& r : runs)
    if (r.sustained) return MilestoneState::Achieved;
  return !runs.empty() && !runs.back().end ? MilestoneState::InProgress : MilestoneState::Ended;
}

// ---------------------------------------------------------------------------------------

PreparedFramework::PreparedFramework(const Framework& f) : framework(&f), items(f.items()) {
  for (const auto& m : f.measures) {
    if (m.type == MeasureType::Status) statuses.push_back(&m);
    if (m.type == MeasureType::Milestone) milestones.push_back(&m);
    if (m.type == MeasureType::Signal) signals.push_back(&m);
  }
  for (const auto* item : items) total_weight += weight_of(*item);
}

double PreparedFramework::weight_of(const Measure& item) const {
  return framework->scoring.total == ScoreRule::WeightedSum ? item.weight : 1.0;
}

int PreparedFramework::item_index(std::string_view id) const {
  for (std::size_t i = 0; i < items.size(); ++i)
    if (items[i]->id == id) return static_cast<int>(i);
  return -1;
}

OccasionScore PreparedFramework::score(const std::vector<std::optional<int>>& values) const {
  const auto& scoring = framework->scoring;
  OccasionScore result;
  double raw = 0;
  double present_weight = 0;
  int missing = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!values[i]) {
      ++missing;
      continue;
    }
    double w = weight_of(*items[i]);
    raw += w * *values[i];
    present_weight += w;
  }
  if (!framework->has_total() || items.empty()) {
    result.complete = missing == 0 && !items.empty();
    return result;
  }
  if (missing > 0) {
    if (scoring.missing != MissingRule::Prorate || missing > scoring.prorate_max_missing ||
        present_weight <= 0)
      return result;
    raw = raw * total_weight / present_weight;
  }
  if (!scoring.conversion.empty()) {
    // Half away from zero, as std::lround does.
    auto it = scoring.conversion.find(static_cast<int>(std::lround(raw)));
    if (it == scoring.conversion.end()) return result;
    raw = it->second;
  }
  result.complete = true;
  result.score = raw;
  return result;
}

PreparedFrameworks::PreparedFrameworks(const std::vector<const Framework*>& frameworks) {
  for (const Framework* f : frameworks) list_.emplace_back(*f);
  std::sort(list_.begin(), list_.end(), [](const auto& a, const auto& b) {
    return a.framework->id < b.framework->id;
  });
}

PreparedFrameworks::PreparedFrameworks(const std::vector<Framework>& frameworks,
                                       const std::vector<std::string>& only) {
  for (const Framework& f : frameworks)
    if (only.empty() || std::find(only.begin(), only.end(), f.id) != only.end())
      list_.emplace_back(f);
  std::sort(list_.begin(), list_.end(), [](const auto& a, const auto& b) {
    return a.framework->id < b.framework->id;
  });
}

const PreparedFramework* PreparedFrameworks::find(std::string_view id) const {
  for (const auto& p : list_)
    if (p.framework->id == id) return &p;
  return nullptr;
}

// ---------------------------------------------------------------------------------------

FrameworkTimeline::FrameworkTimeline(const PreparedFramework& p) : prepared(&p) {
  for (const Measure* m : p.statuses) statuses.push_back({m, {}, {}, std::nullopt, "not_assessed"});
  for (const Measure* m : p.signals) signals.push_back({m, {}});
}

std::vector<const Goal*> FrameworkTimeline::current_goals() const {
  std::vector<const Goal*> latest;
  for (const Goal& g : goals) {
    auto it = std::find_if(latest.begin(), latest.end(),
                           [&](const Goal* other) { return other->key == g.key; });
    if (it == latest.end())
      latest.push_back(&g);
    else
      *it = &g;
  }
  std::sort(latest.begin(), latest.end(),
            [](const Goal* a, const Goal* b) { return a->key < b->key; });
  return latest;
}

const FrameworkTimeline* Timeline::find(std::string_view framework) const {
  for (const auto& f : frameworks)
    if (f.framework().id == framework) return &f;
  return nullptr;
}

std::optional<Date> Timeline::last_occasion() const {
  std::optional<Date> last;
  for (const auto& f : frameworks)
    if (!f.occasions.empty() && (!last || f.occasions.back().date > *last))
      last = f.occasions.back().date;
  return last;
}

namespace {

// A status measure's current status: the latest status entry, unless a need entry came after
// it; then derived from the needs — every need met → achieved, some still open → partial
// while the person is in an episode, not achieved once support ended — in the framework's
// own status ids. With nothing recorded the measure is not assessed.
std::string current_status(const Framework& f, const StatusTrack& track, bool in_episode) {
  std::optional<Date> status_date;
  if (!track.history.empty()) status_date = track.history.back()->date;
  if (status_date && (!track.last_need || *status_date >= *track.last_need))
    return track.history.back()->status;
  if (!track.last_need) return "not_assessed";
  bool any_open = std::any_of(track.needs.begin(), track.needs.end(),
                              [](const Need& n) { return !n.met; });
  StatusMeaning meaning = !any_open   ? StatusMeaning::Achieved
                          : in_episode ? StatusMeaning::Partial
                                       : StatusMeaning::NotAchieved;
  std::string status = f.status_for(meaning);
  return status.empty() ? std::string(to_string(meaning)) : status;
}

// Reads one person's entries of one framework into `ft`.
class FrameworkReader {
 public:
  explicit FrameworkReader(FrameworkTimeline& ft) : ft_(ft), p_(*ft.prepared) {}

  void add(const Entry& e) {
    switch (e.kind) {
      case EntryKind::Assessment:
        return add_score(e);
      case EntryKind::Status:
        if (StatusTrack* s = status(e.measure)) s->history.push_back(&e);
        return;
      case EntryKind::Need:
        return add_need(e);
      case EntryKind::Milestone:
        return add_milestone(e);
      case EntryKind::Signal:
        for (auto& s : ft_.signals)
          if (s.measure->id == e.measure) s.dates.push_back(e.date);
        return;
      case EntryKind::Goal:
        return add_goal(e);
      default:
        return;
    }
  }

  void finish(Date as_of, bool in_episode) {
    const Framework& f = *p_.framework;
    for (auto& o : ft_.occasions) {
      OccasionScore s = p_.score(o.values);
      o.complete = s.complete;
      o.score = s.score;
      if (o.score) o.band = f.scoring.band_for(*o.score);
    }
    for (auto& s : ft_.statuses) s.current = current_status(f, s, in_episode);
    for (auto& m : ft_.milestones) {
      for (auto& r : m.runs) evaluate_run(r, m.measure->sustain, as_of);
      m.state = milestone_state(m.runs);
    }
    // Milestones in the framework's measure order.
    std::stable_sort(ft_.milestones.begin(), ft_.milestones.end(),
                     [](const MilestoneTrack& a, const MilestoneTrack& b) {
                       return a.measure < b.measure;
                     });
  }

 private:
  StatusTrack* status(std::string_view measure) {
    for (auto& s : ft_.statuses)
      if (s.measure->id == measure) return &s;
    return nullptr;
  }

  void add_score(const Entry& e) {
    int index = p_.item_index(e.measure);
    // A score the item no longer allows (its range was narrowed since) is left out.
    if (index < 0 || !e.value || !p_.items[static_cast<std::size_t>(index)]->allows(*e.value))
      return;
    auto& occasions = ft_.occasions;
    if (occasions.empty() || occasions.back().date != e.date)
      occasions.push_back({e.date, std::vector<std::optional<int>>(p_.items.size()), false,
                           std::nullopt, nullptr});
    occasions.back().values[static_cast<std::size_t>(index)] = *e.value;
  }

  void add_need(const Entry& e) {
    StatusTrack* s = status(e.measure);
    if (!s) return;
    s->last_need = e.date;
    std::string text = need_key(e.text);
    if (e.status == "open") {
      if (!needs_.open({s, text}, e.date, s->needs.size()))
        s->needs.push_back({std::move(text), e.date, std::nullopt});
    } else if (e.status == "met") {
      if (auto held = needs_.close({s, text})) s->needs[held->slot].met = e.date;
    }
  }

  void add_milestone(const Entry& e) {
    const Measure* m = nullptr;
    for (const Measure* candidate : p_.milestones)
      if (candidate->id == e.measure) m = candidate;
    if (!m) return;
    auto track = std::find_if(ft_.milestones.begin(), ft_.milestones.end(),
                              [&](const MilestoneTrack& t) { return t.measure == m; });
    if (e.status == "start") {
      if (running_.open(m, e.date)) return;
      if (track == ft_.milestones.end()) {
        ft_.milestones.push_back({m, {}, MilestoneState::Ended});
        track = ft_.milestones.end() - 1;
      }
      track->runs.push_back({e.date, std::nullopt, false, std::nullopt, std::nullopt});
    } else if (e.status == "end") {
      if (running_.close(m)) track->runs.back().end = e.date;
    }
  }

  void add_goal(const Entry& e) {
    const Framework& f = *p_.framework;
    // An attainment outside the goal scale (narrowed since it was recorded) is left out.
    const bool in_scale = e.value && (!f.goal_scale || (*e.value >= f.goal_scale->min &&
                                                        *e.value <= f.goal_scale->max));
    if (e.status == "set") {
      int baseline = in_scale ? *e.value : (f.goal_scale ? f.goal_scale->baseline : -1);
      ft_.goals.push_back({e.measure, &e, baseline, baseline, true, {}});
      return;
    }
    // Reviews and the close apply to the latest goal set under the key.
    for (auto it = ft_.goals.rbegin(); it != ft_.goals.rend(); ++it) {
      if (it->key != e.measure) continue;
      if (in_scale) it->attainment = *e.value;
      if (e.status == "close") it->open = false;
      it->reviews.push_back(&e);
      return;
    }
  }

  struct NeedKey {
    const StatusTrack* measure;
    std::string text;
    bool operator==(const NeedKey&) const = default;
  };

  FrameworkTimeline& ft_;
  const PreparedFramework& p_;
  OpenSet<NeedKey> needs_;
  OpenSet<const Measure*> running_;
};

}  // namespace

Timeline build_timeline(std::span<const Entry> entries, const PreparedFrameworks& frameworks,
                        Date as_of) {
  Timeline t;
  t.as_of = as_of;
  if (!entries.empty()) t.person = entries.front().person;

  // Framework entries go to one reader per framework, kept beside the timeline's list.
  std::vector<FrameworkReader> readers;
  readers.reserve(frameworks.all().size());
  t.frameworks.reserve(frameworks.all().size());
  auto reader_for = [&](std::string_view id) -> FrameworkReader* {
    for (std::size_t i = 0; i < t.frameworks.size(); ++i)
      if (t.frameworks[i].framework().id == id) return &readers[i];
    const PreparedFramework* p = frameworks.find(id);
    if (!p) {
      if (std::find(t.unknown_frameworks.begin(), t.unknown_frameworks.end(), id) ==
          t.unknown_frameworks.end())
        t.unknown_frameworks.emplace_back(id);
      return nullptr;
    }
    t.frameworks.emplace_back(*p);
    readers.emplace_back(t.frameworks.back());
    return &readers.back();
  };

  EpisodeRule episodes;
  for (const Entry& e : entries) {
    if (e.date > as_of) continue;
    switch (e.kind) {
      case EntryKind::Enrol:
        if (episodes.enrol(e.date) == EpisodeStep::Opened)
          t.episodes.push_back({e.date, std::nullopt, &e, nullptr});
        continue;
      case EntryKind::Exit:
        if (episodes.exit(e.date) == EpisodeStep::Closed) {
          t.episodes.back().end = e.date;
          t.episodes.back().exit = &e;
        }
        continue;
      case EntryKind::Contact:
        t.contacts.push_back(&e);
        continue;
      case EntryKind::Attribute: {
        auto it = std::find_if(t.attributes.begin(), t.attributes.end(),
                               [&](const Entry* a) { return a->measure == e.measure; });
        if (it == t.attributes.end())
          t.attributes.push_back(&e);
        else
          *it = &e;
        continue;
      }
      default:
        break;
    }
    if (e.framework.empty()) continue;
    if (FrameworkReader* r = reader_for(e.framework)) r->add(e);
  }

  bool in_episode = t.in_open_episode();
  for (auto& r : readers) r.finish(as_of, in_episode);

  // Frameworks by id; readers are done, so their order no longer matters.
  std::sort(t.frameworks.begin(), t.frameworks.end(),
            [](const FrameworkTimeline& a, const FrameworkTimeline& b) {
              return a.framework().id < b.framework().id;
            });
  std::sort(t.unknown_frameworks.begin(), t.unknown_frameworks.end());
  return t;
}

}  // namespace outcomes
