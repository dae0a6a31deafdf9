// Tests of lib/journey: the model of one person's journey and its renderers.
#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "error.h"
#include "journey_render.h"
#include "store.h"
#include "test_support.h"

using namespace outcomes;

using outcomes::testing::day;

namespace {

const Workspace& workspace() {
  static const Workspace ws = [] {
    Workspace w;
    w.root = std::filesystem::temp_directory_path();
    w.settings = default_settings("Bridges");
    for (const char* id : {"goals", "ndt", "relational", "supporting-people", "swemwbs"})
      w.frameworks.push_back(load_framework_or_throw(
          std::filesystem::path(OUTCOMES_FRAMEWORKS_DIR) / (std::string(id) + ".yaml")));
    return w;
  }();
  return ws;
}

// Builds entries one by one with increasing ids and seqs (recording order).
struct Log {
  std::vector<Entry> entries;
  Entry& add(const char* date, EntryKind kind, std::string framework = "", std::string measure = "",
             std::optional<int> value = std::nullopt, std::string status = "",
             std::string text = "", std::string by = "sam") {
    Entry e;
    e.id = static_cast<int64_t>(entries.size()) + 1;
    e.seq = e.id;
    e.person = "P001";
    e.date = day(date);
    e.kind = kind;
    e.framework = std::move(framework);
    e.measure = std::move(measure);
    e.value = value;
    e.status = std::move(status);
    e.text = std::move(text);
    e.by = std::move(by);
    e.recorded_at = std::string(date) + "T10:00:00Z";
    entries.push_back(e);
    return entries.back();
  }
  void ndt(const char* date, std::vector<std::pair<const char*, int>> items) {
    for (auto& [id, v] : items) add(date, EntryKind::Assessment, "ndt", id, v);
  }
};

JourneyOptions as_of(const char* date, bool include_private = false, bool audit = false) {
  JourneyOptions o;
  o.as_of = day(date);
  o.include_private = include_private;
  o.audit = audit;
  return o;
}

// NDT items summing to `housing` + 26 (engagement 3, the rest as listed).
std::vector<std::pair<const char*, int>> ndt_items(int housing, bool with_housing = true) {
  std::vector<std::pair<const char*, int>> v = {
      {"engagement", 3},           {"intentional_self_harm", 2}, {"unintentional_self_harm", 2},
      {"risk_to_others", 4},       {"risk_from_others", 6},      {"stress_anxiety", 3},
      {"social_effectiveness", 2}, {"alcohol_drug_abuse", 3},    {"impulse_control", 1}};
  if (with_housing) v.emplace_back("housing", housing);
  return v;
}

}  // namespace

TEST_CASE("sparkline scales values to eight levels and marks missing values") {
  CHECK(sparkline({0.0, 4.0, std::nullopt, 2.0}, 0, 4) == "▁█·▅");
  CHECK(sparkline({1.0, 1.0}, 1, 1) == "▁▁");
  CHECK(sparkline({}, 0, 4) == "");
}

TEST_CASE("build_journey finds episodes and re-engagements with exit reason names") {
  Log log;
  log.add("2026-01-01", EntryKind::Enrol, "", "", std::nullopt, "", "referred by outreach");
  log.add("2026-02-01", EntryKind::Exit, "", "", std::nullopt, "disengaged");
  log.add("2026-03-01", EntryKind::Enrol);
  Journey j = build_journey("P001", log.entries, workspace(), as_of("2026-03-31"));
  REQUIRE(j.episodes.size() == 2);
  CHECK(j.episodes[0].number == 1);
  CHECK(j.episodes[0].days == 31);
  CHECK(j.episodes[0].exit_reason == "disengaged");
  CHECK(j.episodes[0].exit_reason_name == "Disengaged");
  CHECK(j.episodes[0].enrol_text == "referred by outreach");
  CHECK(j.episodes[1].number == 2);
  CHECK_FALSE(j.episodes[1].end.has_value());
  CHECK(j.episodes[1].days == 30);
  CHECK(j.in_open_episode);

  // As of the exit date, the episode is already closed.
  Journey before = build_journey("P001", log.entries, workspace(), as_of("2026-02-01"));
  CHECK(before.episodes.size() == 1);
  CHECK_FALSE(before.in_open_episode);
}

