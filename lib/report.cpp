#include "report.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <set>
#include <span>
#include <unordered_map>
#include <unordered_set>

#include "disclosure.h"
#include "error.h"
#include "export.h"
#include "framework_check.h"
#include "store.h"
#include "suggest.h"

namespace outcomes {
namespace {

constexpr std::size_t kJourneyLines = 12;
constexpr std::string_view kNotRecorded = "not_recorded";
constexpr std::string_view kNotAssessed = "not_assessed";

bool in_period(Date d, const ReportOptions& o) {
  return d >= o.from && d <= o.to;
}

// The date part of a "YYYY-MM-DDTHH:MM:SSZ" timestamp.
std::optional<Date> recorded_date(const std::string& recorded_at) {
  if (recorded_at.size() < 10) return std::nullopt;
  return parse_date(std::string_view(recorded_at).substr(0, 10));
}

// Where one person stands in the period, from their episodes (a timeline as of `to`).
struct Flow {
  bool active = false;
  bool is_new = false;
  bool reengaged = false;
  bool exited = false;
  bool open_at_start = false;
  bool open_at_end = false;
};

Flow flow_of(const Timeline& t, const ReportOptions& o) {
  Flow f;
  const Date day_before{o.from.days - 1};
  for (std::size_t i = 0; i < t.episodes.size(); ++i) {
    const Episode& ep = t.episodes[i];
    if (in_period(ep.start, o)) (i == 0 ? f.is_new : f.reengaged) = true;
    if (ep.end && in_period(*ep.end, o)) f.exited = true;
    // An exit dated D closes the episode at D: the episode is [start, D].
    if (!ep.end || *ep.end >= o.from) f.active = true;
    if (ep.start <= day_before && (!ep.end || *ep.end > day_before)) f.open_at_start = true;
  }
  f.open_at_end = t.in_open_episode();
  return f;
}

// Each attribute's latest value on or before the timeline's date.
std::map<std::string, std::string> attributes_of(const Timeline& t) {
  std::map<std::string, std::string> values;
  for (const Entry* e : t.attributes) values[e->measure] = e->status;
  return values;
}

bool matches_where(const std::map<std::string, std::string>& attributes,
                   const std::vector<std::pair<std::string, std::string>>& where) {
  std::map<std::string, bool> attribute_ok;
  for (const auto& [attribute, value] : where) {
    auto it = attributes.find(attribute);
    std::string_view actual = it == attributes.end() ? kNotRecorded : std::string_view(it->second);
    attribute_ok[attribute] = attribute_ok[attribute] || actual == value;
  }
  return std::all_of(attribute_ok.begin(), attribute_ok.end(),
                     [](const auto& kv) { return kv.second; });
}

// Running sums of one framework over the active people.
struct FrameworkTally {
  const Framework* fw = nullptr;
  int64_t people = 0;
  std::map<std::string, std::map<std::string, int64_t>> statuses;  // measure -> status -> n
  int64_t change_people = 0;
  double change_sum = 0;
  int64_t meaningful = 0;
  std::map<ReliableChange, int64_t> categories;
  std::vector<double> changes;
  std::map<std::string, std::pair<int64_t, double>> items;  // item -> (people, sum)
  std::map<std::string, std::map<MilestoneState, int64_t>> milestones;
  std::map<std::string, int64_t> signals;
  int64_t goal_people = 0;
  double t_sum = 0;
  int64_t non_linear = 0;
  // Journey-line candidates ranked by (occasions desc, person asc).
  std::vector<std::pair<int, JourneyLine>> journeys;
};

bool journey_ranks_before(int occ_a, const std::string& a, int occ_b, const std::string& b) {
  return occ_a != occ_b ? occ_a > occ_b : a < b;
}

// The person's total score at each occasion that has one.
std::vector<DatedScore> score_series(const FrameworkTimeline& ft) {
  std::vector<DatedScore> points;
  for (const Occasion& o : ft.occasions)
    if (o.score) points.push_back({o.date, *o.score});
  return points;
}

Count count_of(int64_t n) {
  return Count{n, false, false};
}

// The soft/hard summary: one row per measure (and per framework total), from the figures.
void build_summary(Report& r) {
  r.summary.clear();
  for (const auto& f : r.frameworks) {
    for (const auto& s : f.measures) {
      SummaryRow row{f.id, s.id, s.name, "status", s.nature, "percent_achieved", s.achieved,
                     s.percent_achieved};
      bool assessed = false;
      for (const auto& sc : s.counts) {
        if (sc.counted()) row.denominator += sc.count.n;
        if (sc.status != kNotAssessed && sc.count.n > 0) assessed = true;
      }
      row.assessed = assessed;
      r.summary.push_back(std::move(row));
    }
    if (f.change) {
      Nature nature = f.items.empty() ? Nature::Soft : f.items.front().nature;
      r.summary.push_back({f.id, "total", f.name + " (total score)", "total", nature, "mean_change",
                           f.change->people, f.change->mean_change});
      r.summary.back().assessed = f.change->people.n > 0;
    }
    for (const auto& i : f.items) {
      r.summary.push_back(
          {f.id, i.id, i.name, "scale", i.nature, "mean_change", i.people, i.mean_change});
      r.summary.back().assessed = i.people.n > 0;
    }
    for (const auto& m : f.milestones) {
      r.summary.push_back(
          {f.id, m.id, m.name, "milestone", m.nature, "achieved", m.achieved, std::nullopt});
      r.summary.back().assessed = m.achieved.n + m.in_progress.n + m.ended.n > 0;
    }
    for (const auto& g : f.signals) {
      r.summary.push_back({f.id, g.id, g.name, "signal", g.nature, "total", g.total, std::nullopt});
      r.summary.back().assessed = g.total.n > 0;
    }
    if (f.goals) {
      r.summary.push_back({f.id, "goals", "Person-led goals", "goal", Nature::Soft, "mean_t_score",
                           f.goals->people, f.goals->mean_t_score});
      r.summary.back().assessed = f.goals->people.n > 0;
    }
  }
}

}  // namespace

// Accumulates the report one person at a time, so the store can be streamed.
class ReportBuilder {
 public:
  ReportBuilder(const std::vector<Framework>& frameworks, const Settings& settings,
                const ReportOptions& options)
      : settings_(settings), options_(options), prepared_(frameworks, options.frameworks) {
    for (const auto& fw : frameworks) {
      bool wanted = options.frameworks.empty() ||
                    std::find(options.frameworks.begin(), options.frameworks.end(), fw.id) !=
                        options.frameworks.end();
      if (!wanted) continue;
      tallies_.emplace(fw.id, FrameworkTally{});
      tallies_[fw.id].fw = &fw;
      order_.push_back(fw.id);
    }
    for (const auto& attr : settings.attributes) {
      auto& cells = breakdown_[attr.id];
      for (const auto& v : attr.values) cells[v];
    }
  }

