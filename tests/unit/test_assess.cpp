// Unit tests of lib/assess: the assessment rules, with hand-worked values.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "assess_render.h"
#include "store.h"
#include "test_support.h"

using namespace outcomes;

using outcomes::testing::day;
using outcomes::testing::framework_from;
using outcomes::testing::Log;
using outcomes::testing::shipped;

namespace {

// Two items 0..10, plain sum, lower is better; SD 5, r 0.8 → S_diff = 5·√2·√0.2 = √10 ≈ 3.1623.
const char* kLowerYaml = R"(
id: chaos
name: Chaos
version: "1"
source: test
licence: test
scoring:
  total: sum
  direction: lower_is_better
  reliability: {value: 0.8, kind: test_retest, source: test}
  reference_sd: 5
  minimum_interval: 4 weeks
domains:
  - id: d
    name: D
    measures:
      - {id: a, name: A, type: scale, nature: soft, min: 0, max: 10}
      - {id: b, name: B, type: scale, nature: soft, min: 0, max: 10}
)";

// One item 0..40, higher is better, r 0.5 so S_diff = SD·√2·√0.5 = SD.
std::string higher_yaml(const std::string& sd, const std::string& extra = "") {
  return R"(
id: well
name: Well
version: "1"
source: test
licence: test
scoring:
  total: sum
  direction: higher_is_better
  reliability: {value: 0.5, kind: alpha, source: test}
  reference_sd: )" +
         sd + "\n" + extra + R"(
domains:
  - id: d
    name: D
    measures:
      - {id: x, name: X, type: scale, nature: soft, min: 0, max: 40}
)";
}

const std::vector<std::string> kAB = {"a", "b"};

}  // namespace

TEST_CASE("rounding is half away from zero at the stated decimals") {
  CHECK(round_to(2.675, 2) == doctest::Approx(2.68));
  CHECK(round_to(-2.675, 2) == doctest::Approx(-2.68));
  CHECK(round_to(1.25, 1) == doctest::Approx(1.3));
  CHECK(round_to(1.24999, 1) == doctest::Approx(1.2));
  CHECK(round_to(54.5644, 1) == doctest::Approx(54.6));
}

TEST_CASE("RCI on a lower-is-better framework: a fall is improvement") {
  Framework f = framework_from(kLowerYaml);
  Log log;
  log.occasion("2026-01-01", "chaos", kAB, {8, 8});  // 16
  log.occasion("2026-03-01", "chaos", kAB, {5, 4});  // 9
  auto a = assess_person(f, log.ordered(), day("2026-06-30"));
  REQUIRE(a.change);
  CHECK(*a.change == -7);
  // RC = −7 / √10 = −2.2136; lower is better, so −2.21 < −1.96 is reliable improvement.
  REQUIRE(a.rci);
  CHECK(*a.rci == doctest::Approx(-7 / std::sqrt(10.0)));
  CHECK(round_to(*a.rci, 2) == doctest::Approx(-2.21));
  CHECK(a.reliable_change == ReliableChange::Improved);

  Log worse;
  worse.occasion("2026-01-01", "chaos", kAB, {2, 2});  // 4
  worse.occasion("2026-03-01", "chaos", kAB, {6, 5});  // 11: +7 → RC +2.21
  CHECK(assess_person(f, worse.ordered(), day("2026-06-30")).reliable_change ==
        ReliableChange::Deteriorated);

  Log small;
  small.occasion("2026-01-01", "chaos", kAB, {8, 8});  // 16
  small.occasion("2026-03-01", "chaos", kAB, {5, 5});  // 10: −6 → RC −1.897
  auto s = assess_person(f, small.ordered(), day("2026-06-30"));
  CHECK(s.reliable_change == ReliableChange::NoReliableChange);
  CHECK(*s.rci == doctest::Approx(-1.8974).epsilon(1e-4));
}

TEST_CASE("RCI on a higher-is-better framework uses the unrounded RC for the 1.96 test") {
  // S_diff = SD. Change +2 with SD 1.019: RC = 1.96271, shown 1.96 yet above 1.96.
  Framework f = framework_from(higher_yaml("1.019"));
  Log log;
  log.add("2026-01-01", EntryKind::Assessment, "well", "x", 20);
  log.add("2026-02-01", EntryKind::Assessment, "well", "x", 22);
  auto a = assess_person(f, log.ordered(), day("2026-02-01"));
  CHECK(round_to(*a.rci, 2) == doctest::Approx(1.96));
  CHECK(a.reliable_change == ReliableChange::Improved);
  CHECK(assessment_to_json(a, f)["rci"].get<double>() == doctest::Approx(1.96));

  // SD 1.0217: RC = 1.95752, also shown 1.96 but not above 1.96.
  Framework g = framework_from(higher_yaml("1.0217"));
  Log logg;
  logg.add("2026-01-01", EntryKind::Assessment, "well", "x", 20);
  logg.add("2026-02-01", EntryKind::Assessment, "well", "x", 22);
  auto b = assess_person(g, logg.ordered(), day("2026-02-01"));
  CHECK(round_to(*b.rci, 2) == doctest::Approx(1.96));
  CHECK(b.reliable_change == ReliableChange::NoReliableChange);

  // A fall of 4 with SD 1.019 is RC −3.93: deteriorated where higher is better.
  Log down;
  down.add("2026-01-01", EntryKind::Assessment, "well", "x", 20);
  down.add("2026-02-01", EntryKind::Assessment, "well", "x", 16);
  CHECK(assess_person(f, down.ordered(), day("2026-02-01")).reliable_change ==
        ReliableChange::Deteriorated);
}

