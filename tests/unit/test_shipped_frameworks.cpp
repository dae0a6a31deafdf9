// The frameworks shipped in frameworks/: each validates, and each encodes the published
// published facts (counts, ranges, weights, tables, statuses, sources).
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "framework.h"
#include "test_support.h"

using namespace outcomes;
namespace fs = std::filesystem;

namespace {

const fs::path frameworks_dir{OUTCOMES_FRAMEWORKS_DIR};

// The shipped framework files (local wording files are never shipped, but skip them anyway).
std::vector<fs::path> shipped_files() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(frameworks_dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && entry.path().extension() == ".yaml" &&
        name.find(".local.") == std::string::npos)
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Loads a shipped framework by id, failing the test with every problem when it is invalid.
Framework load(const std::string& id) {
  const FrameworkLoad result = load_framework(frameworks_dir / (id + ".yaml"));
  std::string problems;
  for (const Diagnostic& problem : result.problems) problems += to_string(problem) + "\n";
  INFO(problems);
  REQUIRE(result.ok());
  return *result.framework;
}

std::vector<const Measure*> measures_of(const Framework& fw, const Domain& domain) {
  std::vector<const Measure*> out;
  for (const std::string& id : domain.measures) {
    const Measure* m = fw.find_measure(id);
    REQUIRE(m != nullptr);
    out.push_back(m);
  }
  return out;
}

std::vector<std::string> names_of(const std::vector<const Measure*>& measures) {
  std::vector<std::string> out;
  for (const Measure* m : measures) out.push_back(m->name);
  return out;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Lowest and highest possible plain sum of a framework's scale items.
std::pair<int, int> sum_range(const Framework& fw) {
  int low = 0;
  int high = 0;
  for (const Measure* item : fw.items()) {
    low += item->lowest();
    high += item->highest();
  }
  return {low, high};
}

const std::vector<std::string> shipped_ids = {
    "goals",      "journey-template",  "ndt",     "personal-outcomes",
    "relational", "supporting-people", "swemwbs", "wemwbs"};

}  // namespace

TEST_CASE("every shipped framework file validates with no problems") {
  const auto files = shipped_files();
  std::vector<std::string> stems;
  for (const fs::path& file : files) {
    CAPTURE(file.string());
    const FrameworkLoad result = load_framework(file);
    std::string problems;
    for (const Diagnostic& problem : result.problems) problems += to_string(problem) + "\n";
    INFO(problems);
    CHECK(result.problems.empty());
    REQUIRE(result.framework.has_value());
    // The file is named after the framework's id, so `init --framework ID` finds it.
    CHECK(result.framework->id == file.stem().string());
    stems.push_back(file.stem().string());
  }
  CHECK(stems == shipped_ids);
}

TEST_CASE("every shipped framework names its version, source and licence") {
  for (const std::string& id : shipped_ids) {
    CAPTURE(id);
    const Framework fw = load(id);
    CHECK_FALSE(fw.name.empty());
    CHECK_FALSE(fw.version.empty());
    CHECK(fw.source.size() > 20);
    CHECK(fw.licence.size() > 20);
    CHECK_FALSE(fw.statuses.empty());
    for (const Measure& m : fw.measures) {
      CAPTURE(m.id);
      CHECK_FALSE(m.name.empty());
      // Local wording is never shipped: labels and anchors come only from *.local.yaml.
      CHECK(m.label.empty());
      CHECK(m.anchors.empty());
    }
  }
}

TEST_CASE("supporting-people is the core set: 4 domains, 11 outcomes, every indicator") {
  const Framework fw = load("supporting-people");
  CHECK(fw.id == "supporting-people");
  CHECK(fw.source.find("Supporting People") != std::string::npos);
  CHECK(fw.licence.find("Crown copyright") != std::string::npos);

  REQUIRE(fw.domains.size() == 4);
  CHECK(fw.domains[0].name == "Promoting Personal and Community Safety");
  CHECK(fw.domains[1].name == "Promoting Independence and Control");
  CHECK(fw.domains[2].name == "Promoting Economic Progress and Financial Control");
  CHECK(fw.domains[3].name == "Promoting Health and Wellbeing");

  CHECK(
      names_of(measures_of(fw, fw.domains[0])) ==
      std::vector<std::string>{
          "Feeling safe", "Contributing to the safety and well-being of themselves and of others"});
  CHECK(names_of(measures_of(fw, fw.domains[1])) ==
        std::vector<std::string>{"Managing accommodation", "Managing relationships",
                                 "Feeling part of the community"});
  CHECK(names_of(measures_of(fw, fw.domains[2])) ==
        std::vector<std::string>{"Managing money", "Engaging in education/learning",
                                 "Engaged in employment/voluntary work"});
  CHECK(names_of(measures_of(fw, fw.domains[3])) ==
        std::vector<std::string>{"Physically healthy", "Mentally healthy",
                                 "Leading a healthy and active lifestyle"});

  REQUIRE(fw.measures.size() == 11);
  // Indicators per outcome, counted by hand in the guidance (seeds/002): 93 in all.
  const std::vector<size_t> indicator_counts = {9, 15, 11, 5, 8, 6, 6, 7, 11, 8, 7};
  size_t total_indicators = 0;
  for (size_t i = 0; i < fw.measures.size(); ++i) {
    const Measure& m = fw.measures[i];
    CAPTURE(m.id);
    CHECK(m.type == MeasureType::Status);
    CHECK(m.definition.size() > 50);
    CHECK(m.indicators.size() == indicator_counts[i]);
    for (const std::string& indicator : m.indicators) CHECK_FALSE(indicator.empty());
    total_indicators += m.indicators.size();
  }
  CHECK(total_indicators == 93);

  // Spot checks of faithful copying: first and last indicator, and a definition.
  const Measure* safe = fw.find_measure("feeling_safe");
  REQUIRE(safe != nullptr);
  CHECK(safe->domain == "personal_community_safety");
  CHECK(safe->indicators.front() == "Completion of a home fire safety check");
  CHECK(safe->indicators.back() ==
        "Enabled an individual to feel safer by providing support that builds their "
        "confidence and control.");
  const Measure* lifestyle = fw.find_measure("healthy_active_lifestyle");
  REQUIRE(lifestyle != nullptr);
  CHECK(lifestyle->definition ==
        "Support provided has improved individuals ability to lead a healthy and active life "
        "or has enabled an individual to achieve their optimal health and activity.");
  CHECK(lifestyle->indicators.back() ==
        "Accessed the health, social care and other services they require to lead a healthy "
        "and active lifestyle.");

  REQUIRE(fw.statuses.size() == 4);
  CHECK(fw.statuses[0].id == "achieved");
  CHECK(fw.statuses[0].name == "Achieved");
  CHECK(fw.statuses[0].means == StatusMeaning::Achieved);
  CHECK(fw.statuses[1].id == "partial");
  CHECK(fw.statuses[1].name == "Partially achieved");
  CHECK(fw.statuses[1].means == StatusMeaning::Partial);
  CHECK(fw.statuses[2].id == "not_achieved");
  CHECK(fw.statuses[2].name == "Not achieved");
  CHECK(fw.statuses[2].means == StatusMeaning::NotAchieved);
  CHECK(fw.statuses[3].id == "not_relevant");
  CHECK(fw.statuses[3].name == "Not relevant");
  CHECK(fw.statuses[3].means == StatusMeaning::NotRelevant);

  // The achievement rules are carried in words.
  CHECK(fw.rules.size() >= 4);
}

TEST_CASE("relational has soft scale items, hard milestones and signals") {
  const Framework fw = load("relational");
  REQUIRE(fw.domains.size() == 3);
  const auto soft = measures_of(fw, fw.domains[0]);
  const auto hard = measures_of(fw, fw.domains[1]);
  const auto signals = measures_of(fw, fw.domains[2]);
  CHECK(soft.size() == 9);
  CHECK(hard.size() == 8);
  CHECK(signals.size() == 8);
  for (const Measure* m : soft) {
    CAPTURE(m->id);
    CHECK(m->type == MeasureType::Scale);
    CHECK(m->nature == Nature::Soft);
    CHECK(m->lowest() == 1);
    CHECK(m->highest() == 5);
    CHECK(m->allows(3));
    CHECK_FALSE(m->allows(0));
    CHECK_FALSE(m->allows(6));
  }
  for (const Measure* m : hard) {
    CAPTURE(m->id);
    CHECK(m->type == MeasureType::Milestone);
    CHECK(m->nature == Nature::Hard);
  }
  for (const Measure* m : signals) {
    CAPTURE(m->id);
    CHECK(m->type == MeasureType::Signal);
    CHECK(m->nature == Nature::Soft);
  }
  CHECK(fw.scoring.total == ScoreRule::None);
  CHECK(fw.scoring.direction == Direction::HigherIsBetter);

  // Six months' sustain for tenancy and paid employment, and for nothing else.
  const Duration six_months{6, Duration::Unit::Months};
  std::set<std::string> sustained;
  for (const Measure* m : hard)
    if (m->sustain) {
      CHECK(*m->sustain == six_months);
      sustained.insert(m->id);
    }
  CHECK(sustained == std::set<std::string>{"housing_stability", "paid_employment"});
  REQUIRE(fw.find_measure("contacted_worker") != nullptr);
  REQUIRE(fw.find_measure("turned_up") != nullptr);
}

TEST_CASE("personal-outcomes holds the 15 Talking Points outcomes in groups of 6, 5 and 4") {
  const Framework fw = load("personal-outcomes");
  CHECK(fw.source.find("Cook") != std::string::npos);
  CHECK(fw.source.find("Miller") != std::string::npos);
  CHECK(fw.source.find("2012") != std::string::npos);
  CHECK(fw.source.find("Joint Improvement Team") != std::string::npos);

  REQUIRE(fw.domains.size() == 3);
  CHECK(fw.domains[0].name == "Quality of life");
  CHECK(fw.domains[1].name == "Process");
  CHECK(fw.domains[2].name == "Change");
  CHECK(names_of(measures_of(fw, fw.domains[0])) ==
        std::vector<std::string>{"Feeling safe", "Having things to do", "Seeing people",
                                 "Staying as well as you can", "Living where and as you want",
                                 "Dealing with stigma and discrimination"});
  CHECK(names_of(measures_of(fw, fw.domains[1])) ==
        std::vector<std::string>{"Listened to", "Having a say", "Treated with respect",
                                 "Responded to", "Reliability"});
  CHECK(names_of(measures_of(fw, fw.domains[2])) ==
        std::vector<std::string>{"Improved confidence and morale", "Improved skills",
                                 "Improved mobility", "Reduced symptoms"});
  CHECK(fw.measures.size() == 15);
  for (const Measure& m : fw.measures) CHECK(m.type == MeasureType::Status);
  CHECK(fw.items().empty());  // no scoring

  REQUIRE(fw.statuses.size() == 4);
  CHECK(fw.status_for(StatusMeaning::Achieved) == "achieved");
  CHECK(fw.status_for(StatusMeaning::Partial) == "partly_achieved");
  CHECK(fw.status_for(StatusMeaning::NotAchieved) == "not_achieved");
  CHECK(fw.status_for(StatusMeaning::NotRelevant) == "not_a_priority");
}

TEST_CASE("ndt has 10 domains in order, 0-4 items, double-weighted risks, total 0-48") {
  const Framework fw = load("ndt");
  const std::vector<std::string> expected = {"Engagement with frontline services",
                                             "Intentional self-harm",
                                             "Unintentional self-harm",
                                             "Risk to others",
                                             "Risk from others",
                                             "Stress and anxiety",
                                             "Social effectiveness",
                                             "Alcohol/drug abuse",
                                             "Impulse control",
                                             "Housing"};
  REQUIRE(fw.domains.size() == 10);
  for (size_t i = 0; i < expected.size(); ++i) {
    CAPTURE(i);
    CHECK(fw.domains[i].name == expected[i]);
    REQUIRE(fw.domains[i].measures.size() == 1);
    const Measure* m = fw.find_measure(fw.domains[i].measures[0]);
    REQUIRE(m != nullptr);
    CHECK(m->name == expected[i]);
    CHECK(m->type == MeasureType::Scale);
    CHECK(m->weight == 1.0);  // plain sum: the doubling is in the allowed values
    CHECK(m->anchors.empty());
  }
  REQUIRE(fw.items().size() == 10);

  const std::set<std::string> risk = {"risk_to_others", "risk_from_others"};
  for (const Measure* item : fw.items()) {
    CAPTURE(item->id);
    if (risk.count(item->id) != 0) {
      CHECK(item->values == std::vector<int>{0, 2, 4, 6, 8});
      for (int v : {0, 2, 4, 6, 8}) CHECK(item->allows(v));
      for (int v : {-1, 1, 3, 5, 7, 9}) CHECK_FALSE(item->allows(v));
      CHECK(item->lowest() == 0);
      CHECK(item->highest() == 8);
    } else {
      CHECK(item->values.empty());
      CHECK(item->min == 0);
      CHECK(item->max == 4);
      for (int v : {0, 1, 2, 3, 4}) CHECK(item->allows(v));
      CHECK_FALSE(item->allows(-1));
      CHECK_FALSE(item->allows(5));
    }
  }
  CHECK(fw.find_measure("risk_to_others")->domain == "risk_to_others");

  CHECK(fw.scoring.total == ScoreRule::Sum);
  CHECK(fw.scoring.direction == Direction::LowerIsBetter);
  CHECK(fw.scoring.conversion.empty());
  // Eight items at 0-4 and two at 0-8: 8*4 + 2*8 = 48.
  CHECK(sum_range(fw) == std::pair<int, int>{0, 48});
  // No published reliability or reference SD: the RCI stays off unless a service adds them.
  CHECK_FALSE(fw.scoring.reliability.has_value());
  CHECK_FALSE(fw.scoring.reference_sd.has_value());
  CHECK(fw.licence.find("anchor") != std::string::npos);
}

TEST_CASE("wemwbs has 14 items 1-5 summing to 14-70, higher is better") {
  const Framework fw = load("wemwbs");
  const auto items = fw.items();
  REQUIRE(items.size() == 14);
  for (size_t i = 0; i < items.size(); ++i) {
    CAPTURE(i);
    CHECK(items[i]->id == "item_" + std::to_string(i + 1));
    CHECK(items[i]->min == 1);
    CHECK(items[i]->max == 5);
    CHECK(items[i]->label.empty());
  }
  CHECK(sum_range(fw) == std::pair<int, int>{14, 70});
  CHECK(fw.scoring.total == ScoreRule::Sum);
  CHECK(fw.scoring.direction == Direction::HigherIsBetter);
  CHECK(fw.scoring.conversion.empty());
  CHECK(fw.scoring.missing == MissingRule::Incomplete);
  REQUIRE(fw.scoring.reliability.has_value());
  CHECK(fw.scoring.reliability->value == doctest::Approx(0.83));
  CHECK(fw.scoring.reliability->kind == "test_retest");
  CHECK(fw.scoring.reliability->source.find("Tennant") != std::string::npos);
  REQUIRE(fw.scoring.sem.has_value());
  CHECK(*fw.scoring.sem >= 2.4);
  CHECK(*fw.scoring.sem <= 3.1);
  CHECK_FALSE(fw.scoring.population.empty());
  CHECK(fw.source.find("10.1186/1477-7525-5-63") != std::string::npos);
  CHECK(fw.notice ==
        "WEMWBS/SWEMWBS © NHS Health Scotland, University of Warwick and University of "
        "Edinburgh, all rights reserved.");
}

TEST_CASE("swemwbs has WEMWBS items 1 2 3 6 7 9 11 and the full raw-to-metric table") {
  const Framework fw = load("swemwbs");
  std::vector<std::string> ids;
  for (const Measure* item : fw.items()) {
    ids.push_back(item->id);
    CHECK(item->min == 1);
    CHECK(item->max == 5);
  }
  CHECK(ids == std::vector<std::string>{"item_1", "item_2", "item_3", "item_6", "item_7", "item_9",
                                        "item_11"});
  CHECK(sum_range(fw) == std::pair<int, int>{7, 35});
  CHECK(fw.scoring.total == ScoreRule::Sum);
  CHECK(fw.scoring.direction == Direction::HigherIsBetter);

  // Stewart-Brown et al. 2009, as published: every raw total 7-35.
  const std::vector<std::pair<int, double>> table = {
      {7, 7.00},   {8, 9.51},   {9, 11.25},  {10, 12.40}, {11, 13.33}, {12, 14.08},
      {13, 14.75}, {14, 15.32}, {15, 15.84}, {16, 16.36}, {17, 16.88}, {18, 17.43},
      {19, 17.98}, {20, 18.59}, {21, 19.25}, {22, 19.98}, {23, 20.73}, {24, 21.54},
      {25, 22.35}, {26, 23.21}, {27, 24.11}, {28, 25.03}, {29, 26.02}, {30, 27.03},
      {31, 28.13}, {32, 29.31}, {33, 30.70}, {34, 32.55}, {35, 35.00}};
  REQUIRE(table.size() == 29);
  REQUIRE(fw.scoring.conversion.size() == 29);
  for (const auto& [raw, metric] : table) {
    CAPTURE(raw);
    REQUIRE(fw.scoring.conversion.count(raw) == 1);
    CHECK(fw.scoring.conversion.at(raw) == doctest::Approx(metric).epsilon(1e-9));
  }

  REQUIRE(fw.scoring.sem.has_value());
  CHECK(*fw.scoring.sem == doctest::Approx(1.03));
  REQUIRE(fw.scoring.minimum_change.has_value());
  CHECK(*fw.scoring.minimum_change == doctest::Approx(2.87));
  // No published reliability or reference SD: reliable change comes from the SEM.
  CHECK_FALSE(fw.scoring.reference_sd.has_value());
  CHECK_FALSE(fw.scoring.population.empty());
  CHECK(fw.source.find("10.1186/1477-7525-7-15") != std::string::npos);
  CHECK(fw.notice ==
        "WEMWBS/SWEMWBS © NHS Health Scotland, University of Warwick and University of "
        "Edinburgh, all rights reserved.");
}

TEST_CASE("goals uses the goal-attainment scale -2..+2, baseline -1, rho 0.3") {
  const Framework fw = load("goals");
  REQUIRE(fw.is_goal_framework());
  const GoalScale& scale = *fw.goal_scale;
  CHECK(scale.min == -2);
  CHECK(scale.max == 2);
  CHECK(scale.baseline == -1);
  CHECK(scale.rho == doctest::Approx(0.3));
  CHECK(scale.levels.size() == 5);
  CHECK(scale.levels.at(0) == "Expected outcome");
  CHECK(scale.levels.at(-2) == "Much less than expected");
  CHECK(scale.levels.at(2) == "Much more than expected");
  REQUIRE(fw.measures.size() == 1);
  CHECK(fw.measures[0].type == MeasureType::Goal);
  CHECK(fw.source.find("Kiresuk") != std::string::npos);
  CHECK(fw.source.find("1968") != std::string::npos);
}

TEST_CASE("journey-template is a 1-10 multi-area scale with bands covering 1-10") {
  const Framework fw = load("journey-template");
  const auto items = fw.items();
  CHECK(items.size() >= 6);
  CHECK(items.size() <= 8);
  for (const Measure* item : items) {
    CHECK(item->min == 1);
    CHECK(item->max == 10);
  }
  CHECK(fw.scoring.total == ScoreRule::None);
  CHECK(fw.scoring.direction == Direction::HigherIsBetter);
  // Every rating 1-10 falls in exactly one band.
  REQUIRE_FALSE(fw.scoring.bands.empty());
  for (int value = 1; value <= 10; ++value) {
    CAPTURE(value);
    int holding = 0;
    for (const Band& band : fw.scoring.bands)
      if (band.min <= value && value <= band.max) ++holding;
    CHECK(holding == 1);
  }
  CHECK(fw.scoring.bands.front().min == 1);
  CHECK(fw.scoring.bands.back().max == 10);
}

TEST_CASE("nothing shipped is named from Outcomes Star") {
  // Area and stage names of the proprietary Star scales, which must not be shipped.
  const std::vector<std::string> star_areas = {"motivation and taking responsibility",
                                               "self-care and living skills",
                                               "managing money and personal administration",
                                               "social networks and relationships",
                                               "drug and alcohol misuse",
                                               "emotional and mental health",
                                               "meaningful use of time",
                                               "managing tenancy and accommodation",
                                               "managing mental health",
                                               "physical health and self-care",
                                               "addictive behaviour",
                                               "identity and self-esteem",
                                               "trust and hope"};
  const std::vector<std::string> star_stages = {
      "stuck",         "accepting help", "believing",          "learning",
      "self-reliance", "self reliance",  "finding what works", "trying"};
  for (const std::string& id : shipped_ids) {
    CAPTURE(id);
    const Framework fw = load(id);
    std::vector<std::string> names = {fw.name};
    for (const Domain& d : fw.domains) names.push_back(d.name);
    for (const Measure& m : fw.measures) names.push_back(m.name);
    for (const std::string& name : names) {
      CAPTURE(name);
      CHECK(lower(name).find("outcomes star") == std::string::npos);
      for (const std::string& area : star_areas) CHECK(lower(name) != area);
    }
    for (const Band& band : fw.scoring.bands) {
      CAPTURE(band.name);
      for (const std::string& stage : star_stages) {
        CHECK(lower(band.name).find(stage) == std::string::npos);
        CHECK(lower(band.id).find(stage) == std::string::npos);
      }
    }
  }
  // The template's own areas avoid Star area words altogether.
  const Framework journey = load("journey-template");
  for (const Measure& m : journey.measures)
    for (const std::string& area : star_areas) CHECK(lower(m.name).find(area) == std::string::npos);
  CHECK(lower(journey.source).find("star") == std::string::npos);
  CHECK(lower(journey.description).find("star") == std::string::npos);
}

namespace {

using outcomes::testing::TempDir;

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("ndt takes a service's own anchor text from ndt.local.yaml, as its comments say") {
  TempDir dir("ndt");
  fs::copy_file(frameworks_dir / "ndt.yaml", dir.path / "ndt.yaml");
  write_text(dir.path / "ndt.local.yaml",
             "anchors:\n"
             "  engagement: {0: \"engages fully\", 4: \"no engagement\"}\n"
             "  risk_to_others: {0: \"none\", 8: \"severe\"}\n");
  const FrameworkLoad result = load_framework(dir.path / "ndt.yaml");
  std::string problems;
  for (const Diagnostic& problem : result.problems) problems += to_string(problem) + "\n";
  INFO(problems);
  REQUIRE(result.ok());
  const Measure* engagement = result.framework->find_measure("engagement");
  REQUIRE(engagement != nullptr);
  CHECK(engagement->anchors ==
        std::map<int, std::string>{{0, "engages fully"}, {4, "no engagement"}});
  const Measure* risk = result.framework->find_measure("risk_to_others");
  REQUIRE(risk != nullptr);
  CHECK(risk->anchors == std::map<int, std::string>{{0, "none"}, {8, "severe"}});
}

TEST_CASE("wemwbs and swemwbs take licensed wording from a .local.yaml file") {
  TempDir dir("wemwbs");
  fs::copy_file(frameworks_dir / "wemwbs.yaml", dir.path / "wemwbs.yaml");
  fs::copy_file(frameworks_dir / "swemwbs.yaml", dir.path / "swemwbs.yaml");
  std::string wemwbs_labels = "labels:\n";
  for (int i = 1; i <= 14; ++i)
    wemwbs_labels += "  item_" + std::to_string(i) + ": \"wording " + std::to_string(i) + "\"\n";
  write_text(dir.path / "wemwbs.local.yaml", wemwbs_labels);
  std::string swemwbs_labels = "labels:\n";
  for (int i : {1, 2, 3, 6, 7, 9, 11})
    swemwbs_labels += "  item_" + std::to_string(i) + ": \"wording " + std::to_string(i) + "\"\n";
  write_text(dir.path / "swemwbs.local.yaml", swemwbs_labels);

  const FrameworkLoad wemwbs = load_framework(dir.path / "wemwbs.yaml");
  REQUIRE(wemwbs.ok());
  for (const Measure* item : wemwbs.framework->items())
    CHECK(item->label == "wording " + item->id.substr(5));
  const FrameworkLoad swemwbs = load_framework(dir.path / "swemwbs.yaml");
  REQUIRE(swemwbs.ok());
  for (const Measure* item : swemwbs.framework->items())
    CHECK(item->label == "wording " + item->id.substr(5));
}

TEST_CASE("journey-template copied under a new id validates as the service's own framework") {
  TempDir dir("journey");
  std::string text = read_text(frameworks_dir / "journey-template.yaml");
  const std::string old_id = "\nid: journey-template\n";
  const auto at = text.find(old_id);
  REQUIRE(at != std::string::npos);
  text.replace(at, old_id.size(), "\nid: our-journey\n");
  write_text(dir.path / "our-journey.yaml", text);
  const FrameworkLoad result = load_framework(dir.path / "our-journey.yaml");
  REQUIRE(result.ok());
  CHECK(result.framework->id == "our-journey");
  CHECK(result.framework->items().size() == 8);
}
