// Outcome frameworks: the parsed model of a framework YAML file, its loader and validator.
//
// YAML schema (every key below; anything else is an "unknown key" error):
//
//   id: ndt                       # required; [a-z0-9_-]+, unique among the workspace's frameworks
//   name: NDT Assessment          # required
//   version: "1.0"                # required; the author's version label (a string)
//   source: "…"                   # required; citation
//   licence: "…"                  # required; licence / copyright note
//   notice: "…"                   # optional; printed wherever this framework's scores are shown
//   description: "…"              # optional
//   rules: ["…", …]               # optional; achievement rules in words
//   statuses:                     # optional; default: achieved, partial, not_achieved, not_relevant
//     - {id: achieved, name: Achieved, means: achieved}   # means: achieved|partial|not_achieved|not_relevant
//   scoring:                      # optional; only for frameworks with scale measures
//     total: sum                  # sum | weighted_sum | none (default none)
//     conversion: {7: 7.00, …}    # optional raw total → reported score; must cover every reachable raw total
//     direction: higher_is_better # higher_is_better | lower_is_better (required with scale measures)
//     bands: [{id: low, name: Low, min: 0, max: 12}, …]   # optional; on the score (or on item values when total: none); no gaps or overlaps
//     reliability: {value: 0.83, kind: test_retest, source: "…"}   # kind: test_retest | alpha
//     reference_sd: 8.9           # optional; with reliability enables the Reliable Change Index
//     minimum_change: 3           # optional; smallest change that matters, in score units
//     minimum_interval: 4 weeks   # optional; occasions closer than this do not count as change
//     sem: 1.03                   # optional; standard error of measurement: reliable change
//                                 # from S_diff = √2·SEM when there is no reference_sd
//     norms:                      # optional; Jacobson–Truax clinical significance
//       functional: {mean: 52.5, sd: 8.5}
//       dysfunctional: {mean: 40.0, sd: 9.0}
//     population: ["WEMWBS HSE 2012 mean men 52.5, women 52.2"]   # optional context lines
//     missing: incomplete         # incomplete (default) | prorate
//     prorate_max_missing: 1      # with missing: prorate, how many items may be missing
//   goal_scale:                   # required when the framework has a goal measure
//     min: -2
//     max: 2
//     baseline: -1                # default attainment recorded on `set`
//     rho: 0.3                    # inter-goal correlation for the Kiresuk–Sherman T-score
//     levels: {-2: "much less than expected", …}   # optional labels
//   domains:                      # required, non-empty; order is kept
//     - id: safety                # required, unique among domains
//       name: Promoting Personal and Community Safety
//       description: "…"          # optional
//       measures:                 # required, non-empty
//         - id: feeling_safe      # required, unique in the framework (across domains)
//           name: Feeling safe
//           type: status          # status | scale | milestone | signal | goal
//           nature: soft          # hard | soft
//           definition: "…"       # optional
//           indicators: ["…", …]  # optional (status measures)
//           # scale measures (the items of the instrument):
//           min: 0                # integer; with max, the allowed range
//           max: 4
//           values: [0, 2, 4, 6, 8]   # alternative to min/max: the allowed set
//           weight: 1             # optional, used by total: weighted_sum
//           label: "…"            # optional licensed/local wording shown instead of name
//           # milestone measures:
//           sustain: 6 months     # optional; N days | N weeks | N months
//
// Local wording: a file "<stem>.local.yaml" beside "<stem>.yaml" (never shipped) may give
//   labels:  {item_1: "licensed item wording", …}        # replaces each measure's label
//   anchors: {engagement: {0: "…", 1: "…", …}, …}        # per-value anchor text of scale items
// Unknown measure ids or values outside an item's range there are errors too.
#pragma once
#include <filesystem>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "date.h"

namespace outcomes {

enum class MeasureType { Status, Scale, Milestone, Signal, Goal };
enum class Nature { Hard, Soft };
enum class StatusMeaning { Achieved, Partial, NotAchieved, NotRelevant };
enum class ScoreRule { None, Sum, WeightedSum };
enum class Direction { HigherIsBetter, LowerIsBetter };
enum class MissingRule { Incomplete, Prorate };

std::string_view to_string(MeasureType);
std::string_view to_string(Nature);
std::string_view to_string(StatusMeaning);
std::string_view to_string(ScoreRule);
std::string_view to_string(Direction);
std::string_view to_string(MissingRule);

// One status of a framework's status set.
struct StatusDef {
  std::string id;
  std::string name;
  StatusMeaning means = StatusMeaning::Achieved;

  bool operator==(const StatusDef&) const = default;
};

// A named range of scores (inclusive on both ends).
struct Band {
  std::string id;
  std::string name;
  double min = 0;
  double max = 0;

  bool operator==(const Band&) const = default;
};

struct Reliability {
  double value = 0;
  std::string kind;  // "test_retest" or "alpha"
  std::string source;

  bool operator==(const Reliability&) const = default;
};

struct NormGroup {
  double mean = 0;
  double sd = 0;