TEST_CASE("contacts are counted by type and by month, empty months included") {
  Log log;
  log.add("2026-01-01", EntryKind::Enrol);
  log.add("2026-01-05", EntryKind::Contact, "", "", std::nullopt, "attended");
  log.add("2026-01-20", EntryKind::Contact, "", "", std::nullopt, "missed");
  log.add("2026-03-02", EntryKind::Contact, "", "", std::nullopt, "self_initiated");
  log.add("2026-03-09", EntryKind::Contact, "", "", std::nullopt, "outreach");
  Journey j = build_journey("P001", log.entries, workspace(), as_of("2026-06-01"));
  CHECK(j.contacts.all.total() == 4);
  CHECK(j.contacts.all.self_initiated == 1);
  REQUIRE(j.contacts.months.size() == 3);
  CHECK(j.contacts.months[0].first == "2026-01");
  CHECK(j.contacts.months[0].second.attended == 1);
  CHECK(j.contacts.months[0].second.missed == 1);
  CHECK(j.contacts.months[1].first == "2026-02");
  CHECK(j.contacts.months[1].second.total() == 0);
  CHECK(j.contacts.months[2].second.outreach == 1);
  CHECK(*j.contacts.first == day("2026-01-05"));
  CHECK(*j.contacts.last == day("2026-03-09"));
}

TEST_CASE("scale occasions are scored like assess: complete ones summed, incomplete ones not") {
  Log log;
  log.add("2026-01-01", EntryKind::Enrol);
  log.ndt("2026-01-10", ndt_items(4));         // 26 + 4 = 30
  log.ndt("2026-02-10", ndt_items(0, false));  // housing missing: incomplete
  log.ndt("2026-03-10", {{"engagement", 2},
                         {"intentional_self_harm", 1},
                         {"unintentional_self_harm", 1},
                         {"risk_to_others", 2},
                         {"risk_from_others", 4},
                         {"stress_anxiety", 3},
                         {"social_effectiveness", 2},
                         {"alcohol_drug_abuse", 3},
                         {"impulse_control", 2},
                         {"housing", 2}});  // 22
  Journey j = build_journey("P001", log.entries, workspace(), as_of("2026-06-01"));
  REQUIRE(j.scales.size() == 1);
  const JourneyScale& s = j.scales[0];
  CHECK(s.framework == "ndt");
  CHECK(s.direction == Direction::LowerIsBetter);
  CHECK(s.score_min == 0);
  CHECK(s.score_max == 48);
  REQUIRE(s.occasions.size() == 3);
  CHECK(*s.occasions[0].score == 30);
  CHECK_FALSE(s.occasions[1].score.has_value());
  CHECK_FALSE(s.occasions[1].complete);
  CHECK(*s.occasions[2].score == 22);
  CHECK(s.complete_occasions == 2);
  CHECK(s.incomplete_occasions == 1);
  REQUIRE(s.baseline.has_value());
  CHECK(s.baseline->score == 30);
  CHECK(s.latest->score == 22);
  CHECK(*s.change == -8);
  // Items in framework order; housing missing at the middle occasion.
  REQUIRE(s.items.size() == 10);
  CHECK(s.items[0].id == "engagement");
  const JourneyItemSeries& housing = s.items[9];
  CHECK(housing.id == "housing");
  CHECK(housing.values.size() == 3);
  CHECK_FALSE(housing.values[1].has_value());
  CHECK(*housing.first == 4);
  CHECK(*housing.last == 2);
  // 30/48*7 = 4.4 -> 4, 22/48*7 = 3.2 -> 3.
  CHECK(sparkline({30.0, std::nullopt, 22.0}, 0, 48) == "▅·▄");
}