  // Adds one person; `cohort_checked` when the caller already applied options.where.
  // Returns whether the person is in the cohort and active in the period.
  bool add(const std::string& person, std::span<const Entry> entries,
           bool cohort_checked = false) {
    Timeline t = build_timeline(entries, prepared_, options_.to);
    // The name the report knows the person by (a combined report's differs from the
    // references in the entries).
    if (t.person != person) t.person = person;
    auto attributes = attributes_of(t);
    if (!cohort_checked && !matches_where(attributes, options_.where)) return false;
    Flow flow = flow_of(t, options_);
    add_flow(flow, attributes);
    add_engagement_and_stories(person, entries);
    if (flow.active) add_outcomes(t);
    return flow.active;
  }

  // Counts an entry recorded in the period but dated before it that was not among the
  // entries of a person added (a late entry).
  void add_late_entry() { ++late_; }

  // What the entries added do not fit in the edited frameworks (see MisfitScan).
  void set_misfits(FrameworkCheck misfits) { misfits_ = std::move(misfits); }

  Report finish() {
    Report r;
    r.service = settings_.service_name;
    r.from = options_.from;
    r.to = options_.to;
    r.today = options_.today;
    r.period_complete = !options_.today || options_.to < *options_.today;
    r.where = options_.where;
    r.threshold = settings_.small_number_threshold;
    r.review_interval_days = settings_.review_interval_days;
    r.caseload = caseload_;
    r.engagement = engagement_;
    r.engagement.people_contacted = count_of(static_cast<int64_t>(contacted_.size()));

    bool scale_reported = false;
    for (const auto& id : order_) {
      auto& t = tallies_[id];
      bool requested = !options_.frameworks.empty();
      if (!requested && t.people == 0) continue;
      r.frameworks.push_back(framework_figures(t));
      if (!t.fw->items().empty()) scale_reported = true;
      if (!t.fw->notice.empty()) r.notices.push_back({t.fw->id, t.fw->notice});
    }

    for (const auto& attr : settings_.attributes) {
      Breakdown b{attr.id, attr.name, {}};
      auto& cells = breakdown_[attr.id];
      auto push = [&](const std::string& value) {
        const auto& c = cells[value];
        b.cells.push_back({value, count_of(c[0]), count_of(c[1]), count_of(c[2]), count_of(c[3])});
      };
      for (const auto& v : attr.values) push(v);
      for (const auto& [value, c] : cells)
        if (std::find(attr.values.begin(), attr.values.end(), value) == attr.values.end() &&
            value != kNotRecorded)
          push(value);
      push(std::string(kNotRecorded));
      r.breakdowns.push_back(std::move(b));
    }

    r.data_quality.no_baseline = count_of(scale_reported ? no_baseline_ : 0);
    r.data_quality.overdue_review = count_of(overdue_);
    r.data_quality.incomplete_occasions = count_of(incomplete_);
    r.data_quality.late_entries = count_of(late_);
    add_misfits(r);

    // One story per person, the most recent first, then shown in date order.
    std::sort(story_candidates_.begin(), story_candidates_.end(), [](const auto& a, const auto& b) {
      if (a.date != b.date) return a.date > b.date;
      if (a.person != b.person) return a.person < b.person;
      return a.seq < b.seq;
    });
    std::set<std::string> told;
    for (const auto& c : story_candidates_) {
      if (static_cast<int>(r.stories.size()) >= settings_.stories_per_report) break;
      if (!told.insert(c.person).second) continue;
      r.stories.push_back({c.person, c.date, story_excerpt(c.text)});
    }
    std::sort(r.stories.begin(), r.stories.end(), [](const Story& a, const Story& b) {
      return a.date != b.date ? a.date < b.date : a.person < b.person;
    });

    r.suppression_applied = options_.suppress;
    if (options_.suppress)
      suppress_report(r);
    else
      build_summary(r);
    return r;
  }

 private:
  // The data-quality count and the notes' sentences of the misfits.
  void add_misfits(Report& r) const {
    r.data_quality.values_outside_range = count_of(values_outside_range(misfits_));
    r.framework_warnings =
        misfit_sentences(misfits_, options_.suppress ? settings_.small_number_threshold : 0);
  }

  struct StoryCandidate {
    std::string person;
    Date date;
    int64_t seq = 0;
    std::string text;
  };

  void add_flow(const Flow& f, const std::map<std::string, std::string>& attributes) {
    auto bump = [](Count& c, bool yes) { c.n += yes ? 1 : 0; };
    bump(caseload_.active, f.active);
    bump(caseload_.new_, f.is_new);
    bump(caseload_.reengaged, f.reengaged);
    bump(caseload_.exited, f.exited);
    bump(caseload_.open_at_start, f.open_at_start);
    bump(caseload_.open_at_end, f.open_at_end);
    if (!f.active) return;
    for (const auto& attr : settings_.attributes) {
      auto it = attributes.find(attr.id);
      std::string value = it == attributes.end() ? std::string(kNotRecorded) : it->second;
      auto& c = breakdown_[attr.id][value];
      c[0] += f.active;
      c[1] += f.is_new;
      c[2] += f.reengaged;
      c[3] += f.exited;
    }
  }

