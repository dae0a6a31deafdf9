// Unit tests of lib/timeline: each domain rule once, with a hand-worked case.
#include <doctest/doctest.h>

#include "assess.h"
#include "test_support.h"
#include "timeline.h"

using namespace outcomes;
using outcomes::testing::day;
using outcomes::testing::framework_from;
using outcomes::testing::Log;
using outcomes::testing::shipped;

namespace {

// Three items 0..4 summed, prorated with one missing, a conversion table that lacks raw 6,
// and two bands with a gap between 5 and 7 (scores 0-12 are whole before conversion).
const char* kScaleYaml = R"(
id: scale
name: Scale
version: "1"
source: test
licence: test
scoring:
  total: sum
  direction: higher_is_better
  missing: prorate
  prorate_max_missing: 1
  sem: 2
  minimum_change: 3
domains:
  - id: d
    name: D
    measures:
      - {id: a, name: A, type: scale, nature: soft, min: 0, max: 4}
      - {id: b, name: B, type: scale, nature: soft, min: 0, max: 4}
      - {id: c, name: C, type: scale, nature: soft, min: 0, max: 4}
)";

MilestoneRun run(const char* start, const char* end = nullptr) {
  MilestoneRun r;
  r.start = day(start);
  if (end) r.end = day(end);
  return r;
}

}  // namespace

TEST_CASE("episodes: an enrol opens one, an exit dated D closes it at D, the rest is refused") {
  EpisodeRule rule;
  CHECK(rule.exit(day("2026-01-01")) == EpisodeStep::ExitWithoutEpisode);
  CHECK(rule.enrol(day("2026-01-05")) == EpisodeStep::Opened);
  CHECK(rule.enrol(day("2026-01-06")) == EpisodeStep::EnrolWhileOpen);
  CHECK(rule.open());
  CHECK(rule.opened_on() == day("2026-01-05"));
  CHECK(rule.exit(day("2026-02-01")) == EpisodeStep::Closed);
  CHECK_FALSE(rule.open());
  CHECK(*rule.last_closed() == day("2026-02-01"));

  // The same rule read into a timeline: the refused entries leave no trace.
  Log log;
  log.add("2026-01-01", EntryKind::Exit);
  log.add("2026-01-05", EntryKind::Enrol);
  log.add("2026-01-06", EntryKind::Enrol);
  log.add("2026-02-01", EntryKind::Exit, "", "", std::nullopt, "disengaged");
  log.add("2026-03-01", EntryKind::Enrol);
  PreparedFrameworks none(std::vector<const Framework*>{});
  // A timeline points into the entries it was built from: keep them alive.
  const auto entries = log.ordered();
  Timeline t = build_timeline(entries, none, day("2026-06-30"));
  REQUIRE(t.episodes.size() == 2);
  CHECK(t.episodes[0].start == day("2026-01-05"));
  CHECK(*t.episodes[0].end == day("2026-02-01"));
  CHECK(t.episodes[0].exit->status == "disengaged");
  CHECK(t.episodes[1].start == day("2026-03-01"));
  CHECK_FALSE(t.episodes[1].end);
  CHECK(t.in_open_episode());
  // As of the exit's date the person is no longer in an episode.
  Timeline at_exit = build_timeline(entries, none, day("2026-02-01"));
  CHECK_FALSE(at_exit.in_open_episode());
}

TEST_CASE("occasion scores: the sum, prorating, and conversion only through the table") {
  Framework f = framework_from(kScaleYaml);
  PreparedFramework p(f);
  // 1 + 2 + 3 = 6.
  auto whole = p.score({1, 2, 3});
  CHECK(whole.complete);
  CHECK(*whole.score == 6);
  // One missing item is prorated: (1 + 3) · 3/2 = 6.
  auto prorated = p.score({1, std::nullopt, 3});
  CHECK(prorated.complete);
  CHECK(*prorated.score == 6);
  // Two missing is more than the rule allows: no score, incomplete.
  auto sparse = p.score({1, std::nullopt, std::nullopt});
  CHECK_FALSE(sparse.complete);
  CHECK_FALSE(sparse.score);

  // With a conversion table, a raw total the table lacks has no score (never the raw total).
  f.scoring.conversion = {{5, 50.0}, {7, 70.0}};
  PreparedFramework converted(f);
  CHECK(*converted.score({1, 1, 3}).score == 50);
  auto missing_row = converted.score({1, 2, 3});
  CHECK_FALSE(missing_row.score);
  CHECK_FALSE(missing_row.complete);
}

