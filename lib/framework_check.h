// Framework evolution: does the data recorded in the store still fit the workspace's
// (possibly edited) frameworks? Used by `outcomes frameworks check`.
#pragma once
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "date.h"
#include "entry.h"
#include "framework.h"
#include "store.h"

namespace outcomes {

// What no longer fits, as written in reports ("measure_missing", …).
enum class CheckProblem {
  FrameworkMissing,      // the entry's framework id is not in the workspace
  MeasureMissing,        // its measure or item was removed
  MeasureTypeChanged,    // its measure is now of another type
  ValueNotAllowed,       // an item score outside the item's range or allowed set
  GoalScaleMissing,      // a goal entry in a framework that has no goal_scale any more
  AttainmentOutOfScale,  // a goal attainment outside the goal scale
  StatusMissing,         // a status id no longer in the framework's status set
};
std::string_view to_string(CheckProblem problem);

// An entry given as an example of a problem.
struct CheckExample {
  int64_t entry = 0;
  std::string person;
  Date date;
};

// One group of entries with the same problem: (framework, problem, measure).
struct CheckFinding {
  std::string framework;
  CheckProblem problem = CheckProblem::FrameworkMissing;
  std::string measure;                 // measure, item or goal key ("" for FrameworkMissing)
  int64_t entries = 0;                 // how many entries have it
  std::set<std::string> found;         // the distinct recorded values/statuses/types at fault
  std::string expected;                // what the framework allows now
  std::vector<CheckExample> examples;  // the first 3, in store order
};

// Per framework id seen in the entries: how many were checked, and how many were recorded
// under another version (content hash) than the workspace's file.
struct CheckedFramework {
  std::string id;
  int64_t entries = 0;
  int64_t other_versions = 0;
  bool in_workspace = false;
};

struct FrameworkCheck {
  int64_t entries_checked = 0;               // entries that name a framework
  std::vector<CheckedFramework> frameworks;  // by id
  std::vector<CheckFinding> findings;        // by framework, problem, measure
  bool fits() const { return findings.empty(); }
  int64_t incompatible_entries() const;
};

// Compares entries one at a time with the frameworks; result() groups what it found.
class FrameworkChecker {
 public:
  explicit FrameworkChecker(const std::vector<Framework>& frameworks);
  void add(const Entry& entry);
  FrameworkCheck result() const;

 private:
  void note(const Entry& entry, CheckProblem problem, const std::string& measure,
            const std::string& found, const std::string& expected);
  const std::vector<Framework>& frameworks_;
  std::map<std::string, CheckedFramework> seen_;
  std::map<std::tuple<std::string, CheckProblem, std::string>, CheckFinding> findings_;
  int64_t checked_ = 0;
};

// Checks every current (not superseded) entry of the store against `frameworks`.
FrameworkCheck check_recorded_data(const std::vector<Framework>& frameworks,
                                   const JourneyStore& store);

// Finds, while entries are read for figures, those that no longer fit the workspace's
// frameworks. An entry recorded under the very content of its framework's file fits by
// construction and costs one comparison; only the others are checked. Entries naming a
// framework that is not in the workspace are left to the caller (they are not assessed).
class MisfitScan {
 public:
  // `only`: the framework ids whose entries count (empty: every framework).
  MisfitScan(const std::vector<Framework>& frameworks, std::vector<std::string> only = {});
  void add(const Entry& entry);
  FrameworkCheck result() const { return checker_.result(); }

 private:
  const std::vector<Framework>& frameworks_;
  std::vector<std::string> only_;
  FrameworkChecker checker_;
  std::string last_id_;             // the framework id of the previous entry
  const Framework* last_ = nullptr;  // its framework, nullptr when not scanned
};

// Entries whose recorded value lies outside what the framework allows now (item scores
// and goal attainments): they are left out of every figure.
int64_t values_outside_range(const FrameworkCheck& check);

// One sentence per finding (framework, measure, problem, entries, recorded and expected
// values, and what the figures do with them), for warnings and a report's notes. Entry
// counts from 1 to hide_below − 1 read "<hide_below" (0: every count shown).
std::vector<std::string> misfit_sentences(const FrameworkCheck& check, int hide_below = 0);

// Renders the check as text (what `frameworks check` prints by default).
void render_check(std::ostream& out, const FrameworkCheck& check);
// The check as JSON: {entries_checked, fits, frameworks: [...], problems: [...]}.
nlohmann::ordered_json check_to_json(const FrameworkCheck& check);

// A framework file edited without a new version: entries were recorded under `version`
// with other content than the file holds now.
struct UnversionedEdit {
  std::string framework;
  std::string version;
  std::filesystem::path path;  // the workspace file
  int64_t entries = 0;         // entries recorded under the earlier content
};

// The frameworks whose content differs from a stored version with the same version label
// (by framework id). `versions` are the store's (JourneyStore::framework_versions).
std::vector<UnversionedEdit> unversioned_edits(const std::vector<Framework>& frameworks,
                                               const std::vector<FrameworkVersion>& versions);

}  // namespace outcomes
