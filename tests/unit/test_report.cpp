// Unit tests of lib/report: the report rules, with hand-worked values.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "error.h"
#include "report.h"
#include "test_support.h"

using namespace outcomes;

using outcomes::testing::day;
using outcomes::testing::framework_from;

namespace {

// Two status outcomes (default status set), one soft and one hard.
const char* kStatusYaml = R"(
id: sp
name: Status outcomes
version: "1"
source: test
licence: test
domains:
  - id: d
    name: D
    measures:
      - {id: safe, name: Feeling safe, type: status, nature: soft}
      - {id: money, name: Managing money, type: status, nature: hard}
)";

// Two items 1..5 summed, higher is better; SD 2, r 0.8 → S_diff = 2·√2·√0.2 ≈ 1.2649, so a
// change of 3 is reliable (RC 2.37) and 2 is not (1.58). Occasions closer than 4 weeks do not
// count.
const char* kScaleYaml = R"(
id: wb
name: Wellbeing
version: "2"
source: test
licence: test
notice: "Scale (c) its owners"
scoring:
  total: sum
  direction: higher_is_better
  reliability: {value: 0.8, kind: test_retest, source: test}
  reference_sd: 2
  minimum_interval: 4 weeks
domains:
  - id: d
    name: D
    measures:
      - {id: a, name: Item A, type: scale, nature: soft, min: 1, max: 5}
      - {id: b, name: Item B, type: scale, nature: soft, min: 1, max: 5}
)";

// A total without reliability: change is reported as not_computable. Lower is better.
const char* kChaosYaml = R"(
id: chaos
name: Chaos
version: "1"
source: test
licence: test
scoring:
  total: sum
  direction: lower_is_better
domains:
  - id: d
    name: D
    measures:
      - {id: x, name: X, type: scale, nature: hard, min: 0, max: 20}
)";

// No total: items stand alone; milestones, a signal and goals.
const char* kRelationalYaml = R"(
id: rel
name: Relational
version: "1"
source: test
licence: test
scoring:
  total: none
  direction: higher_is_better
  minimum_interval: 4 weeks
goal_scale: {min: -2, max: 2, baseline: -1, rho: 0.3}
domains:
  - id: d
    name: D
    measures:
      - {id: trust, name: Trust, type: scale, nature: soft, min: 1, max: 5}
      - {id: tenancy, name: Tenancy sustained, type: milestone, nature: hard, sustain: 6 months}
      - {id: work, name: Paid work, type: milestone, nature: hard}
      - {id: phoned, name: Phoned the worker, type: signal, nature: soft}
      - {id: goal, name: Goal, type: goal, nature: soft}
)";

// Journeys built entry by entry, in recording order, as the store hands them over.
struct Journeys {
  std::map<std::string, std::vector<Entry>> people;
  int64_t next = 1;

  Entry& add(const std::string& person, const char* date, EntryKind kind,
             const std::string& framework = "", const std::string& measure = "",
             std::optional<int> value = std::nullopt, const std::string& status = "",
             const std::string& text = "") {
    Entry e;
    e.person = person;
    e.date = day(date);
    e.kind = kind;
    e.framework = framework;
    e.measure = measure;
    e.value = value;
    e.status = status;
    e.text = text;
    e.id = e.seq = next++;
    e.recorded_at = std::string(date) + "T09:00:00Z";
    auto& list = people[person];
    list.push_back(e);
    return list.back();
  }
  void enrol(const std::string& p, const char* date) { add(p, date, EntryKind::Enrol); }
  void exit(const std::string& p, const char* date) {
    add(p, date, EntryKind::Exit, "", "", std::nullopt, "disengaged");
  }
  void occasion(const std::string& p, const char* date, int a, int b) {
    add(p, date, EntryKind::Assessment, "wb", "a", a);
    add(p, date, EntryKind::Assessment, "wb", "b", b);
  }
  std::vector<PersonJourney> list() const {
    std::vector<PersonJourney> out;
    for (const auto& [person, entries] : people) {
      auto sorted = entries;
      std::stable_sort(sorted.begin(), sorted.end(), [](const Entry& x, const Entry& y) {
        return x.date != y.date ? x.date < y.date : x.seq < y.seq;
      });
      out.push_back({person, sorted});
    }
    return out;
  }
};

struct Fixture {
  std::vector<Framework> frameworks;
  Settings settings;
  ReportOptions options;
  Fixture() {
    for (const char* y : {kChaosYaml, kRelationalYaml, kStatusYaml, kScaleYaml})
      frameworks.push_back(framework_from(y));
    std::sort(frameworks.begin(), frameworks.end(),
              [](const Framework& a, const Framework& b) { return a.id < b.id; });
    settings.service_name = "Test service";
    settings.attributes = {{"gender", "Gender", {"woman", "man"}}};
    options.from = day("2026-10-01");
    options.to = day("2026-10-31");
    options.suppress = false;
  }
  Report run(const Journeys& j) const {
    return compute_report(j.list(), frameworks, settings, options);
  }
};

const FrameworkFigures& fw(const Report& r, const std::string& id) {
  for (const auto& f : r.frameworks)
    if (f.id == id) return f;
  FAIL("framework not in report: " << id);
  return r.frameworks.front();
}

int64_t status_count(const StatusFigures& s, const std::string& status) {
  for (const auto& c : s.counts)
    if (c.status == status) return c.count.n;
  FAIL("no status " << status);
  return -1;
}

}  // namespace

TEST_CASE("month_period and quarter_period give inclusive calendar periods") {
  auto feb = month_period("2026-02");
  REQUIRE(feb);
  CHECK(format_date(feb->first) == "2026-02-01");
  CHECK(format_date(feb->second) == "2026-02-28");
  CHECK(format_date(month_period("2024-02")->second) == "2024-02-29");
  CHECK(format_date(month_period("2026-12")->second) == "2026-12-31");
  auto q4 = quarter_period("2026-Q4");
  REQUIRE(q4);
  CHECK(format_date(q4->first) == "2026-10-01");
  CHECK(format_date(q4->second) == "2026-12-31");
  CHECK(format_date(quarter_period("2026-Q1")->second) == "2026-03-31");
  CHECK_FALSE(month_period("2026-13"));
  CHECK_FALSE(month_period("2026-1"));
  CHECK_FALSE(month_period("202610"));
  CHECK_FALSE(quarter_period("2026-Q5"));
  CHECK_FALSE(quarter_period("2026-4"));
}