TEST_CASE("fewer than two occasions is insufficient data with no change") {
  Framework f = framework_from(kLowerYaml);
  Log log;
  log.occasion("2026-01-01", "chaos", kAB, {3, 4});
  auto a = assess_person(f, log.ordered(), day("2026-06-30"));
  CHECK(a.occasions == 1);
  REQUIRE(a.baseline);
  CHECK(a.baseline->score == 7);
  CHECK(a.latest->date == day("2026-01-01"));
  CHECK_FALSE(a.change);
  CHECK_FALSE(a.rci);
  CHECK(a.reliable_change == ReliableChange::InsufficientData);

  auto none = assess_person(f, {}, day("2026-06-30"));
  CHECK(none.occasions == 0);
  CHECK_FALSE(none.baseline);
  CHECK(none.reliable_change == ReliableChange::InsufficientData);
}

TEST_CASE("occasions closer than the minimum interval give change but no RCI; equal counts") {
  Framework f = framework_from(kLowerYaml);  // minimum_interval: 4 weeks = 28 days
  Log close;
  close.occasion("2026-01-01", "chaos", kAB, {8, 8});
  close.occasion("2026-01-28", "chaos", kAB, {2, 2});  // 27 days later
  auto a = assess_person(f, close.ordered(), day("2026-06-30"));
  CHECK(*a.change == -12);
  CHECK_FALSE(a.rci);
  CHECK(a.reliable_change == ReliableChange::InsufficientData);
  CHECK(assessment_to_json(a, f)["rci"].is_null());

  Log exact;
  exact.occasion("2026-01-01", "chaos", kAB, {8, 8});
  exact.occasion("2026-01-29", "chaos", kAB, {2, 2});  // exactly 28 days later
  auto b = assess_person(f, exact.ordered(), day("2026-06-30"));
  REQUIRE(b.rci);
  CHECK(b.reliable_change == ReliableChange::Improved);  // −12/√10 = −3.79
}

TEST_CASE("without SD and reliability the category is not_computable") {
  Framework f = shipped("ndt");
  std::vector<std::string> items;
  for (const auto* m : f.items()) items.push_back(m->id);
  REQUIRE(items.size() == 10);
  Log log;
  // Risk domains are recorded 0,2,4,6,8 and the score is the plain sum.
  log.occasion("2026-01-01", "ndt", items, {3, 2, 2, 6, 8, 3, 3, 4, 3, 4});  // 38
  log.occasion("2026-04-01", "ndt", items, {2, 1, 1, 2, 4, 2, 2, 3, 2, 2});  // 21
  auto a = assess_person(f, log.ordered(), day("2026-04-01"));
  CHECK(a.baseline->score == 38);
  CHECK(a.latest->score == 21);
  CHECK(*a.change == -17);
  CHECK_FALSE(a.rci);
  CHECK(a.reliable_change == ReliableChange::NotComputable);
  CHECK_FALSE(a.clinical_significance);
}

TEST_CASE("SWEMWBS converts raw to metric before change") {
  Framework f = shipped("swemwbs");
  std::vector<std::string> items = {"item_1", "item_2", "item_3", "item_6",
                                    "item_7", "item_9", "item_11"};
  Log log;
  log.occasion("2026-01-10", "swemwbs", items, {2, 2, 2, 2, 2, 2, 2});  // raw 14 → 15.32
  log.occasion("2026-05-10", "swemwbs", items, {3, 3, 3, 3, 3, 3, 3});  // raw 21 → 19.25
  auto a = assess_person(f, log.ordered(), day("2026-06-01"));
  CHECK(a.baseline->score == doctest::Approx(15.32));
  CHECK(a.latest->score == doctest::Approx(19.25));
  // Metric change 19.25 − 15.32 = 3.93, not the raw change of 7.
  CHECK(*a.change == doctest::Approx(3.93));
  // No reference SD: S_diff = √2 · SEM 1.03 = 1.4566, RC = 3.93 / 1.4566 = 2.698 > 1.96.
  CHECK(*a.rci == doctest::Approx(2.698).epsilon(0.001));
  CHECK(a.reliable_change == ReliableChange::Improved);
  // 3.93 reaches the minimum meaningful change of 2.87.
  CHECK(a.meaningful_change == true);
  auto j = assessment_to_json(a, f);
  CHECK(j["change"].get<double>() == doctest::Approx(3.93));
  CHECK(j["items"]["item_1"]["baseline"] == 2);
  CHECK(j["items"]["item_1"]["latest"] == 3);
  CHECK(j["items"]["item_1"]["change"] == 1);
}

TEST_CASE("an occasion with a missing item is incomplete and not scored") {
  Framework f = framework_from(kLowerYaml);
  Log log;
  log.occasion("2026-01-01", "chaos", kAB, {8, 8});
  log.add("2026-02-15", EntryKind::Assessment, "chaos", "a", 1);  // b missing
  log.occasion("2026-03-01", "chaos", kAB, {6, 6});
  auto a = assess_person(f, log.ordered(), day("2026-06-30"));
  CHECK(a.occasions == 2);
  CHECK(a.incomplete_occasions == 1);
  CHECK(a.latest->score == 12);
  CHECK(*a.change == -4);
  // Per-item figures come from the complete occasions only.
  CHECK(a.items.at("a").latest->score == 6);
  CHECK(a.items.at("a").occasions == 2);

  // The shipped SWEMWBS declares no prorating: one missing item makes it incomplete.
  Framework sw = shipped("swemwbs");
  Log s;
  s.occasion("2026-01-10", "swemwbs", {"item_1", "item_2", "item_3", "item_6", "item_7", "item_9"},
             {3, 3, 3, 3, 3, 3});
  auto b = assess_person(sw, s.ordered(), day("2026-06-01"));
  CHECK(b.occasions == 0);
  CHECK(b.incomplete_occasions == 1);
  CHECK_FALSE(b.baseline);
}