  void add_engagement_and_stories(const std::string& person, std::span<const Entry> entries) {
    for (const auto& e : entries) {
      // Entries of one write share their timestamp: parse each timestamp once.
      if (e.recorded_at != last_recorded_at_) {
        last_recorded_at_ = e.recorded_at;
        auto rec = recorded_date(e.recorded_at);
        recorded_in_period_ = rec && in_period(*rec, options_);
      }
      if (recorded_in_period_ && e.date < options_.from) ++late_;
      if (!in_period(e.date, options_)) continue;
      if (e.kind == EntryKind::Contact) {
        ++engagement_.contacts.n;
        if (e.status == "attended") ++engagement_.attended.n;
        if (e.status == "missed") ++engagement_.missed.n;
        if (e.status == "self_initiated") ++engagement_.self_initiated.n;
        if (e.status == "outreach") ++engagement_.outreach.n;
        contacted_.insert(person);
      } else if (e.kind == EntryKind::Note && e.status == "shareable" && !e.text.empty()) {
        story_candidates_.push_back({person, e.date, e.seq, e.text});
      }
    }
  }

  void add_outcomes(const Timeline& t) {
    // A baseline: a scored occasion of a framework with a total, or any rated item of one
    // without. A review: the last occasion of any completeness.
    bool baseline = false;
    std::optional<Date> last_review;
    for (const FrameworkTimeline& ft : t.frameworks) {
      auto& tally = tallies_.at(ft.framework().id);
      Assessment a = assess_timeline(t, ft);
      ++tally.people;
      incomplete_ += a.incomplete_occasions;
      for (const auto& s : ft.statuses) ++tally.statuses[s.measure->id][s.current];
      add_scale(tally, a, t, ft);
      for (const auto& [measure, state] : a.milestones) ++tally.milestones[measure][state];
      for (const auto& s : ft.signals)
        for (Date d : s.dates)
          if (in_period(d, options_)) ++tally.signals[s.measure->id];
      if (a.t_score) {
        ++tally.goal_people;
        tally.t_sum += *a.t_score;
      }
      if (ft.prepared->items.empty() || ft.occasions.empty()) continue;
      baseline = baseline || a.baseline || !ft.framework().has_total();
      if (!last_review || ft.occasions.back().date > *last_review)
        last_review = ft.occasions.back().date;
    }
    if (!baseline)
      ++no_baseline_;
    else if (last_review->days < options_.to.days - settings_.review_interval_days)
      ++overdue_;
  }

  void add_scale(FrameworkTally& t, const Assessment& a, const Timeline& timeline,
                 const FrameworkTimeline& ft) {
    const Framework& fw = *t.fw;
    if (fw.items().empty()) return;
    bool non_linear = false;
    if (fw.has_total()) {
      if (a.occasions >= 1) ++t.categories[a.reliable_change];
      bool counted = a.occasions >= 1 && a.reliable_change != ReliableChange::InsufficientData &&
                     a.change.has_value();
      if (counted) {
        ++t.change_people;
        t.change_sum += *a.change;
        t.changes.push_back(*a.change);
        if (a.meaningful_change == true) ++t.meaningful;
      }
      for (const auto& [item, ia] : a.items)
        if (counted && ia.change) {
          auto& [n, sum] = t.items[item];
          ++n;
          sum += *ia.change;
        }
      non_linear = a.baseline && a.latest && a.setbacks >= 1 &&
                   better(a.latest->score, a.baseline->score, fw.scoring.direction);
      if (a.occasions >= 2) consider_journey(t, a.occasions, timeline.person, ft);
    } else {
      for (const auto& [item, ia] : a.items) {
        if (ia.change && ia.baseline && ia.latest &&
            change_interval_counts(fw.scoring, ia.baseline->date, ia.latest->date)) {
          auto& [n, sum] = t.items[item];
          ++n;
          sum += *ia.change;
        }
        if (ia.baseline && ia.latest && ia.setbacks >= 1 &&
            better(ia.latest->score, ia.baseline->score, fw.scoring.direction))
          non_linear = true;
      }
    }
    if (non_linear) ++t.non_linear;
  }

  void consider_journey(FrameworkTally& t, int occasions, const std::string& person,
                        const FrameworkTimeline& ft) {
    auto& list = t.journeys;
    if (list.size() >= kJourneyLines) {
      const auto& last = list.back();
      if (!journey_ranks_before(occasions, person, last.first, last.second.person)) return;
    }
    JourneyLine line{person, score_series(ft)};
    auto pos = std::find_if(list.begin(), list.end(), [&](const auto& c) {
      return journey_ranks_before(occasions, person, c.first, c.second.person);
    });
    list.insert(pos, {occasions, std::move(line)});
    if (list.size() > kJourneyLines) list.pop_back();
  }

  static std::vector<const Measure*> status_measures(const Framework& fw) {
    std::vector<const Measure*> list;
    for (const auto& m : fw.measures)
      if (m.type == MeasureType::Status) list.push_back(&m);
    return list;
  }