TEST_CASE("caseload counts people at each edge of the period") {
  Fixture fx;
  Journeys j;
  j.enrol("A", "2026-10-31");  // enrol on the last day: active and new
  j.enrol("B", "2026-01-10");  // exit on the first day: active and exited
  j.exit("B", "2026-10-01");
  j.enrol("C", "2026-03-01");  // exit and re-engage in the same month
  j.exit("C", "2026-10-05");
  j.enrol("C", "2026-10-20");
  j.enrol("D", "2026-02-01");  // exited the day before: not active
  j.exit("D", "2026-09-30");
  j.enrol("E", "2026-10-03");  // first enrolment, exit and re-enrolment all in the period
  j.exit("E", "2026-10-10");
  j.enrol("E", "2026-10-25");
  j.enrol("F", "2026-11-01");  // after the period
  j.enrol("G", "2025-05-01");  // exit and re-enrol before the period
  j.exit("G", "2025-12-01");
  j.enrol("G", "2026-09-15");
  j.enrol("H", "2026-10-01");  // enrol and exit on the same day
  j.exit("H", "2026-10-01");
  Report r = fx.run(j);
  CHECK(r.caseload.active.n == 6);         // A B C E G H
  CHECK(r.caseload.new_.n == 3);           // A E H
  CHECK(r.caseload.reengaged.n == 2);      // C E (E is both new and re-engaged)
  CHECK(r.caseload.exited.n == 4);         // B C E H
  CHECK(r.caseload.open_at_start.n == 3);  // B C G
  CHECK(r.caseload.open_at_end.n == 4);    // A C E G
  CHECK_FALSE(r.suppressed);
}

TEST_CASE("engagement counts contacts dated in the period, each status once") {
  Fixture fx;
  Journeys j;
  j.enrol("X", "2026-01-01");
  for (const char* s : {"attended", "attended", "missed", "self_initiated", "outreach"})
    j.add("X", "2026-10-10", EntryKind::Contact, "", "", std::nullopt, s);
  j.add("X", "2026-09-30", EntryKind::Contact, "", "", std::nullopt, "attended");
  j.add("X", "2026-11-01", EntryKind::Contact, "", "", std::nullopt, "attended");
  // A contact of someone not enrolled (outreach before enrolment) still counts.
  j.add("Y", "2026-10-31", EntryKind::Contact, "", "", std::nullopt, "missed");
  Report r = fx.run(j);
  CHECK(r.engagement.contacts.n == 6);
  CHECK(r.engagement.attended.n == 2);
  CHECK(r.engagement.missed.n == 2);
  CHECK(r.engagement.self_initiated.n == 1);
  CHECK(r.engagement.outreach.n == 1);
  CHECK(r.engagement.people_contacted.n == 2);
}

TEST_CASE("status counts cover every active person and percent_achieved leaves out not relevant") {
  Fixture fx;
  Journeys j;
  for (const char* p : {"P1", "P2", "P3", "P4", "P5", "P6", "P7"}) j.enrol(p, "2026-01-01");
  j.add("P1", "2026-10-01", EntryKind::Need, "sp", "safe", std::nullopt, "open", "hostel");
  j.add("P1", "2026-10-05", EntryKind::Status, "sp", "safe", std::nullopt, "achieved");
  j.add("P2", "2026-06-01", EntryKind::Status, "sp", "safe", std::nullopt, "achieved");
  j.add("P3", "2026-06-01", EntryKind::Status, "sp", "safe", std::nullopt, "partial");
  j.add("P4", "2026-06-01", EntryKind::Status, "sp", "safe", std::nullopt, "not_relevant");
  j.add("P5", "2026-06-01", EntryKind::Need, "sp", "safe", std::nullopt, "open", "debt");
  j.add("P6", "2026-06-01", EntryKind::Need, "sp", "safe", std::nullopt, "open", "debt");
  j.add("P6", "2026-10-20", EntryKind::Need, "sp", "safe", std::nullopt, "met", "debt");
  // P7 has nothing recorded in this framework. P8 is not active.
  j.enrol("P8", "2026-01-01");
  j.add("P8", "2026-02-01", EntryKind::Status, "sp", "safe", std::nullopt, "achieved");
  j.exit("P8", "2026-03-01");
  // A status after `to` is ignored.
  j.add("P3", "2026-11-02", EntryKind::Status, "sp", "safe", std::nullopt, "achieved");
  Report r = fx.run(j);
  REQUIRE(r.caseload.active.n == 7);
  const auto& f = fw(r, "sp");
  CHECK(f.people.n == 6);
  REQUIRE(f.measures.size() == 2);
  const auto& safe = f.measures[0];
  CHECK(safe.id == "safe");
  CHECK(status_count(safe, "achieved") == 3);  // P1 P2 P6
  CHECK(status_count(safe, "partial") == 2);   // P3, P5 (open need, open episode)
  CHECK(status_count(safe, "not_achieved") == 0);
  CHECK(status_count(safe, "not_relevant") == 1);
  CHECK(status_count(safe, "not_assessed") == 1);  // P7
  int64_t sum = 0;
  for (const auto& c : safe.counts) sum += c.count.n;
  CHECK(sum == r.caseload.active.n);
  REQUIRE(safe.percent_achieved);
  CHECK(*safe.percent_achieved == doctest::Approx(60.0));  // 3 / (3 + 2 + 0)
  CHECK(safe.counts.back().status == "not_assessed");
  const auto& money = f.measures[1];
  CHECK(status_count(money, "not_assessed") == 7);
  CHECK_FALSE(money.percent_achieved);  // denominator 0 → null
}