TEST_CASE("a prorate rule scores an occasion with few enough missing items") {
  Framework f = framework_from(R"(
id: pr
name: Prorated
version: "1"
source: test
licence: test
scoring:
  total: sum
  direction: higher_is_better
  missing: prorate
  prorate_max_missing: 1
domains:
  - id: d
    name: D
    measures:
      - {id: a, name: A, type: scale, nature: soft, min: 0, max: 4}
      - {id: b, name: B, type: scale, nature: soft, min: 0, max: 4}
      - {id: c, name: C, type: scale, nature: soft, min: 0, max: 4}
)");
  Log log;
  log.add("2026-01-01", EntryKind::Assessment, "pr", "a", 2);
  log.add("2026-01-01", EntryKind::Assessment, "pr", "b", 4);  // c missing: 6 × 3/2 = 9
  log.add("2026-02-01", EntryKind::Assessment, "pr", "a", 4);  // two missing: incomplete
  auto a = assess_person(f, log.ordered(), day("2026-06-30"));
  CHECK(a.occasions == 1);
  CHECK(a.incomplete_occasions == 1);
  CHECK(a.baseline->score == 9);
}

TEST_CASE("weighted sums multiply each item by its weight") {
  Framework f = framework_from(R"(
id: ws
name: Weighted
version: "1"
source: test
licence: test
scoring:
  total: weighted_sum
  direction: higher_is_better
domains:
  - id: d
    name: D
    measures:
      - {id: a, name: A, type: scale, nature: soft, min: 0, max: 4, weight: 2}
      - {id: b, name: B, type: scale, nature: soft, min: 0, max: 4, weight: 0.5}
)");
  Log log;
  log.add("2026-01-01", EntryKind::Assessment, "ws", "a", 3);
  log.add("2026-01-01", EntryKind::Assessment, "ws", "b", 4);
  auto a = assess_person(f, log.ordered(), day("2026-06-30"));
  CHECK(a.baseline->score == doctest::Approx(2 * 3 + 0.5 * 4));  // 8
}

TEST_CASE("trajectory: direction changes, setbacks, best and worst with ties to the earliest") {
  Framework f = framework_from(higher_yaml("10"));
  auto series = [&](const std::vector<int>& scores) {
    Log log;
    int n = 1;
    for (int s : scores) {
      std::string date = fmt::format("2026-01-{:02d}", n++);
      log.add(date.c_str(), EntryKind::Assessment, "well", "x", s);
    }
    return assess_person(f, log.ordered(), day("2026-12-31"));
  };
  // 10, 12, 11, 15 → +2, −1, +4 → two sign changes; one worse step (12 → 11).
  auto a = series({10, 12, 11, 15});
  CHECK(a.direction_changes == 2);
  CHECK(a.setbacks == 1);
  // Zero differences are skipped: 10, 12, 12, 11 → +2, −1 → one change.
  CHECK(series({10, 12, 12, 11}).direction_changes == 1);
  // 20 → 18 → 15: two worse steps, no change of direction.
  auto b = series({20, 18, 15});
  CHECK(b.setbacks == 2);
  CHECK(b.direction_changes == 0);
  // Ties: best 15 first on 01-02, worst 10 first on 01-04.
  auto c = series({12, 15, 15, 10, 10});
  CHECK(c.best->score == 15);
  CHECK(c.best->date == day("2026-01-02"));
  CHECK(c.worst->score == 10);
  CHECK(c.worst->date == day("2026-01-04"));

  // Lower is better: a rise is the setback, the lowest score is the best.
  Framework low = framework_from(kLowerYaml);
  Log l;
  l.occasion("2026-01-01", "chaos", kAB, {5, 5});  // 10
  l.occasion("2026-03-01", "chaos", kAB, {6, 6});  // 12
  l.occasion("2026-05-01", "chaos", kAB, {4, 4});  // 8
  auto e = assess_person(low, l.ordered(), day("2026-06-30"));
  CHECK(e.setbacks == 1);
  CHECK(e.best->score == 8);
  CHECK(e.worst->score == 12);
  CHECK(e.direction_changes == 1);
}

TEST_CASE("bands of baseline and latest; a framework without a total works per item") {
  Framework f = shipped("journey-template");
  REQUIRE_FALSE(f.has_total());
  auto items = f.items();
  REQUIRE(items.size() >= 2);
  std::string first = items[0]->id, second = items[1]->id;
  Log log;
  std::vector<std::string> all;
  for (const auto* m : items) all.push_back(m->id);
  std::vector<int> twos(all.size(), 2), sevens(all.size(), 7);
  log.occasion("2026-01-01", "journey-template", all, twos);
  log.add("2026-02-01", EntryKind::Assessment, "journey-template", first, 5);  // partial
  log.add("2026-03-01", EntryKind::Assessment, "journey-template", first, 4);
  log.occasion("2026-04-01", "journey-template", all, sevens);
  auto a = assess_person(f, log.ordered(), day("2026-06-30"));
  // Framework level: no score. An occasion counts only when it rates every item; the two
  // rating one item are incomplete (but still feed that item's series).
  CHECK_FALSE(a.baseline);
  CHECK_FALSE(a.change);
  CHECK(a.occasions == 2);
  CHECK(a.incomplete_occasions == 2);
  // The first item's own series 2, 5, 4, 7 uses every occasion holding it.
  const auto& item = a.items.at(first);
  CHECK(item.occasions == 4);
  CHECK(item.baseline->score == 2);
  CHECK(item.latest->score == 7);
  CHECK(*item.change == 5);
  CHECK(item.direction_changes == 2);  // +3, −1, +3
  CHECK(item.setbacks == 1);
  CHECK(item.best->date == day("2026-04-01"));
  CHECK(item.baseline_band == "early");
  CHECK(item.latest_band == "steadying");
  CHECK(a.items.at(second).occasions == 2);
  auto j = assessment_to_json(a, f);
  CHECK(j["reliable_change"].is_null());
  CHECK(j["direction_changes"].is_null());
  CHECK(j["baseline"].is_null());
  CHECK(j["items"][first]["bands"]["latest"] == "steadying");
}

