#include "assess.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>
#include <span>
#include <string_view>

#include "csv.h"
#include "store.h"

namespace outcomes {

std::string_view to_string(ReliableChange value) {
  switch (value) {
    case ReliableChange::Improved:
      return "improved";
    case ReliableChange::NoReliableChange:
      return "no_reliable_change";
    case ReliableChange::Deteriorated:
      return "deteriorated";
    case ReliableChange::InsufficientData:
      return "insufficient_data";
    case ReliableChange::NotComputable:
      return "not_computable";
  }
  return "";
}

std::string_view to_string(ClinicalSignificance value) {
  switch (value) {
    case ClinicalSignificance::Recovered:
      return "recovered";
    case ClinicalSignificance::Improved:
      return "improved";
    case ClinicalSignificance::Unchanged:
      return "unchanged";
    case ClinicalSignificance::Deteriorated:
      return "deteriorated";
  }
  return "";
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
  return "";
}

double round_to(double value, int decimals) {
  double scale = std::pow(10.0, decimals);
  double scaled = value * scale;
  // A decimal half such as 2.675 is stored just below it in binary; nudge by far less
  // than any meaningful difference so such values round away from zero as written.
  double nudged = scaled + std::copysign(1e-7, scaled);
  double rounded = std::trunc(scaled);
  if (std::abs(nudged - rounded) >= 0.5) rounded += std::copysign(1.0, scaled);
  return rounded / scale;
}

double gas_t_score(const std::vector<int>& attainments, double rho) {
  if (attainments.empty()) return 50;
  double n = static_cast<double>(attainments.size());
  double sum = 0;
  for (int x : attainments) sum += x;
  // Equal weights wᵢ = 1: Σwᵢ² = n and (Σwᵢ)² = n².
  return 50 + 10 * sum / std::sqrt((1 - rho) * n + rho * n * n);
}

namespace {

constexpr int kRecentDays = 90;  // signals and engagement: dates D−89 … D

// What assessing needs from a framework, worked out once per framework.
struct PreparedFramework {
  const Framework* framework = nullptr;
  std::vector<const Measure*> items;
  std::vector<const Measure*> statuses;
  std::vector<const Measure*> milestones;
  std::vector<const Measure*> signals;
  double total_weight = 0;

  explicit PreparedFramework(const Framework& f) : framework(&f), items(f.items()) {
    for (const auto& m : f.measures) {
      if (m.type == MeasureType::Status) statuses.push_back(&m);
      if (m.type == MeasureType::Milestone) milestones.push_back(&m);
      if (m.type == MeasureType::Signal) signals.push_back(&m);
    }
    for (const auto* item : items) total_weight += weight_of(*item);
  }