  FrameworkFigures framework_figures(FrameworkTally& t) const {
    const Framework& fw = *t.fw;
    FrameworkFigures f;
    f.id = fw.id;
    f.name = fw.name;
    f.version = fw.version;
    f.notice = fw.notice;
    f.has_total = fw.has_total();
    f.direction = fw.scoring.direction;
    f.people = count_of(t.people);
    const int64_t not_data = caseload_.active.n - t.people;
    for (const auto* m : status_measures(fw)) {
      StatusFigures s;
      s.id = m->id;
      s.name = m->name;
      s.nature = m->nature;
      auto& counts = t.statuses[m->id];
      auto take = [&](const std::string& id) {
        auto it = counts.find(id);
        return it == counts.end() ? int64_t{0} : it->second;
      };
      int64_t achieved = 0, denominator = 0;
      for (const auto& def : fw.statuses) {
        int64_t n = take(def.id);
        s.counts.push_back({def.id, count_of(n), def.means});
        if (def.means == StatusMeaning::Achieved) achieved += n;
        if (s.counts.back().counted()) denominator += n;
      }
      for (const auto& [id, n] : counts)
        if (!fw.find_status(id) && id != kNotAssessed)
          s.counts.push_back({id, count_of(n), std::nullopt});
      s.counts.push_back({std::string(kNotAssessed),
                          count_of(take(std::string(kNotAssessed)) + not_data), std::nullopt});
      s.achieved = count_of(achieved);
      if (denominator > 0)
        s.percent_achieved =
            100.0 * static_cast<double>(achieved) / static_cast<double>(denominator);
      f.measures.push_back(std::move(s));
    }
    if (fw.has_total() && !fw.items().empty()) {
      ChangeFigures c;
      c.people = count_of(t.change_people);
      if (t.change_people > 0) c.mean_change = t.change_sum / static_cast<double>(t.change_people);
      auto cat = [&](ReliableChange rc) {
        return count_of(t.categories.count(rc) ? t.categories[rc] : 0);
      };
      c.improved = cat(ReliableChange::Improved);
      c.no_reliable_change = cat(ReliableChange::NoReliableChange);
      c.deteriorated = cat(ReliableChange::Deteriorated);
      c.insufficient_data = cat(ReliableChange::InsufficientData);
      c.not_computable = cat(ReliableChange::NotComputable);
      if (fw.scoring.minimum_change) c.meaningful = count_of(t.meaningful);
      f.minimum_change = fw.scoring.minimum_change;
      f.change = c;
      f.changes = t.changes;
      std::sort(f.changes.begin(), f.changes.end());
      if (auto sdiff = reliable_change_sdiff(fw.scoring))
        f.reliable_change_threshold = 1.96 * *sdiff;
      for (auto& [occ, line] : t.journeys) f.journeys.push_back(line);
    }
    for (const auto* m : fw.items()) {
      ItemFigures it{m->id, m->name, m->nature, {}, std::nullopt};
      auto found = t.items.find(m->id);
      if (found != t.items.end()) {
        it.people = count_of(found->second.first);
        if (found->second.first > 0)
          it.mean_change = found->second.second / static_cast<double>(found->second.first);
      }
      f.items.push_back(std::move(it));
    }
    for (const auto& m : fw.measures) {
      if (m.type == MeasureType::Milestone) {
        auto& states = t.milestones[m.id];
        auto n = [&](MilestoneState s) { return count_of(states.count(s) ? states[s] : 0); };
        f.milestones.push_back({m.id, m.name, m.nature, n(MilestoneState::Achieved),
                                n(MilestoneState::InProgress), n(MilestoneState::Ended)});
      } else if (m.type == MeasureType::Signal) {
        f.signals.push_back(
            {m.id, m.name, m.nature, count_of(t.signals.count(m.id) ? t.signals[m.id] : 0)});
      }
    }
    if (fw.is_goal_framework()) {
      GoalFigures g;
      g.people = count_of(t.goal_people);
      if (t.goal_people > 0) g.mean_t_score = t.t_sum / static_cast<double>(t.goal_people);
      f.goals = g;
    }
    f.non_linear_journeys = count_of(t.non_linear);
    return f;
  }

  const Settings& settings_;
  const ReportOptions& options_;
  PreparedFrameworks prepared_;
  std::map<std::string, FrameworkTally, std::less<>> tallies_;
  std::vector<std::string> order_;
  CaseloadFigures caseload_;
  EngagementFigures engagement_;
  std::set<std::string> contacted_;
  std::map<std::string, std::map<std::string, std::array<int64_t, 4>>> breakdown_;
  int64_t no_baseline_ = 0, overdue_ = 0, incomplete_ = 0, late_ = 0;
  FrameworkCheck misfits_;
  std::vector<StoryCandidate> story_candidates_;
  // The recorded_at timestamp parsed last, and whether it falls in the period.
  std::string last_recorded_at_;
  bool recorded_in_period_ = false;
};

// --- suppression -----------------------------------------------------------------------

namespace {

// The report's counts as cells of one disclosure system, tied by the identities that hold
// between them, so that no small count can be worked out from the counts shown.
class CellMap {
 public:
  explicit CellMap(int64_t threshold) : system_(threshold) {}

  std::size_t cell(Count& c) {
    auto [it, added] = index_.try_emplace(&c, 0);
    if (added) {
      it->second = system_.add(c.n);
      counts_.push_back(&c);
    }
    return it->second;
  }
  // Σ parts = total.
  void sum(const std::vector<Count*>& parts, Count& total) {
    std::vector<Term> terms{{cell(total), -1}};
    for (Count* p : parts) terms.push_back({cell(*p), 1});
    system_.equal(std::move(terms));
  }
  // part ≤ whole.
  void at_most(Count& part, Count& whole) { system_.at_most_zero({{cell(part), 1}, {cell(whole), -1}}); }
  void equal(std::vector<std::pair<Count*, int64_t>> terms) {
    std::vector<Term> t;
    for (auto [c, coef] : terms) t.push_back({cell(*c), coef});
    system_.equal(std::move(t));
  }

  // Runs secondary suppression and marks every count; true when any is hidden.
  bool apply() {
    system_.protect();
    bool any = false;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      CellState state = system_.state(index_.at(counts_[i]));
      counts_[i]->suppressed = state != CellState::Shown;
      counts_[i]->secondary = state == CellState::Secondary;
      any = any || counts_[i]->suppressed;
    }
    return any;
  }