TEST_CASE("clinical significance uses criterion c with both norm groups") {
  // c = (SD_dys·M_fun + SD_fun·M_dys)/(SD_dys + SD_fun) = (10·30 + 5·15)/15 = 25.
  Framework f = framework_from(higher_yaml("2", R"(  norms:
    functional: {mean: 30, sd: 5}
    dysfunctional: {mean: 15, sd: 10}
)"));
  auto run = [&](int from, int to) {
    Log log;
    log.add("2026-01-01", EntryKind::Assessment, "well", "x", from);
    log.add("2026-03-01", EntryKind::Assessment, "well", "x", to);
    return assess_person(f, log.ordered(), day("2026-03-01"));
  };
  CHECK(run(15, 26).clinical_significance == ClinicalSignificance::Recovered);  // RC 5.5, 26 > 25
  CHECK(run(15, 25).clinical_significance == ClinicalSignificance::Improved);   // on the cut-off
  CHECK(run(15, 17).clinical_significance == ClinicalSignificance::Unchanged);  // RC 1
  CHECK(run(26, 20).clinical_significance == ClinicalSignificance::Deteriorated);
  CHECK_FALSE(framework_from(higher_yaml("2")).scoring.norms);
}

TEST_CASE("statuses: the most recent evidence wins between status and need entries") {
  Framework f = shipped("supporting-people");
  const std::string fw = "supporting-people";
  const std::string m = f.measures.front().id;
  auto status_of = [&](Log& log, const char* as_of = "2026-12-31") {
    return assess_person(f, log.ordered(), day(as_of)).statuses.at(m);
  };

  Log over;  // a status after the need overrides the derivation
  over.add("2026-01-01", EntryKind::Enrol);
  over.add("2026-01-05", EntryKind::Need, fw, m, std::nullopt, "open", "rent arrears");
  over.add("2026-02-01", EntryKind::Status, fw, m, std::nullopt, "achieved");
  CHECK(status_of(over) == "achieved");
  CHECK(status_of(over, "2026-01-31") == "partial");

  Log overridden;  // a need after the status overrides it
  overridden.add("2026-01-01", EntryKind::Enrol);
  overridden.add("2026-01-05", EntryKind::Status, fw, m, std::nullopt, "achieved");
  overridden.add("2026-02-01", EntryKind::Need, fw, m, std::nullopt, "open", "eviction notice");
  CHECK(status_of(overridden) == "partial");

  Log same;  // on one date the status wins; several statuses: the last recorded
  same.add("2026-01-01", EntryKind::Enrol);
  same.add("2026-02-01", EntryKind::Status, fw, m, std::nullopt, "not_achieved");
  same.add("2026-02-01", EntryKind::Status, fw, m, std::nullopt, "not_relevant");
  same.add("2026-02-01", EntryKind::Need, fw, m, std::nullopt, "open", "x");
  CHECK(status_of(same) == "not_relevant");

  Log nothing;
  CHECK(status_of(nothing) == "not_assessed");
}

TEST_CASE("statuses derived from needs: achieved, partial, not_achieved") {
  Framework f = shipped("supporting-people");
  const std::string fw = "supporting-people";
  const std::string m = f.measures.front().id;
  Log log;
  log.add("2026-01-01", EntryKind::Enrol);
  log.add("2026-01-02", EntryKind::Need, fw, m, std::nullopt, "open", "debts");
  log.add("2026-01-02", EntryKind::Need, fw, m, std::nullopt, "open", "benefits");
  log.add("2026-03-01", EntryKind::Need, fw, m, std::nullopt, "met", " debts ");  // trimmed
  log.add("2026-04-01", EntryKind::Need, fw, m, std::nullopt, "met", "benefits");
  log.add("2026-05-01", EntryKind::Exit, "", "", std::nullopt, "disengaged");
  auto at = [&](const char* date) {
    return assess_person(f, log.ordered(), day(date)).statuses.at(m);
  };
  CHECK(at("2026-03-15") == "partial");   // one need open, episode open
  CHECK(at("2026-04-01") == "achieved");  // every need met

  Log ended;
  ended.add("2026-01-01", EntryKind::Enrol);
  ended.add("2026-01-02", EntryKind::Need, fw, m, std::nullopt, "open", "debts");
  ended.add("2026-05-01", EntryKind::Exit, "", "", std::nullopt, "disengaged");
  CHECK(assess_person(f, ended.ordered(), day("2026-04-30")).statuses.at(m) == "partial");
  // The exit on D closes the episode at D: support ended with the need unmet.
  CHECK(assess_person(f, ended.ordered(), day("2026-05-01")).statuses.at(m) == "not_achieved");

  // A framework with its own status ids derives to its own ids.
  Framework own = framework_from(R"(
id: own
name: Own
version: "1"
source: test
licence: test
statuses:
  - {id: done, name: Done, means: achieved}
  - {id: getting_there, name: Getting there, means: partial}
  - {id: not_yet, name: Not yet, means: not_achieved}
  - {id: na, name: Not relevant, means: not_relevant}
domains:
  - id: d
    name: D
    measures:
      - {id: housing, name: Housing, type: status, nature: hard}
)");
  Log o;
  o.add("2026-01-01", EntryKind::Enrol);
  o.add("2026-01-02", EntryKind::Need, "own", "housing", std::nullopt, "open", "tenancy");
  CHECK(assess_person(own, o.ordered(), day("2026-02-01")).statuses.at("housing") ==
        "getting_there");
  o.add("2026-03-01", EntryKind::Exit, "", "", std::nullopt, "other");
  CHECK(assess_person(own, o.ordered(), day("2026-03-01")).statuses.at("housing") == "not_yet");
  o.add("2026-03-02", EntryKind::Need, "own", "housing", std::nullopt, "met", "tenancy");
  CHECK(assess_person(own, o.ordered(), day("2026-03-02")).statuses.at("housing") == "done");
}

namespace {
const char* kMilestoneYaml = R"(
id: hard
name: Hard
version: "1"
source: test
licence: test
domains:
  - id: d
    name: D
    measures:
      - {id: tenancy, name: Tenancy, type: milestone, nature: hard, sustain: 6 months}
      - {id: course, name: Course, type: milestone, nature: hard}
      - {id: work, name: Work, type: milestone, nature: hard, sustain: 2 weeks}
)";
}