TEST_CASE("SWEMWBS occasions are converted to the metric score") {
  Log log;
  log.add("2026-01-01", EntryKind::Enrol);
  for (const char* item : {"item_1", "item_2", "item_3", "item_6", "item_7", "item_9", "item_11"})
    log.add("2026-01-10", EntryKind::Assessment, "swemwbs", item, 3);
  Journey j = build_journey("P001", log.entries, workspace(), as_of("2026-06-01"));
  REQUIRE(j.scales.size() == 1);
  CHECK(*j.scales[0].occasions[0].score == doctest::Approx(19.25));  // raw 21
  CHECK(j.scales[0].score_min == 7);
  CHECK(j.scales[0].score_max == 35);
}

TEST_CASE("needs are matched by trimmed text and statuses come with their names") {
  Log log;
  log.add("2026-01-01", EntryKind::Enrol);
  log.add("2026-01-05", EntryKind::Need, "supporting-people", "managing_money", std::nullopt,
          "open", "Rent arrears with the council");
  log.add("2026-01-06", EntryKind::Need, "supporting-people", "managing_money", std::nullopt,
          "open", "No bank account");
  log.add("2026-02-01", EntryKind::Need, "supporting-people", "managing_money", std::nullopt, "met",
          "  Rent arrears with the council ");
  log.add("2026-02-02", EntryKind::Status, "supporting-people", "feeling_safe", std::nullopt,
          "not_relevant");
  Journey j = build_journey("P001", log.entries, workspace(), as_of("2026-03-01"));
  REQUIRE(j.statuses.size() == 2);
  // Framework measure order: feeling_safe comes before managing_money.
  CHECK(j.statuses[0].measure == "feeling_safe");
  CHECK(j.statuses[0].current == "not_relevant");
  CHECK(j.statuses[0].current_name == "Not relevant");
  const JourneyStatus& money = j.statuses[1];
  REQUIRE(money.needs.size() == 2);
  CHECK(*money.needs[0].met == day("2026-02-01"));
  CHECK_FALSE(money.needs[1].met.has_value());
  // One need still open while enrolled: partially achieved (the SP rule).
  CHECK(money.current == "partial");
  CHECK(money.current_name == "Partially achieved");
}

TEST_CASE("milestones are sustained exactly at start plus the sustain period") {
  Log log;
  log.add("2026-01-01", EntryKind::Enrol);
  log.add("2026-01-15", EntryKind::Milestone, "relational", "housing_stability", std::nullopt,
          "start");
  log.add("2026-02-01", EntryKind::Milestone, "relational", "paid_employment", std::nullopt,
          "start");
  log.add("2026-04-01", EntryKind::Milestone, "relational", "paid_employment", std::nullopt, "end");
  Journey on = build_journey("P001", log.entries, workspace(), as_of("2026-07-15"));
  REQUIRE(on.milestones.size() == 2);
  CHECK(on.milestones[0].measure == "paid_employment");  // framework order
  CHECK(on.milestones[0].state == "ended");
  CHECK_FALSE(on.milestones[0].runs[0].sustained);
  CHECK(on.milestones[1].measure == "housing_stability");
  CHECK(on.milestones[1].state == "achieved");
  CHECK(*on.milestones[1].runs[0].sustained_on == day("2026-07-15"));
  Journey before = build_journey("P001", log.entries, workspace(), as_of("2026-07-14"));
  CHECK(before.milestones[1].state == "in_progress");
  CHECK_FALSE(before.milestones[1].runs[0].sustained_on.has_value());
  CHECK(*before.milestones[1].runs[0].due == day("2026-07-15"));
  CHECK_FALSE(on.milestones[1].runs[0].due.has_value());
  CHECK_FALSE(on.milestones[0].runs[0].due.has_value());  // ended runs are never due
}