TEST_CASE("change counts people by reliable-change category and means their change") {
  Fixture fx;
  Journeys j;
  for (const char* p : {"S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8"}) j.enrol(p, "2026-01-01");
  j.occasion("S1", "2026-01-05", 2, 2);  // 4 → 7: +3 improved
  j.occasion("S1", "2026-06-01", 4, 3);
  j.occasion("S2", "2026-01-05", 2, 2);  // 4 → 6: +2 no reliable change
  j.occasion("S2", "2026-06-01", 3, 3);
  j.occasion("S3", "2026-01-05", 4, 4);  // 8 → 5: −3 deteriorated
  j.occasion("S3", "2026-06-01", 3, 2);
  j.occasion("S4", "2026-06-01", 3, 3);  // one occasion: insufficient data
  j.occasion("S5", "2026-10-01", 1, 1);  // two weeks apart: insufficient data
  j.occasion("S5", "2026-10-15", 5, 5);
  j.add("S6", "2026-10-02", EntryKind::Assessment, "wb", "a", 3);  // incomplete only
  j.occasion("S7", "2026-01-05", 2, 2);  // 4 → 3 → 8: a dip, then +4 improved: non-linear
  j.occasion("S7", "2026-03-05", 2, 1);
  j.occasion("S7", "2026-06-05", 4, 4);
  // S8: a total without reliability: 12 → 7 (lower is better) is not computable.
  j.add("S8", "2026-01-05", EntryKind::Assessment, "chaos", "x", 12);
  j.add("S8", "2026-06-05", EntryKind::Assessment, "chaos", "x", 7);
  Report r = fx.run(j);
  const auto& f = fw(r, "wb");
  REQUIRE(f.change);
  const auto& c = *f.change;
  CHECK(c.people.n == 4);  // S1 S2 S3 S7
  REQUIRE(c.mean_change);
  CHECK(*c.mean_change == doctest::Approx((3.0 + 2 - 3 + 4) / 4));  // 1.5
  CHECK(c.improved.n == 2);
  CHECK(c.no_reliable_change.n == 1);
  CHECK(c.deteriorated.n == 1);
  CHECK(c.insufficient_data.n == 2);  // S4 S5; S6 has no complete occasion
  CHECK(c.not_computable.n == 0);
  CHECK(f.non_linear_journeys.n == 1);  // S7
  REQUIRE(f.items.size() == 2);
  CHECK(f.items[0].id == "a");
  CHECK(f.items[0].people.n == 4);
  CHECK(*f.items[0].mean_change == doctest::Approx((2.0 + 1 - 1 + 2) / 4));  // 1.0
  CHECK(*f.items[1].mean_change == doctest::Approx((1.0 + 1 - 2 + 2) / 4));  // 0.5
  REQUIRE(f.reliable_change_threshold);
  CHECK(*f.reliable_change_threshold ==
        doctest::Approx(1.96 * 2 * std::sqrt(2.0) * std::sqrt(0.2)));
  CHECK(f.changes == std::vector<double>{-3, 2, 3, 4});
  REQUIRE(f.journeys.size() == 5);  // people with two or more occasions, most occasions first
  CHECK(f.journeys[0].person == "S7");
  CHECK(f.journeys[0].points.size() == 3);
  CHECK(f.journeys[0].points[1].score == 3);

  const auto& chaos = fw(r, "chaos");
  REQUIRE(chaos.change);
  CHECK(chaos.change->not_computable.n == 1);
  CHECK(chaos.change->people.n == 1);
  CHECK(*chaos.change->mean_change == doctest::Approx(-5));
  CHECK(chaos.non_linear_journeys.n == 0);
  CHECK(r.data_quality.incomplete_occasions.n == 1);  // S6
}

TEST_CASE("meaningful change is counted beside reliable change; no test is said once in notes") {
  Fixture fx;
  for (auto& f : fx.frameworks)
    if (f.id == "wb") f.scoring.minimum_change = 3;
  Journeys j;
  for (const char* p : {"M1", "M2", "M3", "M4"}) j.enrol(p, "2026-01-01");
  j.occasion("M1", "2026-01-05", 2, 2);  // +3: exactly the minimum
  j.occasion("M1", "2026-06-01", 4, 3);
  j.occasion("M2", "2026-01-05", 2, 2);  // +2: short of it
  j.occasion("M2", "2026-06-01", 3, 3);
  j.occasion("M3", "2026-01-05", 4, 4);  // −3: no improvement
  j.occasion("M3", "2026-06-01", 3, 2);
  j.add("M4", "2026-01-05", EntryKind::Assessment, "chaos", "x", 12);
  j.add("M4", "2026-06-05", EntryKind::Assessment, "chaos", "x", 7);
  Report r = fx.run(j);
  const auto& wb = fw(r, "wb");
  REQUIRE(wb.change->meaningful);
  CHECK(wb.change->meaningful->n == 1);  // M1
  CHECK(*wb.minimum_change == 3);
  // chaos gives no minimum change: nothing to count.
  CHECK_FALSE(fw(r, "chaos").change->meaningful);

  std::ostringstream table;
  render_report_table(r, table);
  const std::string text = table.str();
  CHECK(text.find("Improved by at least the minimum meaningful change (3)") != std::string::npos);
  // chaos has no reliability test: no per-framework row saying so, one note saying why.
  CHECK(text.find("Change without a reliability test") == std::string::npos);
  CHECK(text.find("Chaos: change on the total score is shown without a reliable-change "
                  "category") != std::string::npos);
}