TEST_CASE("milestones: sustain periods, ends, month-end arithmetic, once achieved stays") {
  Framework f = framework_from(kMilestoneYaml);
  auto state = [&](Log& log, const char* as_of, const std::string& m) {
    auto a = assess_person(f, log.ordered(), day(as_of));
    auto it = a.milestones.find(m);
    return it == a.milestones.end() ? std::string("absent") : std::string(to_string(it->second));
  };
  Log early;  // 31 Jan + 6 months = 31 Jul; ended 30 Jul: not sustained
  early.add("2026-01-31", EntryKind::Milestone, "hard", "tenancy", std::nullopt, "start");
  early.add("2026-07-30", EntryKind::Milestone, "hard", "tenancy", std::nullopt, "end");
  CHECK(state(early, "2026-07-29", "tenancy") == "in_progress");
  CHECK(state(early, "2026-12-31", "tenancy") == "ended");

  Log exact;  // ended exactly on start + sustain: sustained
  exact.add("2026-01-31", EntryKind::Milestone, "hard", "tenancy", std::nullopt, "start");
  exact.add("2026-07-31", EntryKind::Milestone, "hard", "tenancy", std::nullopt, "end");
  CHECK(state(exact, "2026-12-31", "tenancy") == "achieved");

  Log month_end;  // 31 Aug 2025 + 6 months = 28 Feb 2026 (clamped to the month's end)
  month_end.add("2025-08-31", EntryKind::Milestone, "hard", "tenancy", std::nullopt, "start");
  CHECK(state(month_end, "2026-02-27", "tenancy") == "in_progress");
  CHECK(state(month_end, "2026-02-28", "tenancy") == "achieved");

  Log again;  // sustained once, ended, started again: stays achieved
  again.add("2026-01-01", EntryKind::Milestone, "hard", "tenancy", std::nullopt, "start");
  again.add("2026-07-01", EntryKind::Milestone, "hard", "tenancy", std::nullopt, "end");
  again.add("2026-08-01", EntryKind::Milestone, "hard", "tenancy", std::nullopt, "start");
  again.add("2026-08-10", EntryKind::Milestone, "hard", "tenancy", std::nullopt, "end");
  CHECK(state(again, "2026-12-31", "tenancy") == "achieved");
  CHECK(state(again, "2026-06-30", "tenancy") == "in_progress");

  Log plain;  // no sustain period: achieved on start; weeks are 7 days
  plain.add("2026-03-01", EntryKind::Milestone, "hard", "course", std::nullopt, "start");
  plain.add("2026-03-01", EntryKind::Milestone, "hard", "work", std::nullopt, "start");
  CHECK(state(plain, "2026-03-01", "course") == "achieved");
  CHECK(state(plain, "2026-03-14", "work") == "in_progress");
  CHECK(state(plain, "2026-03-15", "work") == "achieved");
  CHECK(state(plain, "2026-02-28", "course") == "absent");
  CHECK(state(plain, "2026-12-31", "tenancy") == "absent");
}

TEST_CASE("GAS T-scores for 1, 3 and 5 goals match the formula worked by hand") {
  // T = 50 + 10·Σx / √((1−ρ)·n + ρ·n²), ρ = 0.3.
  // 1 goal, x = +1: √(0.7 + 0.3) = 1 → T = 50 + 10 = 60.
  CHECK(gas_t_score({1}, 0.3) == doctest::Approx(60.0));
  // 3 goals, x = −1, 0, +2: Σx = 1; √(2.1 + 2.7) = √4.8 = 2.190890 → T = 54.5644.
  CHECK(gas_t_score({-1, 0, 2}, 0.3) == doctest::Approx(54.5644).epsilon(1e-6));
  // 5 goals, x = 1, 1, 0, −1, 2: Σx = 3; √(3.5 + 7.5) = √11 = 3.316625 → T = 59.0453.
  CHECK(gas_t_score({1, 1, 0, -1, 2}, 0.3) == doctest::Approx(59.0453).epsilon(1e-6));
  // All at the expected level: T = 50 whatever n.
  CHECK(gas_t_score({0, 0, 0}, 0.3) == doctest::Approx(50.0));
}