TEST_CASE("goals keep the person's words, reviews and the T-score") {
  Log log;
  log.add("2026-01-01", EntryKind::Enrol);
  log.add("2026-01-10", EntryKind::Goal, "goals", "own_place", -1, "set",
          "Get a place of my own where I can see my kids");
  log.add("2026-03-10", EntryKind::Goal, "goals", "own_place", 0, "review", "on the bidding list");
  log.add("2026-05-10", EntryKind::Goal, "goals", "own_place", 1, "close", "got the keys");
  Journey j = build_journey("P001", log.entries, workspace(), as_of("2026-06-01"));
  REQUIRE(j.goals.size() == 1);
  const JourneyGoal& g = j.goals[0];
  CHECK(g.text == "Get a place of my own where I can see my kids");
  CHECK(g.baseline == -1);
  CHECK(g.attainment == 1);
  CHECK(g.attainment_label == "Somewhat more than expected");
  CHECK_FALSE(g.open);
  REQUIRE(g.reviews.size() == 2);
  CHECK(g.reviews[1].close);
  REQUIRE(j.goal_summaries.size() == 1);
  // One goal at +1: T = 50 + 10 * 1 / sqrt(0.7 + 0.3) = 60.
  CHECK(*j.goal_summaries[0].t_score == doctest::Approx(60.0));
}

TEST_CASE("signals are counted in total and in the last 90 days") {
  Log log;
  log.add("2026-01-01", EntryKind::Enrol);
  log.add("2026-03-03", EntryKind::Signal, "relational", "contacted_worker");  // D - 90: outside
  log.add("2026-03-04", EntryKind::Signal, "relational", "contacted_worker");  // D - 89: inside
  log.add("2026-05-30", EntryKind::Signal, "relational", "contacted_worker");
  Journey j = build_journey("P001", log.entries, workspace(), as_of("2026-06-01"));
  REQUIRE(j.signals.size() == 1);
  CHECK(j.signals[0].total == 3);
  CHECK(j.signals[0].last_90_days == 2);
}

TEST_CASE("private notes are hidden unless asked for; workers and attributes are listed") {
  Log log;
  log.add("2026-01-01", EntryKind::Enrol, "", "", std::nullopt, "", "", "alex");
  log.add("2026-01-02", EntryKind::Attribute, "", "age_band", std::nullopt, "25-34");
  log.add("2026-01-02", EntryKind::Attribute, "", "gender", std::nullopt, "woman");
  log.add("2026-01-03", EntryKind::Note, "", "", std::nullopt, "shareable", "Came in for a brew.");
  log.add("2026-01-04", EntryKind::Note, "", "", std::nullopt, "private", "Disclosed a risk.");
  Journey hidden = build_journey("P001", log.entries, workspace(), as_of("2026-06-01"));
  REQUIRE(hidden.notes.size() == 1);
  CHECK(hidden.notes[0].text == "Came in for a brew.");
  CHECK(hidden.private_notes_hidden == 1);
  Journey shown = build_journey("P001", log.entries, workspace(), as_of("2026-06-01", true));
  REQUIRE(shown.notes.size() == 2);
  CHECK(shown.notes[1].is_private);
  CHECK(shown.private_notes_hidden == 0);

  REQUIRE(hidden.workers.size() == 2);
  CHECK(hidden.workers[0].by == "alex");
  CHECK(hidden.workers[0].entries == 1);
  CHECK(hidden.workers[1].by == "sam");
  CHECK(hidden.workers[1].entries == 4);
  // Attributes in settings order (gender before age band), with their names.
  REQUIRE(hidden.attributes.size() == 2);
  CHECK(hidden.attributes[0].name == "Gender");
  CHECK(hidden.attributes[1].value == "25-34");

  std::ostringstream table;
  render_journey_table(hidden, table);
  CHECK(table.str().find("Disclosed") == std::string::npos);
  CHECK(table.str().find("1 private note not shown") != std::string::npos);
}