 private:
  DisclosureSystem system_;
  std::unordered_map<const Count*, std::size_t> index_;
  std::vector<Count*> counts_;
};

void withhold(std::optional<double>& value, bool hidden, bool& any) {
  if (hidden && value) {
    value.reset();
    any = true;
  }
}

// Every count of the report, with the identities and bounds a reader can use against them.
void tie_counts(Report& r, CellMap& m) {
  auto& cl = r.caseload;
  // Open at the start + new + re-engaged − exited = open at the end, and everyone active was
  // open at the start or came in during the period. Both are exact unless someone left and
  // came back within the period; a reader would assume them, so they are treated as exact.
  m.equal({{&cl.open_at_start, 1}, {&cl.new_, 1}, {&cl.reengaged, 1}, {&cl.exited, -1},
           {&cl.open_at_end, -1}});
  m.equal({{&cl.open_at_start, 1}, {&cl.new_, 1}, {&cl.reengaged, 1}, {&cl.active, -1}});
  m.at_most(cl.open_at_end, cl.active);
  m.at_most(cl.exited, cl.active);

  auto& en = r.engagement;
  // Every contact has one of the four contact types.
  m.sum({&en.attended, &en.missed, &en.self_initiated, &en.outreach}, en.contacts);
  m.at_most(en.people_contacted, en.contacts);

  for (auto& f : r.frameworks) {
    m.at_most(f.people, cl.active);
    for (auto& s : f.measures) {
      // Every active person has one status per measure (not_assessed included).
      std::vector<Count*> all, achieved;
      for (auto& sc : s.counts) {
        all.push_back(&sc.count);
        if (sc.means == StatusMeaning::Achieved) achieved.push_back(&sc.count);
      }
      m.sum(all, cl.active);
      m.sum(achieved, s.achieved);
    }
    if (f.change) {
      auto& c = *f.change;
      m.sum({&c.improved, &c.no_reliable_change, &c.deteriorated, &c.not_computable}, c.people);
      m.cell(c.insufficient_data);
      if (c.meaningful) m.at_most(*c.meaningful, c.people);
      for (auto& i : f.items) m.at_most(i.people, c.people);
    }
    for (auto& i : f.items) m.cell(i.people);
    for (auto& ms : f.milestones)
      for (Count* x : {&ms.achieved, &ms.in_progress, &ms.ended}) m.cell(*x);
    for (auto& g : f.signals) m.cell(g.total);
    if (f.goals) m.cell(f.goals->people);
    m.cell(f.non_linear_journeys);
  }
  for (auto& b : r.breakdowns) {
    // Each column sums to its caseload figure; each row's flows are at most its active.
    auto column = [&](Count BreakdownCell::*field, Count& total) {
      std::vector<Count*> parts;
      for (auto& cell : b.cells) parts.push_back(&(cell.*field));
      m.sum(parts, total);
    };
    column(&BreakdownCell::active, cl.active);
    column(&BreakdownCell::new_, cl.new_);
    column(&BreakdownCell::reengaged, cl.reengaged);
    column(&BreakdownCell::exited, cl.exited);
    for (auto& cell : b.cells)
      for (Count* x : {&cell.new_, &cell.reengaged, &cell.exited}) m.at_most(*x, cell.active);
  }
  auto& dq = r.data_quality;
  for (Count* c : {&dq.no_baseline, &dq.overdue_review, &dq.incomplete_occasions,
                   &dq.late_entries, &dq.values_outside_range})
    m.cell(*c);
}

}  // namespace

void suppress_report(Report& r) {
  CellMap cells(r.threshold);
  tie_counts(r, cells);
  bool any = cells.apply();

  // Percentages and means whose group, or any count they derive from, is hidden.
  for (auto& f : r.frameworks) {
    for (auto& m : f.measures) {
      bool hidden = false;
      for (auto& sc : m.counts)
        if (sc.counted() && sc.count.suppressed) hidden = true;
      withhold(m.percent_achieved, hidden, any);
    }
    if (f.change) {
      withhold(f.change->mean_change, f.change->people.suppressed, any);
      if (f.change->people.suppressed) {
        f.changes.clear();
        f.journeys.clear();
      }
      // Individual journeys could give away the hidden category counts if everyone were
      // drawn: show at most half of the people with a change, without their pseudonyms.
      auto keep = std::min<std::size_t>(f.journeys.size(),
                                        static_cast<std::size_t>(f.change->people.n / 2));
      f.journeys.resize(keep);
      for (std::size_t i = 0; i < f.journeys.size(); ++i)
        f.journeys[i].person = fmt::format("Journey {}", i + 1);
    }
    for (auto& i : f.items) withhold(i.mean_change, i.people.suppressed, any);
    if (f.goals) withhold(f.goals->mean_t_score, f.goals->people.suppressed, any);
  }
  r.suppressed = any;
  build_summary(r);
}

// --- periods, options, excerpts ------------------------------------------------------------

std::optional<std::pair<Date, Date>> month_period(std::string_view text) {
  int year = 0, month = 0;
  if (text.size() != 7 || text[4] != '-' || !parse_digits(text.substr(0, 4), year) ||
      !parse_digits(text.substr(5, 2), month) || month < 1 || month > 12 || year < 1900)
    return std::nullopt;
  Date from = make_date(year, static_cast<unsigned>(month), 1);
  Date to{add_months(from, 1).days - 1};
  return std::pair{from, to};
}

std::optional<std::pair<Date, Date>> quarter_period(std::string_view text) {
  int year = 0, quarter = 0;
  if (text.size() != 7 || text[4] != '-' || (text[5] != 'Q' && text[5] != 'q') ||
      !parse_digits(text.substr(0, 4), year) || !parse_digits(text.substr(6, 1), quarter) ||
      quarter < 1 || quarter > 4 || year < 1900)
    return std::nullopt;
  Date from = make_date(year, static_cast<unsigned>((quarter - 1) * 3 + 1), 1);
  Date to{add_months(from, 3).days - 1};
  return std::pair{from, to};
}

void validate_report_options(const ReportOptions& options, const Workspace& workspace) {
  if (options.from > options.to)
    throw UsageError(fmt::format("the period starts ({}) after it ends ({})",
                                 format_date(options.from), format_date(options.to)));
  if (options.today && options.from > *options.today)
    throw UsageError(fmt::format("the period {} to {} has not started yet (today is {})",
                                 format_date(options.from), format_date(options.to),
                                 format_date(*options.today)));
  std::vector<std::string> ids;
  for (const auto& fw : workspace.frameworks) ids.push_back(fw.id);
  for (const auto& id : options.frameworks)
    if (!workspace.find_framework(id))
      throw UsageError(fmt::format("--framework: unknown framework '{}'{}; the workspace has: {}",
                                   id, did_you_mean(id, ids), fmt::join(ids, ", ")));
  std::vector<std::string> attributes;
  for (const auto& a : workspace.settings.attributes) attributes.push_back(a.id);
  for (const auto& [attribute, value] : options.where) {
    const auto* def = workspace.settings.find_attribute(attribute);
    if (!def)
      throw UsageError(fmt::format("--where: unknown attribute '{}'{}; outcomes.yaml declares: {}",
                                   attribute, did_you_mean(attribute, attributes),
                                   attributes.empty()
                                       ? std::string("(none)")
                                       : fmt::format("{}", fmt::join(attributes, ", "))));
    std::vector<std::string> values = def->values;
    values.emplace_back(kNotRecorded);
    if (std::find(values.begin(), values.end(), value) == values.end())
      throw UsageError(fmt::format("--where: '{}' is not a value of {}{}; expected one of: {}",
                                   value, attribute, did_you_mean(value, values),
                                   fmt::join(values, ", ")));
  }
}