  bool operator==(const NormGroup&) const = default;
};

struct Norms {
  NormGroup functional;
  NormGroup dysfunctional;

  bool operator==(const Norms&) const = default;
};

// How a framework's scale items combine into a score, and what makes change meaningful.
struct Scoring {
  ScoreRule total = ScoreRule::None;
  std::map<int, double> conversion;  // raw total -> reported score; empty = none
  Direction direction = Direction::HigherIsBetter;
  std::vector<Band> bands;
  std::optional<Reliability> reliability;
  std::optional<double> reference_sd;
  std::optional<double> minimum_change;
  std::optional<Duration> minimum_interval;
  std::optional<double> sem;
  std::optional<Norms> norms;
  std::vector<std::string> population;
  MissingRule missing = MissingRule::Incomplete;
  int prorate_max_missing = 0;

  // The band holding `score` (bands are inclusive; a score on a boundary shared by two
  // bands belongs to the later, higher band); nullptr when no band holds it.
  const Band* band_for(double score) const;

  bool operator==(const Scoring&) const = default;
};

// The attainment scale of person-led goals (Goal Attainment Scaling).
struct GoalScale {
  int min = -2;
  int max = 2;
  int baseline = -1;
  double rho = 0.3;
  std::map<int, std::string> levels;

  bool operator==(const GoalScale&) const = default;
};

// One measure: a status outcome, a scale item, a milestone, a signal or a goal slot.
struct Measure {
  std::string id;
  std::string name;
  std::string domain;  // id of the domain holding it
  MeasureType type = MeasureType::Status;
  Nature nature = Nature::Soft;
  std::string definition;
  std::vector<std::string> indicators;
  // Scale items: allowed values are `values` when non-empty, else min..max.
  int min = 0;
  int max = 0;
  std::vector<int> values;
  double weight = 1;
  std::string label;
  std::map<int, std::string> anchors;  // per-value anchor text (from a local wording file)
  // Milestones.
  std::optional<Duration> sustain;

  // True when `value` is an allowed score of this scale item.
  bool allows(int value) const;
  // The smallest and largest allowed score of this scale item.
  int lowest() const;
  int highest() const;
  // The allowed scores in words: "0..4", or "one of 0, 2, 4" for an allowed set.
  std::string allowed_text() const;

  bool operator==(const Measure&) const = default;
};

struct Domain {
  std::string id;
  std::string name;
  std::string description;
  std::vector<std::string> measures;  // measure ids, in file order

  bool operator==(const Domain&) const = default;
};

// A parsed, validated framework.
struct Framework {
  std::string id;
  std::string name;
  std::string version;       // the author's label
  std::string content_hash;  // SHA-256 of the file's bytes (64 hex digits)
  // The legacy digest of the same bytes (lib/hash.h), what entries recorded before
  // content hashes were SHA-256 hold; never recorded for new entries.
  std::string legacy_content_hash;
  std::string source;
  std::string licence;
  std::string notice;
  std::string description;
  std::vector<std::string> rules;
  std::vector<StatusDef> statuses;  // never empty after loading (defaults filled in)
  Scoring scoring;
  std::optional<GoalScale> goal_scale;
  std::vector<Domain> domains;
  std::vector<Measure> measures;  // all measures, in file order
  std::filesystem::path path;     // where it was loaded from

  const Measure* find_measure(std::string_view id) const;
  const StatusDef* find_status(std::string_view id) const;
  // The scale measures (items), in file order.
  std::vector<const Measure*> items() const;
  // True when the framework has scale items combined into a total score.
  bool has_total() const { return scoring.total != ScoreRule::None; }
  // True when the framework has a goal measure (goal entries may name it).
  bool is_goal_framework() const { return goal_scale.has_value(); }
  // The status id that means `meaning` (the first such), or "" if none.
  std::string status_for(StatusMeaning meaning) const;

  bool operator==(const Framework&) const = default;
};

// One problem found in a file, with its location.
struct Diagnostic {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
  std::string key;      // dotted path of the offending key, e.g. "domains[2].measures[0].max"
  std::string message;  // what is wrong, the offending value and what was expected
};
// "file:line:column: key: message" (parts that are unknown are left out).
std::string to_string(const Diagnostic& d);

// The result of loading a framework: the framework when valid, and every problem found.
struct FrameworkLoad {
  std::optional<Framework> framework;
  std::vector<Diagnostic> problems;
  bool ok() const { return framework.has_value() && problems.empty(); }
};

// Parses and validates framework YAML text; `file` names it in diagnostics.
FrameworkLoad parse_framework(std::string_view text, const std::string& file);
// Reads and validates a framework file.
FrameworkLoad load_framework(const std::filesystem::path& path);
// Loads a framework or throws InvalidInput listing every problem.
Framework load_framework_or_throw(const std::filesystem::path& path);

// True when `recorded_hash`, the content hash stored with an entry, names this very file:
// its SHA-256, or for an entry recorded before content hashes were SHA-256, its legacy digest.
bool recorded_under(const Framework& framework, std::string_view recorded_hash);

}  // namespace outcomes