TEST_CASE("goals: baseline from set, latest review or close, open and closed, T-score") {
  Framework f = shipped("goals");
  REQUIRE(f.goal_scale);
  const std::string fw = "goals";
  Log log;
  log.add("2026-01-01", EntryKind::Goal, fw, "g1", std::nullopt, "set", "find a flat");
  log.add("2026-01-01", EntryKind::Goal, fw, "g2", -2, "set", "see my kids");
  log.add("2026-01-01", EntryKind::Goal, fw, "g3", std::nullopt, "set", "cook meals");
  log.add("2026-03-01", EntryKind::Goal, fw, "g1", 0, "review");
  log.add("2026-04-01", EntryKind::Goal, fw, "g1", 1, "review");
  log.add("2026-05-01", EntryKind::Goal, fw, "g2", 2, "close");
  auto a = assess_person(f, log.ordered(), day("2026-06-01"));
  REQUIRE(a.goals.size() == 3);
  CHECK(a.goals[0].goal == "g1");
  CHECK(a.goals[0].baseline == -1);  // the scale's default baseline
  CHECK(a.goals[0].attainment == 1);
  CHECK(a.goals[0].open);
  CHECK(a.goals[1].baseline == -2);
  CHECK(a.goals[1].attainment == 2);
  CHECK_FALSE(a.goals[1].open);
  CHECK(a.goals[2].attainment == -1);  // never reviewed: the baseline
  // x = 1, 2, −1: Σx = 2 over 3 goals → 50 + 20/√4.8 = 59.1287 → 59.1.
  REQUIRE(a.t_score);
  CHECK(*a.t_score == doctest::Approx(50 + 20 / std::sqrt(4.8)));
  auto j = assessment_to_json(a, f);
  CHECK(j["goals"]["t_score"].get<double>() == doctest::Approx(59.1));
  CHECK(j["goals"]["goals"][1]["state"] == "closed");
  CHECK(j["goals"]["goals"][0]["state"] == "open");
  // As of before the reviews: all at baseline −1, −2, −1: Σx = −4 → 50 − 40/√4.8 = 31.74.
  CHECK(*assess_person(f, log.ordered(), day("2026-01-01")).t_score ==
        doctest::Approx(50 - 40 / std::sqrt(4.8)));
  // No goals: null.
  auto none = assess_person(f, {}, day("2026-06-01"));
  CHECK_FALSE(none.t_score);
  CHECK(assessment_to_json(none, f)["goals"]["t_score"].is_null());
}

TEST_CASE("signals and engagement count the 90 days D−89 … D and signals in total") {
  Framework f = shipped("relational");
  std::string signal;
  for (const auto& m : f.measures)
    if (m.type == MeasureType::Signal) {
      signal = m.id;
      break;
    }
  REQUIRE_FALSE(signal.empty());
  // D = 2026-06-30; D−89 = 2026-04-02; D−90 = 2026-04-01.
  Log log;
  log.add("2026-04-01", EntryKind::Signal, "relational", signal);
  log.add("2026-04-02", EntryKind::Signal, "relational", signal);
  log.add("2026-06-30", EntryKind::Signal, "relational", signal);
  log.add("2026-07-01", EntryKind::Signal, "relational", signal);  // after D: ignored
  log.add("2026-04-01", EntryKind::Contact, "", "", std::nullopt, "attended");
  log.add("2026-04-02", EntryKind::Contact, "", "", std::nullopt, "attended");
  log.add("2026-05-01", EntryKind::Contact, "", "", std::nullopt, "missed");
  log.add("2026-05-02", EntryKind::Contact, "", "", std::nullopt, "self_initiated");
  log.add("2026-05-03", EntryKind::Contact, "", "", std::nullopt, "outreach");
  auto a = assess_person(f, log.ordered(), day("2026-06-30"));
  CHECK(a.signals.at(signal).last_90_days == 2);
  CHECK(a.signals.at(signal).total == 3);
  CHECK(a.engagement.attended == 1);
  CHECK(a.engagement.missed == 1);
  CHECK(a.engagement.self_initiated == 1);
  // Every signal measure of the framework is listed, with zeros where none was seen.
  size_t signals = 0;
  for (const auto& m : f.measures) signals += m.type == MeasureType::Signal;
  CHECK(a.signals.size() == signals);
}

TEST_CASE("open episode: enrol on or before D with no exit up to D; same-day order applies") {
  Framework f = framework_from(kLowerYaml);
  Log log;
  log.add("2026-01-01", EntryKind::Enrol);
  log.add("2026-03-01", EntryKind::Exit, "", "", std::nullopt, "other");
  log.add("2026-03-01", EntryKind::Enrol);  // re-engaged the same day, recorded after
  CHECK_FALSE(assess_person(f, log.ordered(), day("2025-12-31")).in_open_episode);
  CHECK(assess_person(f, log.ordered(), day("2026-01-01")).in_open_episode);
  CHECK(assess_person(f, log.ordered(), day("2026-03-01")).in_open_episode);
  Log exited;
  exited.add("2026-01-01", EntryKind::Enrol);
  exited.add("2026-03-01", EntryKind::Exit, "", "", std::nullopt, "other");
  CHECK_FALSE(assess_person(f, exited.ordered(), day("2026-03-01")).in_open_episode);
}

TEST_CASE("entries after the as-of date and of other frameworks are ignored") {
  Framework f = framework_from(kLowerYaml);
  Log log;
  log.occasion("2026-01-01", "chaos", kAB, {8, 8});
  log.occasion("2026-02-01", "other", kAB, {1, 1});
  log.occasion("2026-09-01", "chaos", kAB, {1, 1});
  auto a = assess_person(f, log.ordered(), day("2026-06-30"));
  CHECK(a.occasions == 1);
  CHECK(a.latest->score == 16);
}

namespace {
using outcomes::testing::TempDir;

NewEntry new_entry(const std::string& person, const char* date, EntryKind kind,
                   const std::string& framework = "", const std::string& measure = "",
                   std::optional<int> value = std::nullopt, const std::string& status = "") {
  NewEntry e;
  e.person = person;
  e.date = day(date);
  e.kind = kind;
  e.framework = framework;
  e.measure = measure;
  e.value = value;
  e.status = status;
  e.by = "test";
  return e;
}
}  // namespace