std::string story_excerpt(const std::string& text, std::size_t limit) {
  std::string clean;
  clean.reserve(text.size());
  bool space = false;
  for (char c : text) {
    bool ws = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (ws) {
      space = !clean.empty();
      continue;
    }
    if (space) clean += ' ';
    space = false;
    clean += c;
  }
  if (clean.size() <= limit) return clean;
  std::size_t cut = limit;
  // Never split a UTF-8 sequence: back up to a lead byte.
  while (cut > 0 && (static_cast<unsigned char>(clean[cut]) & 0xC0) == 0x80) --cut;
  auto space_at = clean.rfind(' ', cut);
  if (space_at != std::string::npos && space_at >= limit / 2) cut = space_at;
  std::string out = clean.substr(0, cut);
  while (!out.empty() && std::string_view(" ,;:-").find(out.back()) != std::string_view::npos)
    out.pop_back();
  return out + "\u2026";
}

// --- the pure core and the store front ------------------------------------------------------

Report compute_report(const std::vector<PersonJourney>& journeys,
                      const std::vector<Framework>& frameworks, const Settings& settings,
                      const ReportOptions& options) {
  ReportBuilder builder(frameworks, settings, options);
  for (const auto& j : journeys) builder.add(j.person, j.entries);
  return builder.finish();
}

namespace {

// The kinds of entry whose text the report reads: what assessing reads, and the notes its
// stories come from. Workers, refs and reasons are never read.
std::vector<EntryKind> report_text_kinds() {
  std::vector<EntryKind> kinds = kAssessedTextKinds;
  kinds.push_back(EntryKind::Note);
  return kinds;
}

// The kinds of entry that count only when dated in the period (or recorded in it, as late
// entries): contacts and notes. No other figure reads them, so the journeys of the active
// people are read without those of the time before the period.
const std::vector<EntryKind> kPeriodOnlyKinds = {EntryKind::Contact, EntryKind::Note};

bool period_only(EntryKind kind) {
  return std::find(kPeriodOnlyKinds.begin(), kPeriodOnlyKinds.end(), kind) !=
         kPeriodOnlyKinds.end();
}

// Streams the entries of `query` (restricted to `kinds`), one person at a time: `visit`
// gets the person and their entries, valid only during the call.
void for_each_person(
    const JourneyStore& store, EntryQuery query, const std::vector<EntryKind>& kinds,
    const std::function<void(const std::string&, std::span<const Entry>)>& visit) {
  if (!kinds.empty()) query.kinds = kinds;
  std::string person;
  // The entries of the person being read are the first `count`; those after are earlier
  // people's, kept for their string buffers: copying into one of them reuses its memory,
  // where a fresh copy would allocate for every longer text.
  std::vector<Entry> entries;
  std::size_t count = 0;
  auto finish_person = [&] {
    if (count > 0) visit(person, std::span<const Entry>(entries.data(), count));
    count = 0;
  };
  store.for_each_entry(query, [&](const Entry& e) {
    if (e.person != person) {
      finish_person();
      person = e.person;
    }
    if (count == entries.size())
      entries.push_back(e);
    else
      entries[count] = e;
    ++count;
  });
  finish_person();
}

}  // namespace

Report build_report(const JourneyStore& store, const Workspace& workspace,
                    const ReportOptions& options) {
  validate_report_options(options, workspace);
  // 1. Episodes and attributes of everyone (few entries): who is active, who is in the cohort.
  std::vector<std::string> active;
  std::unordered_map<std::string, bool> in_cohort;
  {
    EntryQuery q;
    q.to = options.to;
    q.text_kinds = std::vector<EntryKind>{};  // episodes and attributes: no text is read
    const PreparedFrameworks none(std::vector<const Framework*>{});
    for_each_person(
        store, q, {EntryKind::Enrol, EntryKind::Exit, EntryKind::Attribute},
        [&](const std::string& person, std::span<const Entry> entries) {
          Timeline t = build_timeline(entries, none, options.to);
          bool cohort = options.where.empty() || matches_where(attributes_of(t), options.where);
          in_cohort[person] = cohort;
          if (cohort && flow_of(t, options).active) active.push_back(person);
        });
  }
  const bool no_attributes_pass = matches_where({}, options.where);
  auto cohort_member = [&](const std::string& person) {
    auto it = in_cohort.find(person);
    return it == in_cohort.end() ? no_attributes_pass : it->second;
  };
  std::unordered_set<std::string> active_set(active.begin(), active.end());

  ReportBuilder builder(workspace.frameworks, workspace.settings, options);
  // 2. Every entry of the active people up to `to`, one person at a time, but for their
  // contacts and notes before the period (their late ones are counted from the last read).
  MisfitScan misfits(workspace.frameworks, options.frameworks);
  if (!active.empty()) {
    EntryQuery q;
    q.people = active;
    q.to = options.to;
    q.text_kinds = report_text_kinds();
    q.recent_kinds = kPeriodOnlyKinds;
    q.kinds_from = options.from;
    for_each_person(store, q, {}, [&](const std::string& person, std::span<const Entry> entries) {
      for (const auto& e : entries) misfits.add(e);
      builder.add(person, entries, true);
    });
  }
  builder.set_misfits(misfits.result());
  // 3. Others in the cohort: their contacts and notes in the period, and late entries.
  std::map<std::string, std::vector<Entry>> others;
  // Entries come grouped by person: decide once per person, not once per entry.
  std::string last_person;
  std::vector<Entry>* last_kept = nullptr;
  bool last_active = false;
  auto keep_other = [&](const Entry& e) {
    if (last_person.empty() || e.person != last_person) {
      last_person = e.person;
      last_active = active_set.count(e.person) != 0;
      last_kept = !last_active && cohort_member(e.person) ? &others[e.person] : nullptr;
    }
    if (last_kept)
      last_kept->push_back(e);
    else if (last_active && e.date < options.from && period_only(e.kind))
      builder.add_late_entry();
  };
  {
    // Only the cohort people who are not active can add anything here: read just theirs,
    // one indexed range each, rather than every entry in the period.
    std::vector<std::string> candidates;
    for (const auto& [person, cohort] : in_cohort)
      if (cohort && !active_set.count(person)) candidates.push_back(person);
    if (no_attributes_pass)
      for (auto& person : store.people())
        if (!in_cohort.count(person)) candidates.push_back(std::move(person));
    if (!candidates.empty()) {
      EntryQuery q;
      q.people = std::move(candidates);
      q.from = options.from;
      q.to = options.to;
      q.text_kinds = report_text_kinds();
      for_each_person(store, q, {EntryKind::Contact, EntryKind::Note},
                      [&](const std::string&, std::span<const Entry> entries) {
                        for (const auto& e : entries) keep_other(e);
      });
    }
  }
  {
    EntryQuery q;
    q.to = Date{options.from.days - 1};
    q.recorded_from = format_date(options.from) + "T00:00:00Z";
    q.recorded_to = format_date(options.to) + "T23:59:59Z";
    q.text_kinds = report_text_kinds();
    store.for_each_entry(q, keep_other);
  }
  for (auto& [person, entries] : others) {
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
      return a.date != b.date ? a.date < b.date : a.seq < b.seq;
    });
    builder.add(person, entries, true);
  }
  return builder.finish();
}