TEST_CASE("frameworks without a total report items, milestones, signals and goals") {
  Fixture fx;
  Journeys j;
  for (const char* p : {"R1", "R2", "R3"}) j.enrol(p, "2026-01-01");
  // R1: trust 2 → 1 → 4 (non-linear, counted: Jan to Oct is long enough)
  j.add("R1", "2026-01-10", EntryKind::Assessment, "rel", "trust", 2);
  j.add("R1", "2026-05-10", EntryKind::Assessment, "rel", "trust", 1);
  j.add("R1", "2026-10-10", EntryKind::Assessment, "rel", "trust", 4);
  // R2: 3 → 4 within two weeks: change not counted (too soon)
  j.add("R2", "2026-10-01", EntryKind::Assessment, "rel", "trust", 3);
  j.add("R2", "2026-10-14", EntryKind::Assessment, "rel", "trust", 4);
  // Milestones as of 2026-10-31: R1 tenancy since 2026-04-01 (7 months: achieved), R2 since
  // 2026-08-01 (in progress), R3 started and ended before six months (ended).
  j.add("R1", "2026-04-01", EntryKind::Milestone, "rel", "tenancy", std::nullopt, "start");
  j.add("R2", "2026-08-01", EntryKind::Milestone, "rel", "tenancy", std::nullopt, "start");
  j.add("R3", "2026-02-01", EntryKind::Milestone, "rel", "tenancy", std::nullopt, "start");
  j.add("R3", "2026-05-01", EntryKind::Milestone, "rel", "tenancy", std::nullopt, "end");
  // Signals: two in the period, one before it.
  j.add("R1", "2026-10-02", EntryKind::Signal, "rel", "phoned");
  j.add("R3", "2026-10-30", EntryKind::Signal, "rel", "phoned");
  j.add("R3", "2026-09-30", EntryKind::Signal, "rel", "phoned");
  // Goals: R1 one goal at +1 → T = 50 + 10·1/√1 = 60; R2 two goals at 0 and −1 →
  // T = 50 + 10·(−1)/√(0.7·2 + 0.3·4) = 50 − 10/√2.6 ≈ 43.798.
  j.add("R1", "2026-03-01", EntryKind::Goal, "rel", "home", -1, "set", "Find a home");
  j.add("R1", "2026-09-01", EntryKind::Goal, "rel", "home", 1, "review");
  j.add("R2", "2026-03-01", EntryKind::Goal, "rel", "cook", -1, "set", "Cook");
  j.add("R2", "2026-09-01", EntryKind::Goal, "rel", "cook", 0, "review");
  j.add("R2", "2026-03-01", EntryKind::Goal, "rel", "walk", -1, "set", "Walk");
  Report r = fx.run(j);
  const auto& f = fw(r, "rel");
  CHECK_FALSE(f.change);
  REQUIRE(f.items.size() == 1);
  CHECK(f.items[0].people.n == 1);
  CHECK(*f.items[0].mean_change == doctest::Approx(2));
  CHECK(f.non_linear_journeys.n == 1);
  REQUIRE(f.milestones.size() == 2);
  CHECK(f.milestones[0].id == "tenancy");
  CHECK(f.milestones[0].achieved.n == 1);
  CHECK(f.milestones[0].in_progress.n == 1);
  CHECK(f.milestones[0].ended.n == 1);
  CHECK(f.milestones[1].achieved.n == 0);
  REQUIRE(f.signals.size() == 1);
  CHECK(f.signals[0].total.n == 2);
  REQUIRE(f.goals);
  CHECK(f.goals->people.n == 2);
  CHECK(*f.goals->mean_t_score == doctest::Approx((60.0 + 50 - 10 / std::sqrt(2.6)) / 2));
  // The soft/hard summary tags every measure.
  int soft = 0, hard = 0;
  for (const auto& row : r.summary)
    if (row.framework == "rel") (row.nature == Nature::Soft ? soft : hard)++;
  CHECK(soft == 3);  // trust, phoned, goals
  CHECK(hard == 2);  // tenancy, work
}

TEST_CASE("frameworks are reported only with data among active people unless asked for") {
  Fixture fx;
  Journeys j;
  j.enrol("A", "2026-01-01");
  j.add("A", "2026-06-01", EntryKind::Status, "sp", "safe", std::nullopt, "partial");
  j.enrol("B", "2025-01-01");
  j.occasion("B", "2025-02-01", 3, 3);  // B is not active: wb has no data among active people
  j.exit("B", "2025-03-01");
  Report r = fx.run(j);
  REQUIRE(r.frameworks.size() == 1);
  CHECK(r.frameworks[0].id == "sp");
  fx.options.frameworks = {"wb"};
  r = fx.run(j);
  REQUIRE(r.frameworks.size() == 1);
  CHECK(r.frameworks[0].id == "wb");
  CHECK(r.frameworks[0].people.n == 0);
  CHECK(r.notices.size() == 1);
}

TEST_CASE("breakdowns use each person's latest attribute value on or before `to`") {
  Fixture fx;
  Journeys j;
  auto attr = [&](const std::string& p, const char* date, const std::string& v) {
    j.add(p, date, EntryKind::Attribute, "", "gender", std::nullopt, v);
  };
  j.enrol("A", "2026-10-02");
  attr("A", "2026-10-02", "woman");
  j.enrol("B", "2026-01-01");
  attr("B", "2026-01-01", "man");
  j.exit("B", "2026-10-15");
  j.enrol("C", "2026-01-01");  // nothing recorded
  j.enrol("D", "2026-01-01");
  attr("D", "2026-01-01", "woman");
  attr("D", "2026-09-01", "man");  // the later value wins
  j.enrol("E", "2026-01-01");
  attr("E", "2026-01-01", "woman");
  attr("E", "2026-11-05", "man");  // after `to`: ignored
  j.enrol("F", "2024-01-01");      // not active: in no cell
  attr("F", "2024-01-01", "woman");
  j.exit("F", "2024-06-01");
  Report r = fx.run(j);
  REQUIRE(r.breakdowns.size() == 1);
  const auto& cells = r.breakdowns[0].cells;
  REQUIRE(cells.size() == 3);
  CHECK(cells[0].value == "woman");
  CHECK(cells[0].active.n == 2);  // A E
  CHECK(cells[0].new_.n == 1);    // A
  CHECK(cells[1].value == "man");
  CHECK(cells[1].active.n == 2);  // B D
  CHECK(cells[1].exited.n == 1);  // B
  CHECK(cells[2].value == "not_recorded");
  CHECK(cells[2].active.n == 1);  // C

  fx.options.where = {{"gender", "woman"}};
  r = fx.run(j);
  CHECK(r.caseload.active.n == 2);
  fx.options.where = {{"gender", "woman"}, {"gender", "not_recorded"}};
  r = fx.run(j);
  CHECK(r.caseload.active.n == 3);
}

TEST_CASE("data quality: missing baselines, overdue reviews, incomplete occasions, late entries") {
  Fixture fx;
  Journeys j;
  for (const char* p : {"Q1", "Q2", "Q3", "Q4"}) j.enrol(p, "2026-01-01");
  // `to` − 90 days = 2026-08-02: an occasion on that day is not overdue, the day before is.
  j.occasion("Q1", "2026-08-02", 3, 3);
  j.occasion("Q2", "2026-08-01", 3, 3);
  j.add("Q3", "2026-10-03", EntryKind::Assessment, "wb", "a", 2);  // incomplete: no baseline
  // Q5: a complete occasion long ago, then a review in September with one item missing. A
  // review that happened is a review: not overdue, though the occasion is incomplete.
  j.enrol("Q5", "2026-01-01");
  j.occasion("Q5", "2026-03-01", 3, 3);
  j.add("Q5", "2026-09-15", EntryKind::Assessment, "wb", "b", 4);
  // Q4 has nothing in a scale framework: no baseline.
  // Late: recorded in October for a September date (Q4), and on time (Q1).
  auto& late = j.add("Q4", "2026-09-20", EntryKind::Contact, "", "", std::nullopt, "attended");
  late.recorded_at = "2026-10-04T10:00:00Z";
  auto& early = j.add("Q1", "2026-09-20", EntryKind::Contact, "", "", std::nullopt, "attended");
  early.recorded_at = "2026-09-21T10:00:00Z";
  Report r = fx.run(j);
  CHECK(r.data_quality.no_baseline.n == 2);     // Q3 Q4
  CHECK(r.data_quality.overdue_review.n == 1);  // Q2, not Q5
  CHECK(r.data_quality.incomplete_occasions.n == 2);  // Q3, Q5
  CHECK(r.data_quality.late_entries.n == 1);
  // Without any scale framework in the report nobody lacks a baseline.
  fx.options.frameworks = {"sp"};
  r = fx.run(j);
  CHECK(r.data_quality.no_baseline.n == 0);
}

