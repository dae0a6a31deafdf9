#include "framework_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <ostream>

#include "store.h"
#include "suggest.h"

namespace outcomes {

std::string_view to_string(CheckProblem problem) {
  switch (problem) {
    case CheckProblem::FrameworkMissing:
      return "framework_missing";
    case CheckProblem::MeasureMissing:
      return "measure_missing";
    case CheckProblem::MeasureTypeChanged:
      return "measure_type_changed";
    case CheckProblem::ValueNotAllowed:
      return "value_not_allowed";
    case CheckProblem::GoalScaleMissing:
      return "goal_scale_missing";
    case CheckProblem::AttainmentOutOfScale:
      return "attainment_out_of_scale";
    case CheckProblem::StatusMissing:
      return "status_missing";
  }
  return "framework_missing";
}

int64_t FrameworkCheck::incompatible_entries() const {
  int64_t n = 0;
  for (const auto& f : findings) n += f.entries;
  return n;
}

namespace {

// The measure type an entry kind is recorded against; nullopt for kinds without one.
std::optional<MeasureType> measure_type_of(EntryKind kind) {
  switch (kind) {
    case EntryKind::Assessment:
      return MeasureType::Scale;
    case EntryKind::Status:
    case EntryKind::Need:
      return MeasureType::Status;
    case EntryKind::Milestone:
      return MeasureType::Milestone;
    case EntryKind::Signal:
      return MeasureType::Signal;
    default:
      return std::nullopt;
  }
}

}  // namespace

FrameworkChecker::FrameworkChecker(const std::vector<Framework>& frameworks)
    : frameworks_(frameworks) {}

void FrameworkChecker::note(const Entry& entry, CheckProblem problem, const std::string& measure,
                            const std::string& found, const std::string& expected) {
  auto& f = findings_[{entry.framework, problem, measure}];
  if (f.entries == 0) {
    f.framework = entry.framework;
    f.problem = problem;
    f.measure = measure;
    f.expected = expected;
  }
  ++f.entries;
  if (!found.empty()) f.found.insert(found);
  if (f.examples.size() < 3) f.examples.push_back(CheckExample{entry.id, entry.person, entry.date});
}

void FrameworkChecker::add(const Entry& e) {
  if (e.framework.empty()) return;
  const bool goal = e.kind == EntryKind::Goal;
  const auto want = measure_type_of(e.kind);
  if (!goal && !want) return;
  ++checked_;
  auto it = std::find_if(frameworks_.begin(), frameworks_.end(),
                         [&](const Framework& f) { return f.id == e.framework; });
  auto& seen = seen_[e.framework];
  seen.id = e.framework;
  ++seen.entries;
  if (it == frameworks_.end()) {
    std::vector<std::string> ids;
    for (const auto& f : frameworks_) ids.push_back(f.id);
    note(e, CheckProblem::FrameworkMissing, "", "",
         ids.empty()
             ? "no frameworks in the workspace"
             : fmt::format("one of {}{}", fmt::join(ids, ", "), did_you_mean(e.framework, ids)));
    return;
  }
  const Framework& fw = *it;
  seen.in_workspace = true;
  if (!e.framework_hash.empty() && !recorded_under(fw, e.framework_hash)) ++seen.other_versions;

  if (goal) {
    // The measure column of a goal entry holds the service's own goal key.
    if (!fw.goal_scale) {
      note(e, CheckProblem::GoalScaleMissing, e.measure, "",
           "a framework with a goal_scale (person-led goals)");
      return;
    }
    const GoalScale& g = *fw.goal_scale;
    if (e.value && (*e.value < g.min || *e.value > g.max))
      note(e, CheckProblem::AttainmentOutOfScale, e.measure, std::to_string(*e.value),
           fmt::format("{}..{}", g.min, g.max));
    return;
  }

  const Measure* m = fw.find_measure(e.measure);
  if (m == nullptr) {
    std::vector<std::string> same_type;
    for (const auto& other : fw.measures)
      if (other.type == *want) same_type.push_back(other.id);
    note(e, CheckProblem::MeasureMissing, e.measure, "",
         same_type.empty() ? fmt::format("'{}' has no {} measures now", fw.id, to_string(*want))
                           : fmt::format("a {} measure of '{}'{}", to_string(*want), fw.id,
                                         did_you_mean(e.measure, same_type)));
    return;
  }
  if (m->type != *want) {
    note(e, CheckProblem::MeasureTypeChanged, e.measure, std::string(to_string(*want)),
         fmt::format("the measure is now of type {}", to_string(m->type)));
    return;
  }
  if (e.kind == EntryKind::Assessment && e.value && !m->allows(*e.value))
    note(e, CheckProblem::ValueNotAllowed, e.measure, std::to_string(*e.value), m->allowed_text());
  if (e.kind == EntryKind::Status && fw.find_status(e.status) == nullptr) {
    std::vector<std::string> ids;
    for (const auto& s : fw.statuses) ids.push_back(s.id);
    note(e, CheckProblem::StatusMissing, e.measure, e.status,
         fmt::format("one of {}", fmt::join(ids, ", ")));
  }
}

FrameworkCheck FrameworkChecker::result() const {
  FrameworkCheck out;
  out.entries_checked = checked_;
  for (const auto& [id, seen] : seen_) out.frameworks.push_back(seen);
  for (const auto& [key, finding] : findings_) out.findings.push_back(finding);
  return out;
}

FrameworkCheck check_recorded_data(const std::vector<Framework>& frameworks,
                                   const JourneyStore& store) {
  FrameworkChecker checker(frameworks);
  store.for_each_entry(EntryQuery{}, [&](const Entry& e) { checker.add(e); });
  return checker.result();
}

namespace {

// Recorded values in numeric order when they are whole numbers, else text order.
std::vector<std::string> ordered_found(const std::set<std::string>& found) {
  std::vector<std::string> v(found.begin(), found.end());
  auto number = [](const std::string& s) -> std::optional<long long> {
    if (s.empty()) return std::nullopt;
    char* end = nullptr;
    long long n = std::strtoll(s.c_str(), &end, 10);
    if (*end != '\0') return std::nullopt;
    return n;
  };
  std::stable_sort(v.begin(), v.end(), [&](const std::string& a, const std::string& b) {
    auto na = number(a), nb = number(b);
    if (na && nb) return *na < *nb;
    if (na || nb) return na.has_value();
    return a < b;
  });
  return v;
}

std::string problem_words(CheckProblem p) {
  switch (p) {
    case CheckProblem::FrameworkMissing:
      return "framework no longer in the workspace";
    case CheckProblem::MeasureMissing:
      return "measure no longer in the framework";
    case CheckProblem::MeasureTypeChanged:
      return "measure changed type";
    case CheckProblem::ValueNotAllowed:
      return "recorded score no longer allowed";
    case CheckProblem::GoalScaleMissing:
      return "framework no longer has a goal scale";
    case CheckProblem::AttainmentOutOfScale:
      return "goal attainment outside the goal scale";
    case CheckProblem::StatusMissing:
      return "status no longer in the status set";
  }
  return "";
}

}  // namespace

void render_check(std::ostream& out, const FrameworkCheck& check) {
  for (const auto& f : check.frameworks) {
    out << fmt::format("{}: {} entr{} checked", f.id, f.entries, f.entries == 1 ? "y" : "ies");
    if (!f.in_workspace)
      out << " (framework not in the workspace)";
    else if (f.other_versions > 0)
      out << fmt::format(" ({} recorded under another version of the file)", f.other_versions);
    out << '\n';
  }
  if (check.frameworks.empty()) out << "no entries recorded under any framework\n";
  for (const auto& f : check.findings) {
    out << fmt::format("\n{}{}: {} ({}), {} entr{}\n", f.framework,
                       f.measure.empty() ? "" : " " + f.measure, problem_words(f.problem),
                       to_string(f.problem), f.entries, f.entries == 1 ? "y" : "ies");
    if (!f.found.empty())
      out << fmt::format("  recorded: {}\n", fmt::join(ordered_found(f.found), ", "));
    out << fmt::format("  expected: {}\n", f.expected);
    std::vector<std::string> examples;
    for (const auto& e : f.examples)
      examples.push_back(fmt::format("entry {} ({}, {})", e.entry, e.person, format_date(e.date)));
    out << fmt::format("  for example: {}\n", fmt::join(examples, "; "));
  }
  if (check.fits()) out << "all recorded data fits the workspace frameworks\n";
}

nlohmann::ordered_json check_to_json(const FrameworkCheck& check) {
  using nlohmann::ordered_json;
  ordered_json j;
  j["entries_checked"] = check.entries_checked;
  j["fits"] = check.fits();
  j["incompatible_entries"] = check.incompatible_entries();
  j["frameworks"] = ordered_json::array();
  for (const auto& f : check.frameworks)
    j["frameworks"].push_back(ordered_json{{"id", f.id},
                                           {"entries", f.entries},
                                           {"other_versions", f.other_versions},
                                           {"in_workspace", f.in_workspace}});
  j["problems"] = ordered_json::array();
  for (const auto& f : check.findings) {
    ordered_json examples = ordered_json::array();
    for (const auto& e : f.examples)
      examples.push_back(
          ordered_json{{"entry", e.entry}, {"person", e.person}, {"date", format_date(e.date)}});
    j["problems"].push_back(ordered_json{{"framework", f.framework},
                                         {"problem", to_string(f.problem)},
                                         {"measure", f.measure},
                                         {"entries", f.entries},
                                         {"recorded", ordered_found(f.found)},
                                         {"expected", f.expected},
                                         {"examples", std::move(examples)}});
  }
  return j;
}

MisfitScan::MisfitScan(const std::vector<Framework>& frameworks, std::vector<std::string> only)
    : frameworks_(frameworks), only_(std::move(only)), checker_(frameworks) {}

void MisfitScan::add(const Entry& e) {
  if (e.framework.empty()) return;
  if (e.framework != last_id_) {
    last_id_ = e.framework;
    last_ = nullptr;
    if (only_.empty() || std::find(only_.begin(), only_.end(), e.framework) != only_.end())
      for (const auto& f : frameworks_)
        if (f.id == e.framework) last_ = &f;
  }
  if (last_ == nullptr || recorded_under(*last_, e.framework_hash)) return;
  checker_.add(e);
}

int64_t values_outside_range(const FrameworkCheck& check) {
  int64_t n = 0;
  for (const auto& f : check.findings)
    if (f.problem == CheckProblem::ValueNotAllowed ||
        f.problem == CheckProblem::AttainmentOutOfScale)
      n += f.entries;
  return n;
}

std::vector<std::string> misfit_sentences(const FrameworkCheck& check, int hide_below) {
  std::vector<std::string> out;
  for (const auto& f : check.findings) {
    if (f.problem == CheckProblem::FrameworkMissing) continue;
    const bool hidden = f.entries < hide_below;
    std::string effect;
    switch (f.problem) {
      case CheckProblem::ValueNotAllowed:
      case CheckProblem::AttainmentOutOfScale:
        effect = "these values are left out of the figures";
        break;
      case CheckProblem::MeasureMissing:
      case CheckProblem::MeasureTypeChanged:
        effect = "these entries are left out of the figures";
        break;
      case CheckProblem::StatusMissing:
        effect = "these statuses are not counted as achieved, partial or not achieved";
        break;
      default:
        effect = "figures from these entries may differ from what was recorded";
        break;
    }
    const bool one = f.entries == 1 && !hidden;
    out.push_back(fmt::format(
        "framework '{}', measure '{}': {} entr{} no longer fit{} the framework ({}{}; expected "
        "{}); {}; run 'outcomes frameworks check' for details",
        f.framework, f.measure, hidden ? fmt::format("<{}", hide_below) : std::to_string(f.entries),
        one ? "y" : "ies", one ? "s" : "", problem_words(f.problem),
        f.found.empty() ? ""
                        : fmt::format("; recorded: {}", fmt::join(ordered_found(f.found), ", ")),
        f.expected, effect));
  }
  return out;
}

std::vector<UnversionedEdit> unversioned_edits(const std::vector<Framework>& frameworks,
                                               const std::vector<FrameworkVersion>& versions) {
  std::vector<UnversionedEdit> out;
  for (const auto& fw : frameworks) {
    UnversionedEdit edit{fw.id, fw.version, fw.path, 0};
    for (const auto& v : versions)
      if (v.id == fw.id && v.version == fw.version && !recorded_under(fw, v.content_hash))
        edit.entries += v.entries;
    if (edit.entries > 0) out.push_back(std::move(edit));
  }
  return out;
}

}  // namespace outcomes
