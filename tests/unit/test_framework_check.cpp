#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "framework.h"
#include "framework_check.h"
#include "hash.h"
#include "store.h"

using namespace outcomes;

namespace {

// The framework as edited: mood narrowed to 0..2, sleep's allowed set changed to {0, 2},
// "phoned" removed, tenancy now a signal, the status set without "partial", no goal scale.
Framework edited_framework() {
  auto load = parse_framework(
      "id: mini\nname: Mini\nversion: \"2\"\nsource: Tests\nlicence: Free\n"
      "statuses:\n"
      "  - {id: achieved, name: Achieved, means: achieved}\n"
      "  - {id: partly, name: Partly, means: partial}\n"
      "  - {id: not_achieved, name: Not achieved, means: not_achieved}\n"
      "scoring: {direction: higher_is_better}\n"
      "domains:\n"
      "  - id: d\n"
      "    name: D\n"
      "    measures:\n"
      "      - {id: mood, name: Mood, type: scale, nature: soft, min: 0, max: 2}\n"
      "      - {id: sleep, name: Sleep, type: scale, nature: soft, values: [0, 2]}\n"
      "      - {id: housing, name: Housing, type: status, nature: hard}\n"
      "      - {id: tenancy, name: Tenancy, type: signal, nature: hard}\n",
      "mini.yaml");
  REQUIRE(load.ok());
  return *load.framework;
}

Entry entry(int64_t id, std::string person, EntryKind kind, std::string framework,
            std::string measure, std::optional<int> value = std::nullopt, std::string status = "") {
  Entry e;
  e.id = id;
  e.person = std::move(person);
  e.date = *parse_date("2026-03-01");
  e.date.days += static_cast<int32_t>(id);
  e.kind = kind;
  e.framework = std::move(framework);
  e.measure = std::move(measure);
  e.value = value;
  e.status = std::move(status);
  return e;
}

}  // namespace

TEST_CASE("FrameworkChecker finds nothing when recorded data fits") {
  std::vector<Framework> fws{edited_framework()};
  FrameworkChecker checker(fws);
  checker.add(entry(1, "p1", EntryKind::Assessment, "mini", "mood", 2));
  checker.add(entry(2, "p1", EntryKind::Assessment, "mini", "sleep", 0));
  checker.add(entry(3, "p1", EntryKind::Status, "mini", "housing", std::nullopt, "partly"));
  checker.add(entry(4, "p1", EntryKind::Need, "mini", "housing", std::nullopt, "open"));
  checker.add(entry(5, "p1", EntryKind::Signal, "mini", "tenancy"));
  checker.add(entry(6, "p1", EntryKind::Contact, "", "", std::nullopt, "attended"));
  auto check = checker.result();
  CHECK(check.fits());
  CHECK(check.entries_checked == 5);  // the contact names no framework
  REQUIRE(check.frameworks.size() == 1);
  CHECK(check.frameworks[0].entries == 5);
  std::ostringstream out;
  render_check(out, check);
  CHECK(out.str() ==
        "mini: 5 entries checked\n"
        "all recorded data fits the workspace frameworks\n");
}