TEST_CASE("stories: shareable notes in the period, one per person, a few per report") {
  Fixture fx;
  fx.settings.stories_per_report = 2;
  Journeys j;
  j.enrol("A", "2026-01-01");
  j.add("A", "2026-10-05", EntryKind::Note, "", "", std::nullopt, "shareable", "A first");
  j.add("A", "2026-10-20", EntryKind::Note, "", "", std::nullopt, "shareable", "A later");
  j.add("B", "2026-10-10", EntryKind::Note, "", "", std::nullopt, "private", "B private");
  j.add("C", "2026-09-30", EntryKind::Note, "", "", std::nullopt, "shareable", "C before");
  j.add("D", "2026-10-07", EntryKind::Note, "", "", std::nullopt, "shareable", "D   told\nus");
  j.add("E", "2026-10-01", EntryKind::Note, "", "", std::nullopt, "shareable", "E oldest");
  Report r = fx.run(j);
  REQUIRE(r.stories.size() == 2);  // the most recent per person: A (20th), D (7th)
  CHECK(r.stories[0].person == "D");
  CHECK(r.stories[0].excerpt == "D told us");
  CHECK(r.stories[1].person == "A");
  CHECK(r.stories[1].excerpt == "A later");
  CHECK(format_date(r.stories[1].date) == "2026-10-20");
}

TEST_CASE("story_excerpt cuts long text at a word and never splits a character") {
  CHECK(story_excerpt("short") == "short");
  std::string words;
  for (int i = 0; i < 60; ++i) words += "word ";
  std::string e = story_excerpt(words, 200);
  CHECK(e.size() <= 203);
  CHECK(e.substr(e.size() - 3) == "\u2026");
  CHECK(e.substr(0, e.size() - 3).back() == 'd');  // ends on a whole word
  std::string accents(150, 'x');
  accents +=
      " \u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
      "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9";
  e = story_excerpt(accents, 160);
  CHECK(e == std::string(150, 'x') + "\u2026");
  std::string unbroken(300, 'y');
  e = story_excerpt(unbroken, 200);
  CHECK(e == std::string(200, 'y') + "\u2026");
}

TEST_CASE("suppression hides counts 1..threshold-1 and withholds their means") {
  Fixture fx;
  fx.options.suppress = true;
  Journeys j;
  for (const char* p : {"A", "B", "C"}) j.enrol(p, "2026-10-02");
  j.occasion("A", "2026-01-05", 2, 2);
  j.occasion("A", "2026-06-01", 4, 3);
  Report r = fx.run(j);
  CHECK(r.caseload.active.n == 3);
  CHECK(r.caseload.active.suppressed);
  CHECK(r.caseload.new_.suppressed);
  CHECK_FALSE(r.caseload.exited.suppressed);  // 0 is shown
  const auto& f = fw(r, "wb");
  CHECK(f.change->people.suppressed);
  CHECK_FALSE(f.change->mean_change);
  CHECK(f.changes.empty());
  CHECK_FALSE(f.items[0].mean_change);
  CHECK(r.suppressed);
  std::ostringstream out;
  render_report_json(r, out);
  auto json = nlohmann::json::parse(out.str());
  CHECK(json["caseload"]["active"] == "<5");
  CHECK(json["caseload"]["exited"] == 0);
  CHECK(json["frameworks"][0]["change"]["mean_change"].is_null());
  CHECK(json["suppressed"] == true);

  fx.options.suppress = false;
  r = fx.run(j);
  CHECK_FALSE(r.caseload.active.suppressed);
  CHECK(fw(r, "wb").journeys.size() == 1);
  CHECK(fw(r, "wb").journeys[0].person == "A");
  CHECK_FALSE(r.suppressed);
}

TEST_CASE("with suppression, journey lines show at most half the people, unnamed") {
  Fixture fx;
  fx.options.suppress = true;
  Journeys j;
  for (const char* p : {"A", "B", "C", "D", "E", "F", "G"}) {
    j.enrol(p, "2026-01-01");
    j.occasion(p, "2026-01-05", 2, 2);
    j.occasion(p, "2026-06-01", 3, 3);
  }
  Report r = fx.run(j);
  const auto& f = fw(r, "wb");
  CHECK(f.change->people.n == 7);
  REQUIRE(f.journeys.size() == 3);  // 7 / 2
  CHECK(f.journeys[0].person == "Journey 1");
  CHECK(f.journeys[0].points.size() == 2);
}

namespace {
Report status_row_report(std::vector<int64_t> cells, int64_t active) {
  Report r;
  r.threshold = 5;
  r.caseload.active.n = active;
  FrameworkFigures f;
  f.id = "sp";
  StatusFigures s;
  s.id = "safe";
  const std::vector<std::pair<std::string, std::optional<StatusMeaning>>> ids = {
      {"achieved", StatusMeaning::Achieved},
      {"partial", StatusMeaning::Partial},
      {"not_achieved", StatusMeaning::NotAchieved},
      {"not_relevant", StatusMeaning::NotRelevant},
      {"not_assessed", std::nullopt}};
  for (std::size_t i = 0; i < cells.size(); ++i)
    s.counts.push_back({ids[i].first, Count{cells[i], false}, ids[i].second});
  s.achieved.n = cells[0];
  if (cells[0] + cells[1] + cells[2] > 0)
    s.percent_achieved =
        100.0 * static_cast<double>(cells[0]) / static_cast<double>(cells[0] + cells[1] + cells[2]);
  f.measures.push_back(s);
  r.frameworks.push_back(f);
  return r;
}
std::vector<bool> hidden(const Report& r) {
  std::vector<bool> out;
  for (const auto& c : r.frameworks[0].measures[0].counts) out.push_back(c.count.suppressed);
  return out;
}
}  // namespace