TEST_CASE("a correction read from the store changes the score") {
  TempDir dir;
  Framework f = framework_from(kLowerYaml);
  std::unique_ptr<JourneyStore> owned_store = create_store(dir.path / "outcomes.db");
  JourneyStore& store = *owned_store;
  int64_t wrong = 0;
  {
    auto tx = store.begin();
    tx->append(new_entry("P1", "2026-01-01", EntryKind::Assessment, "chaos", "a", 8),
              "2026-01-01T00:00:00Z");
    wrong = tx->append(new_entry("P1", "2026-01-01", EntryKind::Assessment, "chaos", "b", 9),
                      "2026-01-01T00:00:00Z");
    tx->append(new_entry("P1", "2026-03-01", EntryKind::Assessment, "chaos", "a", 4),
              "2026-03-01T00:00:00Z");
    tx->append(new_entry("P1", "2026-03-01", EntryKind::Assessment, "chaos", "b", 4),
              "2026-03-01T00:00:00Z");
    tx->commit();
  }
  EntryQuery q;
  auto before = assess_person(f, store.entries(q), day("2026-06-30"));
  CHECK(before.baseline->score == 17);
  CHECK(*before.change == -9);
  {
    auto tx = store.begin();
    auto fix = new_entry("P1", "2026-01-01", EntryKind::Assessment, "chaos", "b", 6);
    fix.supersedes = wrong;
    fix.reason = "typed 9 for 6";
    tx->append(fix, "2026-04-01T00:00:00Z");
    tx->commit();
  }
  auto after = assess_person(f, store.entries(q), day("2026-06-30"));
  CHECK(after.baseline->score == 14);  // 8 + 6
  CHECK(*after.change == -6);
  CHECK(after.occasions == 2);
}

TEST_CASE("assess_store: one pass, sorted by person then framework, filters") {
  TempDir dir;
  std::vector<Framework> frameworks = {framework_from(kLowerYaml),
                                       framework_from(higher_yaml("10"))};
  std::unique_ptr<JourneyStore> owned_store = create_store(dir.path / "outcomes.db");
  JourneyStore& store = *owned_store;
  {
    auto tx = store.begin();
    const std::string at = "2026-01-01T00:00:00Z";
    tx->append(new_entry("b", "2026-01-01", EntryKind::Enrol), at);
    tx->append(new_entry("b", "2026-01-02", EntryKind::Assessment, "well", "x", 10), at);
    tx->append(new_entry("b", "2026-01-03", EntryKind::Assessment, "chaos", "a", 1), at);
    tx->append(new_entry("B", "2026-01-02", EntryKind::Assessment, "well", "x", 12), at);
    tx->append(new_entry("a", "2026-01-01", EntryKind::Enrol), at);
    tx->append(new_entry("a", "2026-02-01", EntryKind::Exit, "", "", std::nullopt, "other"), at);
    tx->append(new_entry("a", "2026-01-05", EntryKind::Assessment, "chaos", "a", 3), at);
    tx->append(new_entry("a", "2026-01-05", EntryKind::Assessment, "chaos", "b", 4), at);
    tx->append(new_entry("a", "2026-01-06", EntryKind::Signal, "gone", "s"), at);
    tx->append(new_entry("c", "2026-09-01", EntryKind::Assessment, "well", "x", 1), at);
    tx->commit();
  }
  AssessOptions options;
  options.as_of = day("2026-06-30");
  auto all = assess_store(store, frameworks, options);
  REQUIRE(all.assessments.size() == 4);     // "c" has nothing by D
  CHECK(all.assessments[0].person == "B");  // code point order: upper case first
  CHECK(all.assessments[1].person == "a");
  CHECK(all.assessments[1].framework == "chaos");
  CHECK(all.assessments[1].baseline->score == 7);
  CHECK(all.assessments[2].person == "b");
  CHECK(all.assessments[2].framework == "chaos");
  CHECK(all.assessments[3].framework == "well");
  CHECK(all.unknown_frameworks == std::vector<std::string>{"gone"});
  CHECK(all.entries_read == 9);

  options.active_only = true;
  auto active = assess_store(store, frameworks, options);
  REQUIRE(active.assessments.size() == 2);
  CHECK(active.assessments[0].person == "b");

  options.active_only = false;
  options.frameworks = {"well"};
  options.people = std::vector<std::string>{"b", "c"};
  auto some = assess_store(store, frameworks, options);
  REQUIRE(some.assessments.size() == 1);
  CHECK(some.assessments[0].person == "b");
  CHECK(some.assessments[0].framework == "well");
}

TEST_CASE("for_each_timeline: every person once, in order, across many batches; errors reach the caller") {
  TempDir dir;
  std::vector<Framework> frameworks = {framework_from(kLowerYaml)};
  std::unique_ptr<JourneyStore> owned_store = create_store(dir.path / "outcomes.db");
  JourneyStore& store = *owned_store;
  // Enough entries for several of the batches passed between the two threads, and one
  // person with more entries than a batch holds.
  std::vector<std::string> people;
  std::size_t entries_written = 0;
  {
    auto tx = store.begin(true);
    std::vector<NewEntry> entries;
    for (int p = 0; p < 1000; ++p) {
      const std::string person = fmt::format("P{:03}", p);
      people.push_back(person);
      const int occasions = p == 123 ? 3000 : 1 + p % 12;
      entries.push_back(new_entry(person, "2025-01-01", EntryKind::Enrol));
      for (int o = 0; o < occasions; ++o) {
        entries.push_back(new_entry(person, fmt::format("2025-{:02}-01", 2 + o % 10).c_str(),
                                    EntryKind::Assessment, "chaos", "a", o % 11));
        entries.push_back(new_entry(person, fmt::format("2025-{:02}-01", 2 + o % 10).c_str(),
                                    EntryKind::Assessment, "chaos", "b", (o + p) % 11));
      }
    }
    std::vector<const NewEntry*> rows;
    for (const auto& e : entries) rows.push_back(&e);
    tx->append_all(rows, "2026-01-01T00:00:00Z");
    tx->commit();
    entries_written = entries.size();
  }
  AssessOptions options;
  options.as_of = day("2026-06-30");
  std::vector<std::string> seen;
  auto result = for_each_timeline(store, frameworks, options,
                                  [&](const Timeline& t) { seen.push_back(t.person); });
  CHECK(seen == people);
  CHECK(result.entries_read == entries_written);
  CHECK(result.entries_read > 4 * 4096);
  // Each person's scores are those assess_person gives from their own entries.
  const auto all = assess_store(store, frameworks, options);
  REQUIRE(all.assessments.size() == people.size());
  EntryQuery one;
  one.people = std::vector<std::string>{"P123"};
  const Assessment alone = assess_person(frameworks[0], store.entries(one), options.as_of);
  CHECK(all.assessments[123].person == "P123");
  CHECK(all.assessments[123].latest->score == alone.latest->score);
  CHECK(all.assessments[123].occasions == alone.occasions);

  seen.clear();
  auto failing = [&] {
    for_each_timeline(store, frameworks, options, [&](const Timeline& t) {
      seen.push_back(t.person);
      if (t.person == "P250") throw InvalidInput("stopped at P250");
    });
  };
  CHECK_THROWS_WITH_AS(failing(), "stopped at P250", InvalidInput);
  CHECK(seen.size() == 251);
}