TEST_CASE("FrameworkChecker groups what no longer fits by framework, problem and measure") {
  std::vector<Framework> fws{edited_framework()};
  FrameworkChecker checker(fws);
  checker.add(entry(1, "p1", EntryKind::Assessment, "mini", "mood", 4));  // narrowed range
  checker.add(entry(2, "p2", EntryKind::Assessment, "mini", "mood", 3));
  checker.add(entry(3, "p3", EntryKind::Assessment, "mini", "mood", 4));
  checker.add(entry(4, "p4", EntryKind::Assessment, "mini", "mood", 10));
  checker.add(entry(5, "p1", EntryKind::Assessment, "mini", "sleep", 1));  // changed set
  checker.add(entry(6, "p1", EntryKind::Signal, "mini", "phoned"));        // removed
  checker.add(entry(7, "p1", EntryKind::Milestone, "mini", "tenancy", std::nullopt, "start"));
  checker.add(entry(8, "p1", EntryKind::Status, "mini", "housing", std::nullopt, "partial"));
  checker.add(entry(9, "p1", EntryKind::Goal, "mini", "my-goal", -1, "set"));
  checker.add(entry(10, "p9", EntryKind::Signal, "gone", "x"));
  auto check = checker.result();
  CHECK_FALSE(check.fits());
  CHECK(check.entries_checked == 10);
  CHECK(check.incompatible_entries() == 10);
  REQUIRE(check.findings.size() == 7);

  const auto& gone = check.findings[0];
  CHECK(gone.framework == "gone");
  CHECK(gone.problem == CheckProblem::FrameworkMissing);
  CHECK(gone.expected == "one of mini");

  const auto& phoned = check.findings[1];
  CHECK(phoned.problem == CheckProblem::MeasureMissing);
  CHECK(phoned.measure == "phoned");
  CHECK(phoned.expected == "a signal measure of 'mini'");

  const auto& tenancy = check.findings[2];
  CHECK(tenancy.problem == CheckProblem::MeasureTypeChanged);
  CHECK(tenancy.expected == "the measure is now of type signal");

  const auto& mood = check.findings[3];
  CHECK(mood.problem == CheckProblem::ValueNotAllowed);
  CHECK(mood.measure == "mood");
  CHECK(mood.entries == 4);
  CHECK(mood.expected == "0..2");
  REQUIRE(mood.examples.size() == 3);  // at most three examples
  CHECK(mood.examples[2].entry == 3);
  CHECK(mood.examples[2].person == "p3");

  CHECK(check.findings[4].measure == "sleep");
  CHECK(check.findings[4].expected == "one of 0, 2");
  CHECK(check.findings[5].problem == CheckProblem::GoalScaleMissing);
  CHECK(check.findings[6].problem == CheckProblem::StatusMissing);
  CHECK(check.findings[6].expected == "one of achieved, partly, not_achieved");

  std::ostringstream out;
  render_check(out, check);
  const std::string text = out.str();
  CHECK(text.find("gone: 1 entry checked (framework not in the workspace)\n") == 0);
  CHECK(text.find("mini mood: recorded score no longer allowed (value_not_allowed), 4 entries\n"
                  "  recorded: 3, 4, 10\n"
                  "  expected: 0..2\n"
                  "  for example: entry 1 (p1, 2026-03-02); entry 2 (p2, 2026-03-03); entry 3 "
                  "(p3, 2026-03-04)\n") != std::string::npos);
  CHECK(text.find("all recorded data fits") == std::string::npos);

  const auto j = check_to_json(check);
  CHECK(j["fits"] == false);
  CHECK(j["problems"][3]["recorded"].dump() == R"(["3","4","10"])");
  CHECK(j["problems"][3]["examples"][0].dump() ==
        R"({"entry":1,"person":"p1","date":"2026-03-02"})");
}

TEST_CASE("FrameworkChecker checks goal attainments against the goal scale") {
  auto load = parse_framework(
      "id: goals\nname: G\nversion: \"1\"\nsource: s\nlicence: l\n"
      "goal_scale: {min: -1, max: 1, baseline: -1}\n"
      "domains: [{id: d, name: D, measures: [{id: goal, name: Goal, type: goal, nature: soft}]}]\n",
      "goals.yaml");
  REQUIRE(load.ok());
  std::vector<Framework> fws{*load.framework};
  FrameworkChecker checker(fws);
  checker.add(entry(1, "p1", EntryKind::Goal, "goals", "walk", -1, "set"));
  checker.add(entry(2, "p1", EntryKind::Goal, "goals", "walk", 2, "review"));
  checker.add(entry(3, "p1", EntryKind::Goal, "goals", "walk", -2, "review"));
  auto check = checker.result();
  REQUIRE(check.findings.size() == 1);
  CHECK(check.findings[0].problem == CheckProblem::AttainmentOutOfScale);
  CHECK(check.findings[0].entries == 2);
  CHECK(check.findings[0].expected == "-1..1");
  CHECK(check.findings[0].found == std::set<std::string>{"-2", "2"});
}

TEST_CASE("check_recorded_data reads current entries from the store and counts other versions") {
  const auto file = std::filesystem::temp_directory_path() / "outcomes_test_framework_check.db";
  std::filesystem::remove(file);
  std::vector<Framework> fws{edited_framework()};
  {
    std::unique_ptr<JourneyStore> owned_store = create_store(file);
    JourneyStore& store = *owned_store;
    auto tx = store.begin();
    NewEntry a;
    a.person = "p1";
    a.date = *parse_date("2026-01-10");
    a.kind = EntryKind::Assessment;
    a.framework = "mini";
    a.framework_hash = "0000000000000000";  // recorded under an earlier file
    a.measure = "mood";
    a.value = 4;
    const int64_t first = tx->append(a, "2026-01-10T00:00:00Z");
    NewEntry fix = a;  // a correction replaces the out-of-range score
    fix.value = 1;
    fix.framework_hash = fws[0].content_hash;
    fix.supersedes = first;
    fix.reason = "typo";
    tx->append(fix, "2026-01-11T00:00:00Z");
    NewEntry b = a;
    b.person = "p2";
    b.value = 3;
    tx->append(b, "2026-01-11T00:00:00Z");
    tx->commit();
  }
  std::unique_ptr<JourneyStore> owned_store = open_store(file, true);
  JourneyStore& store = *owned_store;
  auto check = check_recorded_data(fws, store);
  CHECK(check.entries_checked == 2);
  REQUIRE(check.frameworks.size() == 1);
  CHECK(check.frameworks[0].other_versions == 1);
  REQUIRE(check.findings.size() == 1);
  CHECK(check.findings[0].entries == 1);
  CHECK(check.findings[0].examples[0].person == "p2");
  std::filesystem::remove(file);
}