  double weight_of(const Measure& item) const {
    return framework->scoring.total == ScoreRule::WeightedSum ? item.weight : 1.0;
  }
  int item_index(std::string_view id) const {
    for (size_t i = 0; i < items.size(); ++i)
      if (items[i]->id == id) return static_cast<int>(i);
    return -1;
  }
};

struct Occasion {
  Date date;
  std::vector<std::optional<int>> values;
};

struct Trajectory {
  int direction_changes = 0;
  int setbacks = 0;
  std::optional<DatedScore> best;
  std::optional<DatedScore> worst;
};

}  // namespace

bool better(double a, double b, Direction direction) {
  return direction == Direction::HigherIsBetter ? a > b : a < b;
}

namespace {

Trajectory trajectory_of(const std::vector<DatedScore>& series, Direction direction) {
  Trajectory t;
  int last_sign = 0;
  for (size_t i = 0; i < series.size(); ++i) {
    const auto& point = series[i];
    // Strict comparisons: a tie keeps the earlier date.
    if (!t.best || better(point.score, t.best->score, direction)) t.best = point;
    if (!t.worst || better(t.worst->score, point.score, direction)) t.worst = point;
    if (i == 0) continue;
    double diff = point.score - series[i - 1].score;
    if (diff == 0) continue;
    int sign = diff > 0 ? 1 : -1;
    if (last_sign != 0 && sign != last_sign) ++t.direction_changes;
    last_sign = sign;
    if (better(series[i - 1].score, point.score, direction)) ++t.setbacks;
  }
  return t;
}

// The band holding `score`; a score falling between two bands belongs to the lower one.
std::optional<std::string> band_of(const std::vector<Band>& bands, double score) {
  const Band* found = nullptr;
  double highest = 0;
  for (const auto& band : bands) {
    if (!found || band.max > highest) highest = band.max;
    if (band.min <= score && (!found || band.min > found->min)) found = &band;
  }
  if (!found || score > highest) return std::nullopt;
  return found->id;
}

std::optional<double> score_of(const PreparedFramework& p, const Occasion& occasion) {
  const auto& scoring = p.framework->scoring;
  double raw = 0;
  double present_weight = 0;
  int missing = 0;
  for (size_t i = 0; i < p.items.size(); ++i) {
    if (!occasion.values[i]) {
      ++missing;
      continue;
    }
    double w = p.weight_of(*p.items[i]);
    raw += w * *occasion.values[i];
    present_weight += w;
  }
  if (missing > 0) {
    if (scoring.missing != MissingRule::Prorate || missing > scoring.prorate_max_missing ||
        present_weight <= 0)
      return std::nullopt;
    raw = raw * p.total_weight / present_weight;
  }
  if (scoring.conversion.empty()) return raw;
  // A conversion table maps whole raw totals; a prorated total is rounded to one first.
  auto it = scoring.conversion.find(static_cast<int>(round_to(raw, 0)));
  return it == scoring.conversion.end() ? raw : it->second;
}

ItemAssessment item_from_series(const std::vector<DatedScore>& series, const Scoring& scoring,
                                bool banded) {
  ItemAssessment item;
  item.occasions = static_cast<int>(series.size());
  item.baseline = series.front();
  item.latest = series.back();
  if (series.size() >= 2) item.change = series.back().score - series.front().score;
  auto t = trajectory_of(series, scoring.direction);
  item.direction_changes = t.direction_changes;
  item.setbacks = t.setbacks;
  item.best = t.best;
  item.worst = t.worst;
  if (banded && !scoring.bands.empty()) {
    item.baseline_band = band_of(scoring.bands, series.front().score);
    item.latest_band = band_of(scoring.bands, series.back().score);
  }
  return item;
}

bool has_group(const NormGroup& g) {
  return g.sd > 0;
}

std::optional<ClinicalSignificance> clinical_significance(const Scoring& scoring,
                                                          ReliableChange category, double latest) {
  if (!scoring.norms) return std::nullopt;
  switch (category) {
    case ReliableChange::NoReliableChange:
      return ClinicalSignificance::Unchanged;
    case ReliableChange::Deteriorated:
      return ClinicalSignificance::Deteriorated;
    case ReliableChange::Improved:
      break;
    default:
      return std::nullopt;
  }
  const auto& fun = scoring.norms->functional;
  const auto& dys = scoring.norms->dysfunctional;
  double sign = scoring.direction == Direction::HigherIsBetter ? 1 : -1;
  double cutoff;
  if (has_group(fun) && has_group(dys))
    cutoff = (dys.sd * fun.mean + fun.sd * dys.mean) / (dys.sd + fun.sd);  // criterion c
  else if (has_group(fun))
    cutoff = fun.mean - sign * 2 * fun.sd;  // criterion b
  else if (has_group(dys))
    cutoff = dys.mean + sign * 2 * dys.sd;  // criterion a
  else
    return ClinicalSignificance::Improved;
  bool passed = better(latest, cutoff, scoring.direction);
  return passed ? ClinicalSignificance::Recovered : ClinicalSignificance::Improved;
}

void assess_scale(const PreparedFramework& p, const std::vector<Occasion>& occasions,
                  Assessment& a) {
  const auto& scoring = p.framework->scoring;
  if (p.items.empty()) return;
  std::vector<std::vector<DatedScore>> item_series(p.items.size());

  if (p.framework->has_total()) {
    std::vector<DatedScore> scores;
    for (const auto& occasion : occasions) {
      auto score = score_of(p, occasion);
      if (!score) {
        ++a.incomplete_occasions;
        continue;
      }
      scores.push_back({occasion.date, *score});
      for (size_t i = 0; i < p.items.size(); ++i)
        if (occasion.values[i])
          item_series[i].push_back({occasion.date, static_cast<double>(*occasion.values[i])});
    }
    a.occasions = static_cast<int>(scores.size());
    if (!scores.empty()) {
      a.baseline = scores.front();
      a.latest = scores.back();
      if (!scoring.bands.empty()) {
        a.baseline_band = band_of(scoring.bands, a.baseline->score);
        a.latest_band = band_of(scoring.bands, a.latest->score);
      }
      auto t = trajectory_of(scores, scoring.direction);
      a.direction_changes = t.direction_changes;
      a.setbacks = t.setbacks;
      a.best = t.best;
      a.worst = t.worst;
    }
    a.reliable_change = ReliableChange::InsufficientData;
    if (scores.size() >= 2) {
      double change = a.latest->score - a.baseline->score;
      a.change = change;
      bool long_enough =
          !scoring.minimum_interval ||
          a.latest->date >= add_duration(a.baseline->date, *scoring.minimum_interval);
      if (long_enough) {
        double denominator = 0;
        if (scoring.reference_sd && scoring.reliability)
          denominator =
              *scoring.reference_sd * std::sqrt(2.0) * std::sqrt(1.0 - scoring.reliability->value);
        if (denominator > 0 && std::isfinite(denominator)) {
          double rc = change / denominator;
          a.rci = rc;
          // Improvement is read in the framework's direction; the test uses the unrounded RC.
          double improving = scoring.direction == Direction::HigherIsBetter ? rc : -rc;
          if (improving > 1.96)
            a.reliable_change = ReliableChange::Improved;
          else if (improving < -1.96)
            a.reliable_change = ReliableChange::Deteriorated;
          else
            a.reliable_change = ReliableChange::NoReliableChange;
          a.clinical_significance =
              clinical_significance(scoring, a.reliable_change, a.latest->score);
        } else {
          a.reliable_change = ReliableChange::NotComputable;
        }
      }
    }
  } else {
    // Without a total each item stands alone: an occasion rating some of the items is a
    // whole occasion for those items, not an incomplete one.
    for (const auto& occasion : occasions) {
      bool any = false;
      for (size_t i = 0; i < p.items.size(); ++i) {
        if (!occasion.values[i]) continue;
        item_series[i].push_back({occasion.date, static_cast<double>(*occasion.values[i])});
        any = true;
      }
      if (any) ++a.occasions;
    }
  }

  bool items_banded = !p.framework->has_total();
  for (size_t i = 0; i < p.items.size(); ++i)
    if (!item_series[i].empty())
      a.items.emplace(p.items[i]->id, item_from_series(item_series[i], scoring, items_banded));
}

std::string trimmed(std::string_view text) {
  auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  auto end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

struct StatusTrack {
  std::optional<Date> status_date;
  std::string status;
  std::optional<Date> need_date;
  std::map<std::string, bool> needs;  // need text -> still open
};

struct MilestoneTrack {
  bool started = false;
  bool achieved = false;
  std::optional<Date> running_since;
};

Assessment assess_span(const PreparedFramework& p, std::span<const Entry> entries, Date as_of) {
  const Framework& f = *p.framework;
  Assessment a;
  a.framework = f.id;
  a.as_of = as_of;
  if (!entries.empty()) a.person = entries.front().person;

  Date recent_from{as_of.days - (kRecentDays - 1)};
  std::vector<Occasion> occasions;
  std::map<std::string, StatusTrack, std::less<>> statuses;
  std::map<std::string, MilestoneTrack, std::less<>> milestones;
  std::map<std::string, GoalAssessment, std::less<>> goals;
  for (const auto* m : p.signals) a.signals[m->id];

  bool open = false;
  for (const Entry& e : entries) {
    if (e.date > as_of) continue;
    switch (e.kind) {
      case EntryKind::Enrol:
        open = true;
        continue;
      case EntryKind::Exit:
        open = false;
        continue;
      case EntryKind::Contact:
        if (e.date >= recent_from) {
          if (e.status == "attended") ++a.engagement.attended;
          if (e.status == "missed") ++a.engagement.missed;
          if (e.status == "self_initiated") ++a.engagement.self_initiated;
        }
        continue;
      default:
        break;
    }
    if (e.framework != f.id) continue;
    switch (e.kind) {
      case EntryKind::Assessment: {
        int index = p.item_index(e.measure);
        if (index < 0 || !e.value) break;
        if (occasions.empty() || occasions.back().date != e.date)
          occasions.push_back({e.date, std::vector<std::optional<int>>(p.items.size())});
        occasions.back().values[static_cast<size_t>(index)] = *e.value;
        break;
      }
      case EntryKind::Status: {
        auto& track = statuses[e.measure];
        track.status_date = e.date;
        track.status = e.status;
        break;
      }
      case EntryKind::Need: {
        auto& track = statuses[e.measure];
        track.need_date = e.date;
        if (e.status == "open") track.needs[trimmed(e.text)] = true;
        if (e.status == "met") {
          auto it = track.needs.find(trimmed(e.text));
          if (it != track.needs.end()) it->second = false;
        }
        break;
      }
      case EntryKind::Milestone: {
        const Measure* m = f.find_measure(e.measure);
        if (!m || m->type != MeasureType::Milestone) break;
        auto& track = milestones[e.measure];
        if (e.status == "start" && !track.running_since) {
          track.started = true;
          track.running_since = e.date;
          if (!m->sustain) track.achieved = true;
        } else if (e.status == "end" && track.running_since) {
          // An end falling exactly on start + sustain completes the run.
          if (m->sustain && e.date >= add_duration(*track.running_since, *m->sustain))
            track.achieved = true;
          track.running_since.reset();
        }
        break;
      }
      case EntryKind::Signal: {
        auto it = a.signals.find(e.measure);
        if (it == a.signals.end()) break;
        ++it->second.total;
        if (e.date >= recent_from) ++it->second.last_90_days;
        break;
      }
      case EntryKind::Goal: {
        int scale_baseline = f.goal_scale ? f.goal_scale->baseline : -1;
        if (e.status == "set") {
          GoalAssessment g;
          g.goal = e.measure;
          g.text = e.text;
          g.baseline = e.value.value_or(scale_baseline);
          g.attainment = g.baseline;
          g.open = true;
          goals[e.measure] = std::move(g);
        } else if (auto it = goals.find(e.measure); it != goals.end()) {
          if (e.value) it->second.attainment = *e.value;
          if (e.status == "close") it->second.open = false;
        }
        break;
      }
      default:
        break;
    }
  }
  a.in_open_episode = open;

  assess_scale(p, occasions, a);

  for (const auto* m : p.statuses) {
    auto it = statuses.find(m->id);
    std::string status = "not_assessed";
    if (it != statuses.end()) {
      const auto& track = it->second;
      if (track.status_date && (!track.need_date || *track.status_date >= *track.need_date)) {
        status = track.status;
      } else if (track.need_date) {
        bool any_open = std::any_of(track.needs.begin(), track.needs.end(),
                                    [](const auto& need) { return need.second; });
        StatusMeaning meaning = !any_open ? StatusMeaning::Achieved
                                : open    ? StatusMeaning::Partial
                                          : StatusMeaning::NotAchieved;
        status = f.status_for(meaning);
        if (status.empty()) status = std::string(to_string(meaning));
      }
    }
    a.statuses.emplace(m->id, std::move(status));
  }

  for (const auto* m : p.milestones) {
    auto it = milestones.find(m->id);
    if (it == milestones.end() || !it->second.started) continue;
    auto& track = it->second;
    if (track.running_since && m->sustain &&
        as_of >= add_duration(*track.running_since, *m->sustain))
      track.achieved = true;
    a.milestones.emplace(m->id, track.achieved        ? MilestoneState::Achieved
                                : track.running_since ? MilestoneState::InProgress
                                                      : MilestoneState::Ended);
  }

  if (!goals.empty()) {
    std::vector<int> attainments;
    for (auto& [key, g] : goals) {
      attainments.push_back(g.attainment);
      a.goals.push_back(std::move(g));
    }
    a.t_score = gas_t_score(attainments, f.goal_scale ? f.goal_scale->rho : 0.3);
  }
  return a;
}

}  // namespace

Assessment assess_person(const Framework& framework, const std::vector<Entry>& entries,
                         Date as_of) {
  PreparedFramework prepared(framework);
  return assess_span(prepared, entries, as_of);
}

StoreAssessment assess_store(const JourneyStore& store, const std::vector<Framework>& frameworks,
                             const AssessOptions& options) {
  StoreAssessment result;
  std::map<std::string, PreparedFramework, std::less<>> prepared;
  for (const auto& f : frameworks) {
    if (!options.frameworks.empty() &&
        std::find(options.frameworks.begin(), options.frameworks.end(), f.id) ==
            options.frameworks.end())
      continue;
    prepared.emplace(f.id, PreparedFramework(f));
  }
  std::set<std::string, std::less<>> unknown;

  // One person's entries, kept in a buffer whose strings are reused from person to person.
  std::vector<Entry> buffer;
  size_t count = 0;
  std::vector<std::string_view> seen;

  auto flush = [&]() {
    if (count == 0) return;
    std::span<const Entry> person(buffer.data(), count);
    seen.clear();
    for (const auto& e : person)
      if (!e.framework.empty() && std::find(seen.begin(), seen.end(), e.framework) == seen.end())
        seen.push_back(e.framework);
    std::sort(seen.begin(), seen.end());
    bool checked_active = false;
    for (auto id : seen) {
      auto it = prepared.find(id);
      if (it == prepared.end()) {
        bool known = std::any_of(frameworks.begin(), frameworks.end(),
                                 [&](const Framework& f) { return f.id == id; });
        if (!known) unknown.emplace(id);
        continue;
      }
      Assessment a = assess_span(it->second, person, options.as_of);
      if (options.active_only && !checked_active) {
        if (!a.in_open_episode) break;
        checked_active = true;
      }
      result.assessments.push_back(std::move(a));
    }
    count = 0;
  };

  EntryQuery query;
  query.people = options.people;
  query.to = options.as_of;
  store.for_each_entry(query, [&](const Entry& e) {
    if (e.date > options.as_of) return;
    ++result.entries_read;
    if (count > 0 && buffer[count - 1].person != e.person) flush();
    if (count == buffer.size()) buffer.emplace_back();
    // Only the fields assessing reads are copied (notes' text, who, refs and timestamps are
    // not), into strings whose capacity is reused from person to person.
    Entry& kept = buffer[count++];
    kept.person = e.person;
    kept.date = e.date;
    kept.kind = e.kind;
    kept.framework = e.framework;
    kept.measure = e.measure;
    kept.value = e.value;
    kept.status = e.status;
    if (e.kind == EntryKind::Need || e.kind == EntryKind::Goal)
      kept.text = e.text;
    else
      kept.text.clear();
    kept.id = e.id;
    kept.seq = e.seq;
  });
  flush();
  result.unknown_frameworks.assign(unknown.begin(), unknown.end());
  return result;
}

}  // namespace outcomes