TEST_CASE("secondary suppression protects a single hidden cell of a row with a shown total") {
  // 6 + 2 + 7 + 0 + 0 = 15 shown as active: the 2 alone could be worked out. Hiding the 6
  // would not help (the achieved figure, also 6, gives it back), so the 7 is hidden too;
  // the percentage is withheld.
  Report r = status_row_report({6, 2, 7, 0, 0}, 15);
  suppress_report(r);
  CHECK(hidden(r) == std::vector<bool>{false, true, true, false, false});
  CHECK(r.frameworks[0].measures[0].counts[2].count.secondary);  // shown as "*", not "<5"
  CHECK_FALSE(r.frameworks[0].measures[0].counts[1].count.secondary);
  CHECK_FALSE(r.frameworks[0].measures[0].percent_achieved);
  CHECK_FALSE(r.frameworks[0].measures[0].achieved.suppressed);
  CHECK(r.suppressed);
  {
    std::ostringstream out;
    render_report_json(r, out);
    auto json = nlohmann::json::parse(out.str());
    CHECK(json["frameworks"][0]["measures"][0]["counts"]["achieved"] == 6);
    CHECK(json["frameworks"][0]["measures"][0]["counts"]["partial"] == "<5");
    CHECK(json["frameworks"][0]["measures"][0]["counts"]["not_achieved"] == "*");
  }

  // The achieved figure hides with its achieved count.
  r = status_row_report({3, 6, 7, 0, 0}, 16);
  suppress_report(r);
  CHECK(hidden(r) == std::vector<bool>{true, true, false, false, false});
  CHECK(r.frameworks[0].measures[0].achieved.suppressed);

  // Two hidden cells already protect each other.
  r = status_row_report({6, 2, 7, 3, 0}, 18);
  suppress_report(r);
  CHECK(hidden(r) == std::vector<bool>{false, true, false, true, false});

  // Ties go to the first cell in the row.
  r = status_row_report({0, 1, 7, 7, 0}, 15);
  suppress_report(r);
  CHECK(hidden(r) == std::vector<bool>{false, true, true, false, false});

  // A hidden total needs no protection.
  r = status_row_report({0, 3, 0, 0, 0}, 3);
  suppress_report(r);
  CHECK(hidden(r) == std::vector<bool>{false, true, false, false, false});

  // Nothing small: nothing hidden, the percentage stays.
  r = status_row_report({6, 5, 9, 0, 0}, 20);
  suppress_report(r);
  CHECK(hidden(r) == std::vector<bool>{false, false, false, false, false});
  REQUIRE(r.frameworks[0].measures[0].percent_achieved);
  CHECK(*r.frameworks[0].measures[0].percent_achieved == doctest::Approx(30.0));
  CHECK_FALSE(r.suppressed);

  // A hidden not-relevant count does not withhold the percentage (it is not in it).
  // (Its protector is the not-assessed 5, the next smallest.)
  r = status_row_report({6, 8, 9, 2, 5}, 30);
  suppress_report(r);
  CHECK(hidden(r) == std::vector<bool>{false, false, false, true, true});
  CHECK(r.frameworks[0].measures[0].percent_achieved);
}

TEST_CASE("the soft/hard table shows each percentage's denominator and leaves out the unassessed") {
  Report r = status_row_report({5, 6, 0, 0, 0}, 11);
  StatusFigures none = r.frameworks[0].measures[0];
  none.id = "money";
  none.name = "Managing money";
  for (auto& sc : none.counts) sc.count.n = sc.status == "not_assessed" ? 11 : 0;
  none.achieved.n = 0;
  none.percent_achieved.reset();
  r.frameworks[0].measures.push_back(none);
  suppress_report(r);
  REQUIRE(r.summary.size() == 2);
  CHECK(r.summary[0].denominator == 11);
  CHECK(r.summary[0].assessed);
  CHECK_FALSE(r.summary[1].assessed);
  std::ostringstream out;
  render_report_table(r, out);
  const std::string text = out.str();
  CHECK(text.find("45.5% (5 of 11)") != std::string::npos);
  CHECK(text.find("1 measure with nothing assessed in the period is left out") != std::string::npos);
  // Left out of the soft/hard table only: the framework's own table still lists it.
  CHECK(text.find("Managing money") != std::string::npos);
  CHECK(text.find("Managing money") > text.find("left out"));
  // json keeps every row.
  std::ostringstream json_out;
  render_report_json(r, json_out);
  CHECK(nlohmann::json::parse(json_out.str())["soft_hard"].size() == 2);
}

TEST_CASE("secondary suppression applies to breakdown columns against the caseload total") {
  Report r;
  r.threshold = 5;
  r.caseload.active.n = 20;
  Breakdown b{"gender", "Gender", {}};
  b.cells.push_back({"woman", Count{12, false}, {}, {}, {}});
  b.cells.push_back({"man", Count{6, false}, {}, {}, {}});
  b.cells.push_back({"not_recorded", Count{2, false}, {}, {}, {}});
  r.breakdowns.push_back(b);
  suppress_report(r);
  CHECK(r.breakdowns[0].cells[2].active.suppressed);
  CHECK(r.breakdowns[0].cells[1].active.suppressed);  // 6, the next smallest
  CHECK_FALSE(r.breakdowns[0].cells[0].active.suppressed);
}