TEST_CASE("an entry recorded under the legacy digest of the same file is not another version") {
  std::vector<Framework> fws{edited_framework()};
  REQUIRE(is_legacy_digest(fws[0].legacy_content_hash));
  FrameworkChecker checker(fws);
  auto current = entry(1, "p1", EntryKind::Assessment, "mini", "mood", 1);
  current.framework_hash = fws[0].content_hash;
  auto legacy = entry(2, "p1", EntryKind::Assessment, "mini", "mood", 1);
  legacy.framework_hash = fws[0].legacy_content_hash;
  auto legacy_other = entry(3, "p1", EntryKind::Assessment, "mini", "mood", 1);
  legacy_other.framework_hash = "fnv1a64:0000000000000000";  // an earlier file
  for (const auto& e : {current, legacy, legacy_other}) checker.add(e);
  auto check = checker.result();
  REQUIRE(check.frameworks.size() == 1);
  CHECK(check.frameworks[0].entries == 3);
  CHECK(check.frameworks[0].other_versions == 1);
}

TEST_CASE("MisfitScan checks only entries recorded under other content than the file's") {
  std::vector<Framework> fws{edited_framework()};
  MisfitScan scan(fws);
  // Recorded under the file as it is now: fits by construction, not even looked at (a
  // value outside the range here proves it is not checked).
  Entry same = entry(1, "p1", EntryKind::Assessment, "mini", "mood", 9);
  same.framework_hash = fws[0].content_hash;
  scan.add(same);
  // Recorded under an earlier content: checked.
  Entry old = entry(2, "p1", EntryKind::Assessment, "mini", "mood", 4);
  old.framework_hash = std::string(64, 'a');
  scan.add(old);
  Entry renamed = entry(3, "p2", EntryKind::Assessment, "mini", "moood", 1);
  renamed.framework_hash = std::string(64, 'a');
  scan.add(renamed);
  // Another framework, not in the workspace: left to the caller.
  scan.add(entry(4, "p2", EntryKind::Assessment, "gone", "mood", 1));
  const FrameworkCheck check = scan.result();
  REQUIRE(check.findings.size() == 2);
  CHECK(check.findings[0].problem == CheckProblem::MeasureMissing);
  CHECK(check.findings[0].measure == "moood");
  CHECK(check.findings[1].problem == CheckProblem::ValueNotAllowed);
  CHECK(check.findings[1].entries == 1);
  CHECK(values_outside_range(check) == 1);

  const auto sentences = misfit_sentences(check);
  REQUIRE(sentences.size() == 2);
  CHECK(sentences[1] ==
        "framework 'mini', measure 'mood': 1 entry no longer fits the framework (recorded "
        "score no longer allowed; recorded: 4; expected 0..2); these values are left out of "
        "the figures; run 'outcomes frameworks check' for details");
  CHECK(misfit_sentences(check, 5)[1].find(": <5 entries no longer fit the") != std::string::npos);
}

TEST_CASE("MisfitScan counts only the frameworks asked for") {
  std::vector<Framework> fws{edited_framework()};
  MisfitScan scan(fws, {"other"});
  Entry old = entry(1, "p1", EntryKind::Assessment, "mini", "mood", 4);
  old.framework_hash = std::string(64, 'a');
  scan.add(old);
  CHECK(scan.result().fits());
}

TEST_CASE("unversioned_edits finds a file edited under a version entries were recorded with") {
  std::vector<Framework> fws{edited_framework()};  // version "2"
  const std::string now = fws[0].content_hash;
  const std::string before(64, 'b');
  SUBCASE("same version label, other content: an edit without a new version") {
    auto edits = unversioned_edits(fws, {{"mini", "2", before, 4}, {"mini", "2", now, 3}});
    REQUIRE(edits.size() == 1);
    CHECK(edits[0].framework == "mini");
    CHECK(edits[0].version == "2");
    CHECK(edits[0].entries == 4);
  }
  SUBCASE("an earlier version label, or the same content, is no warning") {
    CHECK(unversioned_edits(fws, {{"mini", "1", before, 4}, {"mini", "2", now, 3}}).empty());
    CHECK(unversioned_edits(fws, {{"other", "2", before, 4}}).empty());
  }
  SUBCASE("the legacy digest of the same bytes is the same content") {
    CHECK(unversioned_edits(fws, {{"mini", "2", fws[0].legacy_content_hash, 2}}).empty());
  }
}