// --- one report over several services -----------------------------------------------------

std::vector<Entry> merge_service_entries(const std::vector<std::vector<Entry>>& by_service) {
  // Each service's episodes as its own timeline reads them (EpisodeRule); every enrolment
  // and exit is left out unless it starts or ends a joined episode.
  struct Stretch {
    Date start;
    std::optional<Date> end;  // nullopt while open
    std::size_t service = 0;
    std::size_t enrol = 0;                // index of the enrolment in its service's entries
    std::optional<std::size_t> exit;      // index of the exit that closed it
  };
  std::vector<Stretch> stretches;
  std::vector<std::vector<char>> kept(by_service.size());
  for (std::size_t s = 0; s < by_service.size(); ++s) {
    const auto& entries = by_service[s];
    kept[s].assign(entries.size(), 1);
    EpisodeRule rule;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const Entry& e = entries[i];
      if (e.kind == EntryKind::Enrol) {
        kept[s][i] = 0;
        if (rule.enrol(e.date) == EpisodeStep::Opened)
          stretches.push_back({e.date, std::nullopt, s, i, std::nullopt});
      } else if (e.kind == EntryKind::Exit) {
        kept[s][i] = 0;
        // The stretch this closes is the service's last, pushed just before.
        if (rule.exit(e.date) == EpisodeStep::Closed) {
          stretches.back().end = e.date;
          stretches.back().exit = i;
        }
      }
    }
  }
  std::sort(stretches.begin(), stretches.end(), [](const Stretch& a, const Stretch& b) {
    if (a.start != b.start) return a.start < b.start;
    return a.service != b.service ? a.service < b.service : a.enrol < b.enrol;
  });
  for (std::size_t i = 0; i < stretches.size();) {
    const Stretch& first = stretches[i];
    kept[first.service][first.enrol] = 1;
    const Stretch* last = &first;  // the one ending last, while none is open
    bool open = !first.end;
    std::size_t j = i + 1;
    // A stretch starting on or before the joined episode's end (the same day included:
    // a move from one service to another) continues it.
    for (; j < stretches.size() && (open || stretches[j].start <= *last->end); ++j) {
      if (!stretches[j].end)
        open = true;
      else if (!open && *stretches[j].end > *last->end)
        last = &stretches[j];
    }
    if (!open) kept[last->service][*last->exit] = 1;
    i = j;
  }
  struct Place {
    Date date;
    std::size_t service;
    std::size_t index;
  };
  std::vector<Place> order;
  for (std::size_t s = 0; s < by_service.size(); ++s)
    for (std::size_t i = 0; i < by_service[s].size(); ++i)
      if (kept[s][i]) order.push_back({by_service[s][i].date, s, i});
  std::sort(order.begin(), order.end(), [](const Place& a, const Place& b) {
    if (a.date != b.date) return a.date < b.date;
    return a.service != b.service ? a.service < b.service : a.index < b.index;
  });
  std::vector<Entry> merged;
  merged.reserve(order.size());
  for (const Place& p : order) merged.push_back(by_service[p.service][p.index]);
  return merged;
}

void check_services_combinable(const std::vector<ServiceFrameworks>& services,
                               const Workspace& workspace, const ReportOptions& options) {
  std::vector<std::string> problems;
  auto covered = [&](const std::string& id) {
    return options.frameworks.empty() || std::find(options.frameworks.begin(),
                                                   options.frameworks.end(),
                                                   id) != options.frameworks.end();
  };
  // Framework id -> each service's newest version (first used last), in the services' order.
  std::map<std::string, std::vector<std::pair<std::string, const FrameworkVersion*>>> newest;
  for (const auto& s : services) {
    std::map<std::string, const FrameworkVersion*> last;
    for (const auto& v : s.versions) last[v.id] = &v;  // ordered by first use within an id
    for (const auto& [id, v] : last) {
      if (!covered(id)) continue;
      if (!workspace.find_framework(id)) {
        problems.push_back(fmt::format(
            "service {} has data for framework '{}', which this workspace does not define", s.service,
            id));
        continue;
      }
      newest[id].emplace_back(s.service, v);
    }
  }
  for (const auto& [id, list] : newest) {
    const Framework* fw = workspace.find_framework(id);
    // Either digest of the workspace's own file names the same content.
    auto content = [&](const std::string& hash) {
      return hash == fw->content_hash || (!fw->legacy_content_hash.empty() &&
                                          hash == fw->legacy_content_hash)
                 ? fw->content_hash
                 : hash;
    };
    bool differ = std::any_of(list.begin(), list.end(), [&](const auto& sv) {
      return content(sv.second->content_hash) != content(list.front().second->content_hash);
    });
    if (!differ) continue;
    std::vector<std::string> each;
    for (const auto& [service, v] : list)
      each.push_back(fmt::format("{} records version {} (content {})", service, v->version,
                                 v->content_hash.substr(0, 12)));
    problems.push_back(fmt::format(
        "framework '{}' differs between services: {}; its figures cannot be added up", id,
        fmt::join(each, ", ")));
  }
  if (!problems.empty())
    throw InvalidInput(
        "the services cannot be combined into one report: their frameworks differ", problems);
}