TEST_CASE("bands: a score in a gap between two bands has no band") {
  Framework f = framework_from(kScaleYaml);
  f.scoring.bands = {{"low", "Low", 0, 5}, {"high", "High", 7, 12}};
  PreparedFrameworks prepared(std::vector<const Framework*>{&f});
  Log log;
  log.occasion("2026-01-01", "scale", {"a", "b", "c"}, {1, 2, 2});  // 5: low
  log.occasion("2026-02-01", "scale", {"a", "b", "c"}, {2, 2, 2});  // 6: in the gap
  log.occasion("2026-03-01", "scale", {"a", "b", "c"}, {3, 2, 2});  // 7: high
  const auto entries = log.ordered();
  Timeline t = build_timeline(entries, prepared, day("2026-06-30"));
  const auto& occasions = t.find("scale")->occasions;
  REQUIRE(occasions.size() == 3);
  CHECK(occasions[0].band->id == "low");
  CHECK(occasions[1].band == nullptr);
  CHECK(occasions[2].band->id == "high");
  // The assessment reads the same rule: the baseline's band, and none for a gap.
  auto a = assess_person(f, log.ordered(), day("2026-02-15"));
  CHECK(*a.baseline_band == "low");
  CHECK_FALSE(a.latest_band);
}

TEST_CASE("milestones: sustained once start + sustain is reached; an end on that day counts") {
  Duration six_months{6, Duration::Unit::Months};
  MilestoneRun ended_on_day = run("2026-01-15", "2026-07-15");
  evaluate_run(ended_on_day, six_months, day("2026-12-31"));
  CHECK(ended_on_day.sustained);
  CHECK(*ended_on_day.sustained_on == day("2026-07-15"));

  MilestoneRun ended_early = run("2026-01-15", "2026-07-14");
  evaluate_run(ended_early, six_months, day("2026-12-31"));
  CHECK_FALSE(ended_early.sustained);
  CHECK_FALSE(ended_early.due);

  MilestoneRun running = run("2026-03-01");
  evaluate_run(running, six_months, day("2026-08-31"));
  CHECK_FALSE(running.sustained);
  CHECK(*running.due == day("2026-09-01"));
  CHECK(milestone_state({ended_early, running}) == MilestoneState::InProgress);
  evaluate_run(running, six_months, day("2026-09-01"));
  CHECK(running.sustained);
  CHECK(milestone_state({ended_early, running}) == MilestoneState::Achieved);
  CHECK(milestone_state({ended_early}) == MilestoneState::Ended);

  // Without a sustain period a run is achieved when it starts.
  MilestoneRun instant = run("2026-03-01");
  evaluate_run(instant, std::nullopt, day("2026-03-01"));
  CHECK(instant.sustained);
}

TEST_CASE("statuses from needs: all met is achieved, open ones partial in an episode") {
  Framework f = shipped("supporting-people");
  const Measure* measure = nullptr;
  for (const auto& m : f.measures)
    if (m.type == MeasureType::Status) {
      measure = &m;
      break;
    }
  REQUIRE(measure);
  PreparedFrameworks prepared(std::vector<const Framework*>{&f});
  Log log;
  log.add("2026-01-01", EntryKind::Enrol);
  log.add("2026-01-02", EntryKind::Need, f.id, measure->id, std::nullopt, "open", " rent arrears ");
  log.add("2026-01-02", EntryKind::Need, f.id, measure->id, std::nullopt, "open", "benefits");
  log.add("2026-02-01", EntryKind::Need, f.id, measure->id, std::nullopt, "met", "rent arrears");
  auto status_on = [&](const char* date) {
    const auto entries = log.ordered();
    Timeline t = build_timeline(entries, prepared, day(date));
    return t.find(f.id)->statuses.front();
  };
  // Need texts match after trimming; one of two met, still in support: partial.
  auto partial = status_on("2026-02-15");
  REQUIRE(partial.needs.size() == 2);
  CHECK(partial.needs[0].text == "rent arrears");
  CHECK(*partial.needs[0].met == day("2026-02-01"));
  CHECK(partial.current == f.status_for(StatusMeaning::Partial));
  log.add("2026-03-01", EntryKind::Need, f.id, measure->id, std::nullopt, "met", "benefits");
  CHECK(status_on("2026-03-15").current == f.status_for(StatusMeaning::Achieved));
  // A status recorded on or after the last need entry wins.
  log.add("2026-03-01", EntryKind::Status, f.id, measure->id, std::nullopt,
          f.status_for(StatusMeaning::NotAchieved));
  CHECK(status_on("2026-03-15").current == f.status_for(StatusMeaning::NotAchieved));
}

