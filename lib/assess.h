// Assessment: what a person's journey log says about one framework as of a date.
// Computed from entries every time, never stored as truth.
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "entry.h"
#include "framework.h"
#include "framework_check.h"
#include "timeline.h"

namespace outcomes {

class JourneyStore;

enum class ReliableChange {
  Improved,
  NoReliableChange,
  Deteriorated,
  InsufficientData,
  NotComputable
};
std::string_view to_string(ReliableChange);

enum class ClinicalSignificance { Recovered, Improved, Unchanged, Deteriorated };
std::string_view to_string(ClinicalSignificance);

struct DatedScore {
  Date date;
  double score = 0;
};

// Per-item figures of a scale item.
struct ItemAssessment {
  std::optional<DatedScore> baseline;
  std::optional<DatedScore> latest;
  std::optional<double> change;
  int occasions = 0;  // values of this item in its series
  // Trajectory per item (used where the framework has no total).
  int direction_changes = 0;
  int setbacks = 0;
  std::optional<DatedScore> best;
  std::optional<DatedScore> worst;
  std::optional<std::string> baseline_band;
  std::optional<std::string> latest_band;
};

struct GoalAssessment {
  std::string goal;  // the goal key
  std::string text;  // the goal in the person's words (from `set`)
  int baseline = -1;
  int attainment = -1;
  bool open = true;
};

struct SignalCount {
  int last_90_days = 0;
  int total = 0;
};

struct Engagement {
  int attended = 0;
  int missed = 0;
  int self_initiated = 0;
};

// The assessment of one person against one framework as of a date.
struct Assessment {
  std::string person;
  std::string framework;
  Date as_of;
  std::optional<DatedScore> baseline;
  std::optional<DatedScore> latest;
  std::optional<double> change;
  std::optional<double> rci;  // unrounded
  ReliableChange reliable_change = ReliableChange::InsufficientData;
  std::optional<ClinicalSignificance> clinical_significance;
  // The improvement reaches the framework's minimum meaningful change; nullopt without one,
  // or without a change over the minimum interval.
  std::optional<bool> meaningful_change;
  int occasions = 0;  // complete occasions
  int incomplete_occasions = 0;  // occasions that are not complete
  int direction_changes = 0;
  int setbacks = 0;
  std::optional<DatedScore> best;
  std::optional<DatedScore> worst;
  std::optional<std::string> baseline_band;
  std::optional<std::string> latest_band;
  std::map<std::string, ItemAssessment> items;  // scale items with data
  std::map<std::string, std::string> statuses;  // status measure -> status id or "not_assessed"
  std::map<std::string, MilestoneState> milestones;  // milestones with a start
  std::optional<double> t_score;                     // unrounded; nullopt with no goals
  std::vector<GoalAssessment> goals;                 // ordered by goal key
  std::map<std::string, SignalCount> signals;        // every signal measure of the framework
  Engagement engagement;                             // contacts in the 90 days up to as_of
  bool in_open_episode = false;                      // enrolled at as_of
};

// Whether score a is better than score b on a scale scored in `direction`.
bool better(double a, double b, Direction direction);

// The standard error of the difference between two scores, S_diff: √2·SE with
// SE = SD·√(1−r) from the framework's reference SD and reliability; without those, √2·SEM from
// its standard error of measurement. nullopt when it has neither. RC = change / S_diff, and
// |RC| > 1.96 is reliable change.
std::optional<double> reliable_change_sdiff(const Scoring& scoring);

// True when latest is at least the framework's minimum interval after baseline (an interval
// exactly equal to it counts): change over a shorter time is not judged.
bool change_interval_counts(const Scoring& scoring, Date baseline, Date latest);

// Assesses one framework of a person's timeline as of the timeline's date.
Assessment assess_timeline(const Timeline& timeline, const FrameworkTimeline& framework);

// Assesses one person's current entries (corrections applied, ordered by date then seq,
// any dates; entries after `as_of` are ignored) against `framework`.
Assessment assess_person(const Framework& framework, const std::vector<Entry>& entries, Date as_of);

// The Kiresuk–Sherman T-score of attainments with equal weights and correlation rho.
double gas_t_score(const std::vector<int>& attainments, double rho);

// Rounds half away from zero to `decimals` places (the one rounding used for output).
double round_to(double value, int decimals);

// Decimal places every output of assessments rounds to: scores, changes and the RCI; and
// the goals' T-score.
inline constexpr int kScoreDecimals = 2;
inline constexpr int kTScoreDecimals = 1;

// What to assess in a whole store.
struct AssessOptions {
  Date as_of;
  std::optional<std::vector<std::string>> people;  // only these people; nullopt = everyone
  std::vector<std::string> frameworks;             // only these ids; empty = every one with data
  bool active_only = false;                        // only people in an open episode at as_of
};

// The assessments of a store, sorted by person then framework (code point order).
struct StoreAssessment {
  std::vector<Assessment> assessments;
  // Framework ids found in entries dated by as_of but not among the given frameworks
  // (sorted; such entries are left out).
  std::vector<std::string> unknown_frameworks;
  int64_t entries_read = 0;  // entries dated on or before as_of that were read
  // Entries read that no longer fit their (edited) framework; values outside what the
  // framework allows now were left out.
  FrameworkCheck misfits;
};

// The kinds of entry whose text assessing a timeline reads: a need's text names the need and
// a goal's states it. Other texts (notes' stories, evidence) need not be read to assess.
extern const std::vector<EntryKind> kAssessedTextKinds;

// Assesses every person (or options.people) against every framework they have entries in
// by options.as_of, in one ordered pass over the store.
StoreAssessment assess_store(const JourneyStore& store, const std::vector<Framework>& frameworks,
                             const AssessOptions& options);

// The same single ordered pass, handing each selected person's timeline to `each` (the
// timeline and its entries live only during the call) instead of assessing it; the result
// carries the bookkeeping (unknown frameworks, entries read, misfits) and no assessments.
// Only the fields assessing reads are kept: notes' text, workers and refs are empty.
// `each` runs on a second thread while this one reads the store, one person at a time, in
// the store's order; an exception from it ends the pass and is thrown here.
StoreAssessment for_each_timeline(const JourneyStore& store,
                                  const std::vector<Framework>& frameworks,
                                  const AssessOptions& options,
                                  const std::function<void(const Timeline&)>& each);

}  // namespace outcomes