namespace {

// Streams each service's people into one ReportBuilder under their combined names
// ("SERVICE/REF", or the keyed pseudonym when people are linked). People at several services
// are held until every service has been read, then added once as one merged journey.
class ServiceCombiner {
 public:
  // `people`: each service's references (only read when `link_key` is set).
  ServiceCombiner(std::vector<std::string> services,
                  const std::vector<std::vector<std::string>>& people,
                  const std::vector<Framework>& frameworks, const Settings& settings,
                  const ReportOptions& options, const std::optional<std::string>& link_key)
      : services_(std::move(services)),
        link_key_(link_key),
        builder_(frameworks, settings, options),
        misfits_(frameworks, options.frameworks) {
    if (!link_key_) return;
    pseudonyms_.resize(people.size());
    std::unordered_map<std::string, std::size_t> first_service;
    for (std::size_t s = 0; s < people.size(); ++s)
      for (const auto& ref : people[s]) {
        auto [known, fresh] = pseudonyms_[s].try_emplace(ref);
        if (fresh) known->second = person_pseudonym(*link_key_, ref);
        auto [it, added] = first_service.try_emplace(known->second, s);
        if (!added && it->second != s) held_[it->first].resize(services_.size());
      }
  }

  void add(std::size_t service, const std::string& ref, std::span<const Entry> entries) {
    std::string name = link_key_ ? pseudonym(service, ref) : services_[service] + "/" + ref;
    auto held = held_.find(name);
    if (held != held_.end())
      held->second[service].assign(entries.begin(), entries.end());
    else
      add_person(name, entries);
  }

  Report finish() {
    for (const auto& [name, by_service] : held_) {
      // A person listed at a service may have no entries there up to the period's end.
      auto merged = merge_service_entries(by_service);
      if (!merged.empty()) add_person(name, merged);
    }
    builder_.set_misfits(misfits_.result());
    Report r = builder_.finish();
    r.combined = CombinedServices{services_, link_key_.has_value()};
    return r;
  }

 private:
  // The keyed pseudonym of `ref` at `service`: the one the constructor computed, an HMAC per
  // person being costly; computed here only for someone not in that service's list of people.
  std::string pseudonym(std::size_t service, const std::string& ref) const {
    if (service < pseudonyms_.size()) {
      auto known = pseudonyms_[service].find(ref);
      if (known != pseudonyms_[service].end()) return known->second;
    }
    return person_pseudonym(*link_key_, ref);
  }

  void add_person(const std::string& name, std::span<const Entry> entries) {
    // As in one service's report: only the entries of active people are checked.
    if (builder_.add(name, entries))
      for (const auto& e : entries) misfits_.add(e);
  }

  std::vector<std::string> services_;
  std::optional<std::string> link_key_;
  ReportBuilder builder_;
  MisfitScan misfits_;
  std::map<std::string, std::vector<std::vector<Entry>>> held_;
  // With a link key: each service's references -> their keyed pseudonyms.
  std::vector<std::unordered_map<std::string, std::string>> pseudonyms_;
};

}  // namespace

Report compute_combined_report(const std::vector<ServiceJourneys>& services,
                               const std::vector<Framework>& frameworks, const Settings& settings,
                               const ReportOptions& options,
                               const std::optional<std::string>& link_key) {
  std::vector<std::string> ids;
  std::vector<std::vector<std::string>> people(services.size());
  for (std::size_t s = 0; s < services.size(); ++s) {
    ids.push_back(services[s].service);
    for (const auto& j : services[s].journeys) people[s].push_back(j.person);
  }
  ServiceCombiner combiner(ids, people, frameworks, settings, options, link_key);
  for (std::size_t s = 0; s < services.size(); ++s)
    for (const auto& j : services[s].journeys) combiner.add(s, j.person, j.entries);
  return combiner.finish();
}

Report build_combined_report(const std::vector<ServiceStore>& services, const Workspace& workspace,
                             const ReportOptions& options,
                             const std::optional<std::string>& link_key) {
  validate_report_options(options, workspace);
  std::vector<ServiceFrameworks> recorded;
  std::vector<std::string> ids;
  std::vector<std::vector<std::string>> people(services.size());
  for (std::size_t s = 0; s < services.size(); ++s) {
    recorded.push_back({services[s].service, services[s].store->framework_versions()});
    ids.push_back(services[s].service);
    if (link_key) people[s] = services[s].store->people();
  }
  check_services_combinable(recorded, workspace, options);
  ServiceCombiner combiner(ids, people, workspace.frameworks, workspace.settings, options,
                           link_key);
  for (std::size_t s = 0; s < services.size(); ++s) {
    // Everyone's entries up to the period's end, person by person, as compute_report reads
    // them: who is active is known only once a person's journeys at every service are joined.
    EntryQuery q;
    q.to = options.to;
    q.text_kinds = report_text_kinds();
    for_each_person(*services[s].store, q, {},
                    [&](const std::string& person, std::span<const Entry> entries) {
                      combiner.add(s, person, entries);
                    });
  }
  return combiner.finish();
}

}  // namespace outcomes