TEST_CASE("corrections: only the current version counts, the audit keeps both") {
  Log log;
  log.add("2026-01-01", EntryKind::Enrol);
  Entry& wrong = log.add("2026-01-05", EntryKind::Attribute, "", "gender", std::nullopt, "man");
  wrong.superseded = true;
  Entry& fixed = log.add("2026-01-05", EntryKind::Attribute, "", "gender", std::nullopt, "woman");
  fixed.supersedes = 2;
  fixed.seq = 2;
  fixed.reason = "typed the wrong value";
  log.add("2026-08-01", EntryKind::Contact, "", "", std::nullopt, "attended");

  Journey plain = build_journey("P001", log.entries, workspace(), as_of("2026-06-01"));
  REQUIRE(plain.attributes.size() == 1);
  CHECK(plain.attributes[0].value == "woman");
  CHECK(plain.audit_entries.empty());
  CHECK(plain.contacts.all.total() == 0);  // after the as-of date

  Journey audit = build_journey("P001", log.entries, workspace(), as_of("2026-06-01", false, true));
  REQUIRE(audit.audit_entries.size() == 3);
  CHECK(audit.audit_entries[1].superseded);
  CHECK(audit.audit_entries[2].supersedes == 2);
  std::ostringstream out;
  render_journey_table(audit, out);
  CHECK(out.str().find("corrects #2 because: typed the wrong value") != std::string::npos);
  CHECK(out.str().find("[superseded]") != std::string::npos);
}

TEST_CASE("renderers escape text and are deterministic") {
  Log log;
  log.add("2026-01-01", EntryKind::Enrol);
  log.add("2026-01-03", EntryKind::Note, "", "", std::nullopt, "shareable",
          "Said <script>alert(1)</script> & \"laughed\" | a lot");
  log.ndt("2026-01-10", ndt_items(4));
  Journey j = build_journey("P001", log.entries, workspace(), as_of("2026-06-01"));

  std::ostringstream html1, html2;
  render_journey_html(j, html1);
  render_journey_html(j, html2);
  CHECK(html1.str() == html2.str());
  CHECK(html1.str().find("<script>") == std::string::npos);
  CHECK(html1.str().find("Said &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;laughed&quot;") !=
        std::string::npos);
  CHECK(html1.str().find("<style>") != std::string::npos);
  CHECK(html1.str().find("NDT Assessment (Chaos Index)") != std::string::npos);

  std::ostringstream md;
  render_journey_markdown(j, md);
  CHECK(md.str().find("Said \\<script\\>alert(1)\\</script\\> & \"laughed\" \\| a lot") !=
        std::string::npos);

  nlohmann::json doc = journey_to_json(j);
  CHECK(doc["person"] == "P001");
  CHECK(doc["as_of"] == "2026-06-01");
  CHECK(doc["scales"][0]["occasions"][0]["score"] == 30);
  CHECK(doc["scales"][0]["baseline"]["score"] == 30);
  CHECK(doc["notes"][0]["consent"] == "shareable");
  CHECK(doc["audit"].is_null());
  CHECK(doc["episodes"][0]["end"].is_null());
}

TEST_CASE("load_journey reads the store and suggests a near-miss person") {
  auto dir = std::filesystem::temp_directory_path() / "outcomes-test-journey";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    std::unique_ptr<JourneyStore> owned_store = create_store(dir / "outcomes.db");
    JourneyStore& store = *owned_store;
    auto tx = store.begin();
    NewEntry e;
    e.person = "P017";
    e.date = day("2026-01-01");
    e.kind = EntryKind::Enrol;
    e.by = "sam";
    tx->append(e, "2026-01-01T09:00:00Z");
    e.kind = EntryKind::Contact;
    e.status = "attended";
    e.date = day("2026-01-02");
    tx->append(e, "2026-01-02T09:00:00Z");
    tx->commit();
  }
  std::unique_ptr<JourneyStore> owned_store = open_store(dir / "outcomes.db", true);
  JourneyStore& store = *owned_store;
  Journey j = load_journey(store, workspace(), "P017", as_of("2026-06-01"));
  CHECK(j.episodes.size() == 1);
  CHECK(j.contacts.all.attended == 1);
  try {
    load_journey(store, workspace(), "P071", as_of("2026-06-01"));
    FAIL("expected a UsageError");
  } catch (const UsageError& e) {
    CHECK(std::string(e.what()) == "no person 'P071' in the journey store (did you mean 'P017'?)");
  }
  // A known person with nothing by the as-of date is not an error.
  Journey early = load_journey(store, workspace(), "P017", as_of("2025-12-01"));
  CHECK(early.episodes.empty());
  std::filesystem::remove_all(dir);
}
