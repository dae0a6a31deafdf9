#include "assess.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <nlohmann/json.hpp>
#include <set>
#include <span>
#include <string_view>
#include <thread>

#include "csv.h"
#include "relay.h"
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

std::optional<double> reliable_change_sdiff(const Scoring& scoring) {
  if (scoring.reference_sd && scoring.reliability) {
    double sdiff =
        *scoring.reference_sd * std::sqrt(2.0) * std::sqrt(1.0 - scoring.reliability->value);
    if (sdiff > 0 && std::isfinite(sdiff)) return sdiff;
  }
  if (scoring.sem && *scoring.sem > 0 && std::isfinite(*scoring.sem))
    return std::sqrt(2.0) * *scoring.sem;
  return std::nullopt;
}

namespace {

constexpr int kRecentDays = 90;  // signals and engagement: dates D−89 … D

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

std::optional<std::string> band_id(const Scoring& scoring, double score) {
  const Band* band = scoring.band_for(score);
  return band ? std::optional<std::string>(band->id) : std::nullopt;
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
    item.baseline_band = band_id(scoring, series.front().score);
    item.latest_band = band_id(scoring, series.back().score);
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

// Change on the total between baseline and latest: the reliable-change category (read in the
// framework's direction, tested on the unrounded RC), clinical significance and whether it
// meets the framework's minimum meaningful change. Change over less than the minimum interval
// is given but not judged.
void judge_change(const Scoring& scoring, Assessment& a) {
  a.reliable_change = ReliableChange::InsufficientData;
  if (!a.baseline || !a.latest || a.occasions < 2) return;
  double change = a.latest->score - a.baseline->score;
  a.change = change;
  if (!change_interval_counts(scoring, a.baseline->date, a.latest->date)) return;
  double improving = scoring.direction == Direction::HigherIsBetter ? change : -change;
  if (scoring.minimum_change)
    a.meaningful_change = improving >= *scoring.minimum_change - 1e-9;
  auto sdiff = reliable_change_sdiff(scoring);
  if (!sdiff) {
    a.reliable_change = ReliableChange::NotComputable;
    return;
  }
  double rc = change / *sdiff;
  a.rci = rc;
  double improving_rc = improving / *sdiff;
  if (improving_rc > 1.96)
    a.reliable_change = ReliableChange::Improved;
  else if (improving_rc < -1.96)
    a.reliable_change = ReliableChange::Deteriorated;
  else
    a.reliable_change = ReliableChange::NoReliableChange;
  a.clinical_significance = clinical_significance(scoring, a.reliable_change, a.latest->score);
}

void assess_scale(const FrameworkTimeline& ft, Assessment& a) {
  const PreparedFramework& p = *ft.prepared;
  const auto& scoring = p.framework->scoring;
  if (p.items.empty()) return;
  std::vector<std::vector<DatedScore>> item_series(p.items.size());
  auto add_items = [&](const Occasion& o) {
    for (size_t i = 0; i < p.items.size(); ++i)
      if (o.values[i]) item_series[i].push_back({o.date, static_cast<double>(*o.values[i])});
  };

  if (p.framework->has_total()) {
    std::vector<DatedScore> scores;
    for (const Occasion& o : ft.occasions) {
      if (!o.score) {
        ++a.incomplete_occasions;
        continue;
      }
      scores.push_back({o.date, *o.score});
      add_items(o);
    }
    a.occasions = static_cast<int>(scores.size());
    if (!scores.empty()) {
      a.baseline = scores.front();
      a.latest = scores.back();
      if (!scoring.bands.empty()) {
        a.baseline_band = band_id(scoring, a.baseline->score);
        a.latest_band = band_id(scoring, a.latest->score);
      }
      auto t = trajectory_of(scores, scoring.direction);
      a.direction_changes = t.direction_changes;
      a.setbacks = t.setbacks;
      a.best = t.best;
      a.worst = t.worst;
    }
    judge_change(scoring, a);
  } else {
    // Without a total each item's series uses every occasion holding it; an occasion counts
    // only when it rates every item, and one rating some of them is incomplete.
    for (const Occasion& o : ft.occasions) {
      add_items(o);
      if (o.complete)
        ++a.occasions;
      else
        ++a.incomplete_occasions;
    }
  }

  bool items_banded = !p.framework->has_total();
  for (size_t i = 0; i < p.items.size(); ++i)
    if (!item_series[i].empty())
      a.items.emplace(p.items[i]->id, item_from_series(item_series[i], scoring, items_banded));
}

}  // namespace

bool change_interval_counts(const Scoring& scoring, Date baseline, Date latest) {
  return !scoring.minimum_interval || latest >= add_duration(baseline, *scoring.minimum_interval);
}

Assessment assess_timeline(const Timeline& t, const FrameworkTimeline& ft) {
  const Framework& f = ft.framework();
  Assessment a;
  a.person = t.person;
  a.framework = f.id;
  a.as_of = t.as_of;
  a.in_open_episode = t.in_open_episode();

  Date recent_from{t.as_of.days - (kRecentDays - 1)};
  for (const Entry* e : t.contacts) {
    if (e->date < recent_from) continue;
    if (e->status == "attended") ++a.engagement.attended;
    if (e->status == "missed") ++a.engagement.missed;
    if (e->status == "self_initiated") ++a.engagement.self_initiated;
  }

  assess_scale(ft, a);

  for (const auto& s : ft.statuses) a.statuses.emplace(s.measure->id, s.current);
  for (const auto& m : ft.milestones) a.milestones.emplace(m.measure->id, m.state);
  for (const auto& s : ft.signals) {
    SignalCount& count = a.signals[s.measure->id];
    count.total = static_cast<int>(s.dates.size());
    count.last_90_days = static_cast<int>(
        std::count_if(s.dates.begin(), s.dates.end(), [&](Date d) { return d >= recent_from; }));
  }

  auto goals = ft.current_goals();
  if (!goals.empty()) {
    std::vector<int> attainments;
    for (const Goal* g : goals) {
      attainments.push_back(g->attainment);
      a.goals.push_back({g->key, g->set->text, g->baseline, g->attainment, g->open});
    }
    a.t_score = gas_t_score(attainments, f.goal_scale ? f.goal_scale->rho : 0.3);
  }
  return a;
}

Assessment assess_person(const Framework& framework, const std::vector<Entry>& entries,
                         Date as_of) {
  PreparedFrameworks prepared(std::vector<const Framework*>{&framework});
  Timeline t = build_timeline(entries, prepared, as_of);
  if (const FrameworkTimeline* ft = t.find(framework.id)) return assess_timeline(t, *ft);
  FrameworkTimeline empty(prepared.all().front());
  return assess_timeline(t, empty);
}

const std::vector<EntryKind> kAssessedTextKinds = {EntryKind::Need, EntryKind::Goal};

namespace {

// The entries of a run of people, handed from the thread reading the store to the one
// building and assessing their timelines. Its strings keep their capacity from batch to
// batch.
struct PeopleBatch {
  static constexpr std::size_t kEntries = std::size_t{1} << 12;
  std::vector<Entry> entries;
  std::size_t count = 0;
  std::vector<std::size_t> ends;  // where each person's entries end
};

}  // namespace

StoreAssessment for_each_timeline(const JourneyStore& store,
                                  const std::vector<Framework>& frameworks,
                                  const AssessOptions& options,
                                  const std::function<void(const Timeline&)>& each) {
  StoreAssessment result;
  PreparedFrameworks prepared(frameworks, options.frameworks);
  std::set<std::string, std::less<>> unknown;
  MisfitScan misfits(frameworks, options.frameworks);

  // Reading and decoding the store is most of the work, and building and assessing the
  // timelines the rest: the two run on two threads, people passing between them in
  // batches, in order, so `each` still sees one person at a time in the store's order.
  Relay<PeopleBatch> relay(3);
  auto assess_batches = [&] {
    while (PeopleBatch* batch = relay.take_full()) {
      std::size_t begin = 0;
      for (std::size_t end : batch->ends) {
        std::span<const Entry> person(batch->entries.data() + begin, end - begin);
        begin = end;
        Timeline t = build_timeline(person, prepared, options.as_of);
        for (const auto& id : t.unknown_frameworks) {
          bool known = std::any_of(frameworks.begin(), frameworks.end(),
                                   [&](const Framework& f) { return f.id == id; });
          if (!known) unknown.emplace(id);
        }
        if (options.active_only && !t.in_open_episode()) continue;
        each(t);
      }
      relay.give_back(batch);
    }
  };
  run_beside(relay, assess_batches, [&] {
    PeopleBatch* filling = relay.take_free();
    auto start_batch = [&] {
      if (filling) {
        filling->count = 0;
        filling->ends.clear();
      }
    };
    start_batch();
    // Ends the person being filled in; hands the batch over when it is full (or `last`).
    auto end_person = [&](bool last) {
      if (!filling) return;
      if (filling->count > 0 && (filling->ends.empty() || filling->ends.back() != filling->count))
        filling->ends.push_back(filling->count);
      if (last || filling->count >= PeopleBatch::kEntries) {
        if (!filling->ends.empty()) relay.hand_over(filling);
        filling = last ? nullptr : relay.take_free();
        start_batch();
      }
    };
    EntryQuery query;
    query.people = options.people;
    query.to = options.as_of;
    query.text_kinds = kAssessedTextKinds;
    store.for_each_entry(query, [&](const Entry& e) {
      if (e.date > options.as_of) return;
      ++result.entries_read;
      misfits.add(e);
      if (!filling) return;  // the assessing thread failed; its error is thrown below
      if (filling->count > 0 && filling->entries[filling->count - 1].person != e.person) {
        end_person(false);
        if (!filling) return;
      }
      auto& buffer = filling->entries;
      if (filling->count == buffer.size()) buffer.emplace_back();
      // Only the fields assessing reads are copied (notes' text, who, refs and timestamps
      // are not), into strings whose capacity is reused from batch to batch.
      Entry& kept = buffer[filling->count++];
      kept.person = e.person;
      kept.date = e.date;
      kept.kind = e.kind;
      kept.framework = e.framework;
      kept.measure = e.measure;
      kept.value = e.value;
      kept.status = e.status;
      kept.text = e.text;  // empty but for kAssessedTextKinds
      kept.id = e.id;
      kept.seq = e.seq;
    });
    end_person(true);
    relay.close();
  });
  result.unknown_frameworks.assign(unknown.begin(), unknown.end());
  result.misfits = misfits.result();
  return result;
}

StoreAssessment assess_store(const JourneyStore& store, const std::vector<Framework>& frameworks,
                             const AssessOptions& options) {
  std::vector<Assessment> assessments;
  StoreAssessment result = for_each_timeline(store, frameworks, options, [&](const Timeline& t) {
    for (const auto& ft : t.frameworks) assessments.push_back(assess_timeline(t, ft));
  });
  result.assessments = std::move(assessments);
  return result;
}

}  // namespace outcomes