TEST_CASE("reliable change from the SEM when there is no reference SD") {
  // WEMWBS: SEM 3.1 → S_diff = √2 · 3.1 = 4.384; 1.96 · S_diff = 8.59 points.
  Framework f = shipped("wemwbs");
  REQUIRE_FALSE(f.scoring.reference_sd);
  CHECK(*reliable_change_sdiff(f.scoring) == doctest::Approx(4.3841).epsilon(0.0001));
  std::vector<std::string> items;
  for (const auto* m : f.items()) items.push_back(m->id);
  auto assess_change = [&](int from, int to) {
    Log log;
    std::vector<int> before(items.size(), 3), after(items.size(), 3);
    for (int i = 0; i < from; ++i) before[static_cast<std::size_t>(i)] = 2;
    for (int i = 0; i < to; ++i) after[static_cast<std::size_t>(i)] = 4;
    log.occasion("2026-01-01", "wemwbs", items, before);
    log.occasion("2026-06-01", "wemwbs", items, after);
    return assess_person(f, log.ordered(), day("2026-06-30"));
  };
  // +9 (from 4 items up by one and 5 more): RC = 9 / 4.384 = 2.05 → improved.
  auto nine = assess_change(4, 5);
  CHECK(*nine.change == 9);
  CHECK(*nine.rci == doctest::Approx(2.0529).epsilon(0.001));
  CHECK(nine.reliable_change == ReliableChange::Improved);
  // +8: RC = 1.82 → no reliable change.
  auto eight = assess_change(4, 4);
  CHECK(eight.reliable_change == ReliableChange::NoReliableChange);
  // WEMWBS gives no minimum meaningful change.
  CHECK_FALSE(eight.meaningful_change);
}

TEST_CASE("meaningful change compares the improvement with minimum_change") {
  Framework f = framework_from(kScaleYaml);  // minimum_change 3, higher is better
  auto change = [&](std::vector<int> before, std::vector<int> after) {
    Log log;
    log.occasion("2026-01-01", "scale", {"a", "b", "c"}, before);
    log.occasion("2026-06-01", "scale", {"a", "b", "c"}, after);
    return assess_person(f, log.ordered(), day("2026-06-30"));
  };
  CHECK(change({1, 1, 1}, {2, 2, 2}).meaningful_change == true);    // +3: exactly enough
  CHECK(change({1, 1, 1}, {2, 2, 1}).meaningful_change == false);   // +2
  CHECK(change({3, 3, 3}, {1, 1, 1}).meaningful_change == false);   // −6 is no improvement
  Log one;
  one.occasion("2026-01-01", "scale", {"a", "b", "c"}, {1, 1, 1});
  CHECK_FALSE(assess_person(f, one.ordered(), day("2026-06-30")).meaningful_change);
}

TEST_CASE("the last occasion is the last of any completeness") {
  Framework f = shipped("journey-template");
  PreparedFrameworks prepared(std::vector<const Framework*>{&f});
  std::vector<std::string> all;
  for (const auto* m : f.items()) all.push_back(m->id);
  Log log;
  log.occasion("2026-01-01", f.id, all, std::vector<int>(all.size(), 5));
  log.add("2026-05-01", EntryKind::Assessment, f.id, all.front(), 6);  // one item only
  const auto entries = log.ordered();
  Timeline t = build_timeline(entries, prepared, day("2026-06-30"));
  const auto& occasions = t.find(f.id)->occasions;
  REQUIRE(occasions.size() == 2);
  CHECK(occasions[0].complete);
  CHECK_FALSE(occasions[1].complete);
  CHECK(*t.last_occasion() == day("2026-05-01"));
}

TEST_CASE("goals: a review applies to the latest goal of its key; attainment summarises those") {
  Framework f = shipped("goals");
  PreparedFrameworks prepared(std::vector<const Framework*>{&f});
  Log log;
  log.add("2026-01-01", EntryKind::Goal, f.id, "home", -1, "set", "A place of my own");
  log.add("2026-02-01", EntryKind::Goal, f.id, "home", 0, "close");
  log.add("2026-03-01", EntryKind::Goal, f.id, "home", -2, "set", "Keep the flat");
  log.add("2026-04-01", EntryKind::Goal, f.id, "home", 1, "review");
  const auto entries = log.ordered();
  Timeline t = build_timeline(entries, prepared, day("2026-06-30"));
  const auto& ft = *t.find(f.id);
  REQUIRE(ft.goals.size() == 2);
  CHECK_FALSE(ft.goals[0].open);
  CHECK(ft.goals[0].attainment == 0);
  CHECK(ft.goals[1].baseline == -2);
  CHECK(ft.goals[1].attainment == 1);
  auto current = ft.current_goals();
  REQUIRE(current.size() == 1);
  CHECK(current.front()->set->text == "Keep the flat");
}