TEST_CASE("renderers: JSON keys, CSV columns, table with the notice after it") {
  Framework f = shipped("swemwbs");
  std::vector<std::string> items = {"item_1", "item_2", "item_3", "item_6",
                                    "item_7", "item_9", "item_11"};
  Log log;
  log.occasion("2026-01-10", "swemwbs", items, {2, 2, 2, 2, 2, 2, 2});
  log.occasion("2026-05-10", "swemwbs", items, {3, 3, 3, 3, 3, 3, 3});
  auto a = assess_person(f, log.ordered(), day("2026-06-01"));
  std::vector<const Framework*> fws = {&f};

  std::ostringstream json;
  render_assessments_json({a}, fws, json);
  auto parsed = nlohmann::json::parse(json.str());
  REQUIRE(parsed.is_array());
  for (const char* key : {"person",
                          "framework",
                          "as_of",
                          "baseline",
                          "latest",
                          "change",
                          "rci",
                          "reliable_change",
                          "clinical_significance",
                          "occasions",
                          "incomplete_occasions",
                          "direction_changes",
                          "setbacks",
                          "best",
                          "worst",
                          "items",
                          "bands",
                          "statuses",
                          "milestones",
                          "goals",
                          "signals",
                          "engagement"})
    CHECK_MESSAGE(parsed[0].contains(key), key);
  CHECK(parsed[0]["baseline"]["date"] == "2026-01-10");
  CHECK(parsed[0]["baseline"]["score"].get<double>() == doctest::Approx(15.32));
  CHECK(parsed[0]["goals"]["t_score"].is_null());
  CHECK(json.str().find("©") == std::string::npos);

  std::ostringstream jsonl;
  render_assessments_jsonl({a, a}, fws, jsonl);
  std::string text = jsonl.str();
  CHECK(std::count(text.begin(), text.end(), '\n') == 2);
  CHECK(text.rfind("{\"person\":\"P001\",\"framework\":\"swemwbs\",\"as_of\":\"2026-06-01\"", 0) ==
        0);

  std::ostringstream csv;
  render_assessments_csv({a}, fws, csv);
  std::string c = csv.str();
  CHECK(c.rfind("person,framework,as_of,baseline_date,baseline_score,", 0) == 0);
  CHECK(c.find("item:item_1:baseline,item:item_1:latest,item:item_1:change") != std::string::npos);
  CHECK(c.find("P001,swemwbs,2026-06-01,2026-01-10,15.32,2026-05-10,19.25,3.93,2.7,improved,") !=
        std::string::npos);
  CHECK(c.find("©") == std::string::npos);

  std::ostringstream table;
  render_assessments_table({a}, fws, table);
  std::string t = table.str();
  CHECK(t.rfind("swemwbs: Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS)\nPERSON", 0) ==
        0);
  CHECK(t.find("+3.93") != std::string::npos);
  CHECK(t.find("15.32 2026-01-10") != std::string::npos);
  // The copyright notice comes last, once.
  auto notice = t.find(f.notice);
  REQUIRE(notice != std::string::npos);
  CHECK(notice + f.notice.size() + 1 == t.size());
}

TEST_CASE("the JSON renderers write exactly what nlohmann::json would, escapes included") {
  Framework f = shipped("goals");
  Log log;
  log.add("2026-01-01", EntryKind::Enrol);
  log.add("2026-01-02", EntryKind::Goal, "goals", "key \"quoted\"\\\t\x01 é", std::nullopt, "set");
  log.add("2026-02-01", EntryKind::Contact, "", "", std::nullopt, "attended");
  auto a = assess_person(f, log.ordered(), day("2026-03-01"));
  a.person = "P\n001";
  std::vector<const Framework*> fws = {&f};
  std::ostringstream pretty, lines;
  render_assessments_json({a, a}, fws, pretty);
  render_assessments_jsonl({a}, fws, lines);
  auto reparsed = nlohmann::ordered_json::parse(pretty.str());
  CHECK(pretty.str() == reparsed.dump(2) + "\n");
  CHECK(lines.str() == reparsed[0].dump() + "\n");
  CHECK(reparsed[0]["person"] == "P\n001");
  CHECK(reparsed[0]["goals"]["goals"][0]["goal"] == "key \"quoted\"\\\t\x01 é");
  CHECK(reparsed[0]["goals"]["t_score"].get<double>() == doctest::Approx(40.0));  // 50 + 10·(−1)/1
  std::ostringstream empty;
  render_assessments_json({}, fws, empty);
  CHECK(empty.str() == "[]\n");
}