TEST_CASE(
    "renderers: json keeps the contract keys; csv, markdown, table and html are well formed") {
  Fixture fx;
  Journeys j;
  j.enrol("A<b>", "2026-01-01");
  j.occasion("A<b>", "2026-01-05", 2, 2);
  j.occasion("A<b>", "2026-06-01", 4, 3);
  j.add("A<b>", "2026-10-05", EntryKind::Note, "", "", std::nullopt, "shareable",
        "Said \"hello\", <script>alert(1)</script> & smiled");
  j.add("A<b>", "2026-10-05", EntryKind::Status, "sp", "safe", std::nullopt, "achieved");
  Report r = fx.run(j);

  std::ostringstream js;
  render_report_json(r, js);
  auto json = nlohmann::json::parse(js.str());
  CHECK(json["period"]["from"] == "2026-10-01");
  CHECK(json["period"]["to"] == "2026-10-31");
  for (const char* k : {"active", "new", "exited", "reengaged"})
    CHECK(json["caseload"].contains(k));
  for (const char* k : {"contacts", "attended", "missed", "self_initiated"})
    CHECK(json["engagement"].contains(k));
  REQUIRE(json["frameworks"].size() == 2);
  auto sp = json["frameworks"][0];
  CHECK(sp["id"] == "sp");
  CHECK(sp["measures"][0]["id"] == "safe");
  CHECK(sp["measures"][0]["counts"]["achieved"] == 1);
  CHECK(sp["measures"][0]["percent_achieved"] == 100.0);
  CHECK(sp["change"].is_null());
  auto wb = json["frameworks"][1];
  CHECK(wb["change"]["people"] == 1);
  CHECK(wb["change"]["mean_change"] == 3.0);
  CHECK(wb["change"]["improved"] == 1);
  for (const char* k : {"items", "milestones", "signals", "goals", "non_linear_journeys"})
    CHECK(wb.contains(k));
  CHECK(json.contains("data_quality"));
  CHECK(json.contains("breakdowns"));
  CHECK(json["suppressed"] == false);
  CHECK(json["notices"][0]["notice"] == "Scale (c) its owners");
  // Byte-identical on a second run.
  std::ostringstream again;
  render_report_json(fx.run(j), again);
  CHECK(again.str() == js.str());

  std::ostringstream csv;
  render_report_csv(r, csv);
  CHECK(csv.str().rfind("section,framework,measure,key,value\n", 0) == 0);
  CHECK(csv.str().find("caseload,,,active,1\n") != std::string::npos);
  CHECK(csv.str().find("status,sp,safe,achieved,1\n") != std::string::npos);
  CHECK(csv.str().find("change,wb,,mean_change,3.00\n") != std::string::npos);
  CHECK(csv.str().find("\"Said \"\"hello\"\", <script>") != std::string::npos);

  std::ostringstream html;
  render_report_html(r, html);
  const std::string h = html.str();
  CHECK(h.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(h.find("<script") == std::string::npos);
  CHECK(h.find("&lt;script&gt;") != std::string::npos);
  CHECK(h.find("A&lt;b&gt;") != std::string::npos);
  CHECK(h.find("<svg") != std::string::npos);
  CHECK(h.find("<title id=") != std::string::npos);
  CHECK(h.find("<desc id=") != std::string::npos);
  CHECK(h.find("http://") == h.find("http://www.w3.org/2000/svg"));  // nothing fetched
  CHECK(h.find("https://") == std::string::npos);
  CHECK(h.find("@page") != std::string::npos);
  // The change histogram's caption mentions the shaded band only where one is drawn,
  // that is where the framework has a reliable-change threshold.
  REQUIRE(r.frameworks[1].reliable_change_threshold);
  CHECK(h.find("no reliable change (within") != std::string::npos);
  CHECK(h.find("score; the shaded band is change too small to be reliable.</figcaption>") !=
        std::string::npos);
  Report unbanded = r;
  unbanded.frameworks[1].reliable_change_threshold.reset();
  std::ostringstream no_band;
  render_report_html(unbanded, no_band);
  CHECK(no_band.str().find("no reliable change (within") == std::string::npos);
  CHECK(no_band.str().find("shaded band") == std::string::npos);
  CHECK(no_band.str().find("<figcaption>Change between baseline and latest score.</figcaption>") !=
        std::string::npos);

  // The histogram's bins add up to the people it counts: a lone small bin would be that
  // number less the others, so another bin is hidden with it.
  Report small = r;
  small.threshold = 3;
  small.suppression_applied = true;
  small.frameworks[1].reliable_change_threshold.reset();
  small.frameworks[1].changes = {0, 0, 0, 0, 0, 10};
  std::ostringstream protected_html;
  render_report_html(small, protected_html);
  const std::string ph = protected_html.str();
  CHECK(ph.find("Histogram of 6 people&#39;s change in bins of 1.0: 0.0 to 1.0: *; 10.0 to "
                "11.0: &lt;3; ") != std::string::npos);
  CHECK(ph.find("0.0 to 1.0: 5;") == std::string::npos);

  std::ostringstream md, table;
  render_report_markdown(r, md);
  render_report_table(r, table);
  CHECK(md.str().find("| Measure | People |") != std::string::npos);
  CHECK(table.str().find("Active in the period") != std::string::npos);
}

// --- one report over several services ---------------------------------------------------

namespace {

const std::string kSharedKey = "a shared key of enough bytes";

ServiceJourneys service(const std::string& id, const Journeys& j) {
  return {id, j.list()};
}

std::vector<EntryKind> kinds_of(const std::vector<Entry>& entries) {
  std::vector<EntryKind> kinds;
  for (const auto& e : entries) kinds.push_back(e.kind);
  return kinds;
}

}  // namespace

TEST_CASE("merge_service_entries joins episodes that overlap or meet, and keeps gaps") {
  Journeys a, b;
  a.enrol("P", "2026-01-01");
  a.exit("P", "2026-03-01");
  b.enrol("P", "2026-02-01");  // while open at a: not a new episode
  b.exit("P", "2026-04-01");   // the joined episode ends here
  b.enrol("P", "2026-04-01");  // re-enrolled the same day at b: continuous
  b.exit("P", "2026-05-01");
  a.enrol("P", "2026-05-03");  // a gap of a day: a second episode
  a.add("P", "2026-05-03", EntryKind::Contact, "", "", std::nullopt, "attended");
  auto merged = merge_service_entries({a.people["P"], b.people["P"]});
  CHECK(kinds_of(merged) == std::vector<EntryKind>{EntryKind::Enrol, EntryKind::Exit,
                                                   EntryKind::Enrol, EntryKind::Contact});
  CHECK(format_date(merged[0].date) == "2026-01-01");
  CHECK(format_date(merged[1].date) == "2026-05-01");
  CHECK(format_date(merged[2].date) == "2026-05-03");

  // A move: exit at a and enrolment at b on one day is one episode, in either order listed.
  Journeys c, d;
  c.enrol("Q", "2026-01-01");
  c.exit("Q", "2026-06-30");
  d.enrol("Q", "2026-06-30");
  for (const auto& merged2 :
       {merge_service_entries({c.people["Q"], d.people["Q"]}),
        merge_service_entries({d.people["Q"], c.people["Q"]})})
    CHECK(kinds_of(merged2) == std::vector<EntryKind>{EntryKind::Enrol});
}

TEST_CASE("a combined report keeps each service's people apart without a shared key") {
  Fixture fx;
  Journeys a, b;
  for (const char* p : {"P1", "P2", "P3"}) {
    a.enrol(p, "2026-01-01");
    b.enrol(p, "2026-02-01");
  }
  a.add("P1", "2026-10-05", EntryKind::Note, "", "", std::nullopt, "shareable", "at a");
  b.add("P1", "2026-10-06", EntryKind::Note, "", "", std::nullopt, "shareable", "at b");
  Report r = compute_combined_report({service("a", a), service("b", b)}, fx.frameworks,
                                     fx.settings, fx.options, std::nullopt);
  CHECK(r.caseload.active.n == 6);  // P1 at a and P1 at b are two people
  REQUIRE(r.stories.size() == 2);
  CHECK(r.stories[0].person == "a/P1");
  CHECK(r.stories[1].person == "b/P1");
  REQUIRE(r.combined);
  CHECK(r.combined->services == std::vector<std::string>{"a", "b"});
  CHECK_FALSE(r.combined->people_linked);
  CHECK_FALSE(fx.run(a).combined);  // one service's report says nothing of services
}

TEST_CASE("with a shared key, someone at two services is one person with one journey") {
  Fixture fx;
  Journeys a, b;
  a.enrol("P1", "2026-01-01");
  a.occasion("P1", "2026-06-01", 1, 1);  // total 2
  a.exit("P1", "2026-10-05");            // moves on from a, still supported by b
  b.enrol("P1", "2026-09-01");
  b.occasion("P1", "2026-10-10", 3, 2);  // total 5: a reliable improvement of 3 since a
  b.add("P1", "2026-10-12", EntryKind::Contact, "", "", std::nullopt, "attended");
  a.add("P1", "2026-10-02", EntryKind::Contact, "", "", std::nullopt, "attended");
  b.enrol("P2", "2026-10-01");  // at b only
  auto services = std::vector{service("a", a), service("b", b)};

  Report linked =
      compute_combined_report(services, fx.frameworks, fx.settings, fx.options, kSharedKey);
  CHECK(linked.caseload.active.n == 2);
  CHECK(linked.caseload.new_.n == 1);  // P2; P1's enrolment at b continues their support
  CHECK(linked.caseload.exited.n == 0);
  CHECK(linked.caseload.open_at_start.n == 1);
  CHECK(linked.caseload.open_at_end.n == 2);
  CHECK(linked.engagement.contacts.n == 2);
  CHECK(linked.engagement.people_contacted.n == 1);
  const auto& wb = fw(linked, "wb");
  CHECK(wb.people.n == 1);
  REQUIRE(wb.change);
  CHECK(wb.change->improved.n == 1);
  CHECK(*wb.change->mean_change == doctest::Approx(3.0));
  REQUIRE(linked.combined);
  CHECK(linked.combined->people_linked);

  Report apart =
      compute_combined_report(services, fx.frameworks, fx.settings, fx.options, std::nullopt);
  CHECK(apart.caseload.active.n == 3);
  CHECK(apart.caseload.exited.n == 1);
  CHECK(apart.engagement.people_contacted.n == 2);
  CHECK(fw(apart, "wb").change->improved.n == 0);  // one occasion at each: insufficient data
  CHECK(fw(apart, "wb").change->insufficient_data.n == 2);
}

TEST_CASE("a combined report suppresses the combined counts, not each service's") {
  Fixture fx;
  fx.options.suppress = true;
  Journeys a, b;
  for (const char* p : {"P1", "P2", "P3"}) a.enrol(p, "2026-10-02");
  for (const char* p : {"P4", "P5", "P6"}) b.enrol(p, "2026-10-03");
  CHECK(fx.run(a).caseload.active.suppressed);  // 3 at one service is hidden
  Report r = compute_combined_report({service("a", a), service("b", b)}, fx.frameworks,
                                     fx.settings, fx.options, std::nullopt);
  CHECK(r.caseload.active.n == 6);
  CHECK_FALSE(r.caseload.active.suppressed);
  CHECK_FALSE(r.caseload.new_.suppressed);
  // Linked, the same three people at both services are three: hidden.
  Journeys c;
  for (const char* p : {"P1", "P2", "P3"}) c.enrol(p, "2026-10-03");
  Report linked = compute_combined_report({service("a", a), service("c", c)}, fx.frameworks,
                                          fx.settings, fx.options, kSharedKey);
  CHECK(linked.caseload.active.n == 3);
  CHECK(linked.caseload.active.suppressed);
}

TEST_CASE("check_services_combinable refuses a framework recorded under different content") {
  Fixture fx;
  Workspace ws;
  ws.settings = fx.settings;
  ws.frameworks = fx.frameworks;
  for (auto& f : ws.frameworks) f.content_hash = std::string(64, 'c');
  auto version = [](const std::string& id, const std::string& v, char hash) {
    return FrameworkVersion{id, v, std::string(64, hash), 1};
  };
  // The same content, or the workspace's own: fine; a's older version does not matter.
  CHECK_NOTHROW(check_services_combinable(
      {{"a", {version("wb", "1", 'a'), version("wb", "2", 'b')}}, {"b", {version("wb", "2", 'b')}}},
      ws, fx.options));
  CHECK_NOTHROW(check_services_combinable(
      {{"a", {version("wb", "2", 'c')}}, {"b", {version("wb", "2", 'c')}}}, ws, fx.options));
  try {
    check_services_combinable(
        {{"a", {version("wb", "2", 'a')}}, {"b", {version("sp", "1", 'c'), version("wb", "2", 'b')}}},
        ws, fx.options);
    FAIL("expected InvalidInput");
  } catch (const InvalidInput& e) {
    REQUIRE(e.problems().size() == 1);
    CHECK(e.problems()[0] ==
          "framework 'wb' differs between services: a records version 2 (content aaaaaaaaaaaa), "
          "b records version 2 (content bbbbbbbbbbbb); its figures cannot be added up");
  }
  // A framework the workspace lacks is refused, unless the report leaves it out.
  std::vector<ServiceFrameworks> other = {{"a", {version("zz", "1", 'a')}}};
  CHECK_THROWS_AS(check_services_combinable(other, ws, fx.options), InvalidInput);
  fx.options.frameworks = {"wb"};
  CHECK_NOTHROW(check_services_combinable(other, ws, fx.options));
}
