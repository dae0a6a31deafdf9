#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "error.h"
#include "framework.h"
#include "framework_render.h"
#include "hash.h"
#include "test_support.h"

using namespace outcomes;

namespace {

FrameworkLoad parse(const std::string& yaml) {
  return parse_framework(yaml, "t.yaml");
}

// Every problem of a load, one per line, as the CLI prints them.
std::string problems(const FrameworkLoad& load) {
  std::string out;
  for (const auto& p : load.problems) out += to_string(p) + "\n";
  return out;
}

// Whether some problem line starts with `prefix` (location and key) and contains `text`.
bool has_problem(const FrameworkLoad& load, const std::string& prefix, const std::string& text) {
  for (const auto& p : load.problems) {
    const std::string line = to_string(p);
    if (line.rfind(prefix, 0) == 0 && line.find(text) != std::string::npos) return true;
  }
  return false;
}

const char* kHeader =
    "id: demo\n"
    "name: Demo\n"
    "version: \"1\"\n"
    "source: Somebody 2024\n"
    "licence: Free to use\n";  // 5 lines: the body starts on line 6

const char* kStatusBody =
    "domains:\n"                     // 6
    "  - id: safety\n"               // 7
    "    name: Safety\n"             // 8
    "    measures:\n"                // 9
    "      - id: feeling_safe\n"     // 10
    "        name: Feeling safe\n"   // 11
    "        type: status\n"         // 12
    "        nature: soft\n"         // 13
    "        indicators: [a, b]\n";  // 14

std::string scale_framework(const std::string& scoring, const std::string& items) {
  return std::string(kHeader) + scoring +
         "domains:\n"
         "  - id: d\n"
         "    name: D\n"
         "    measures:\n" +
         items;
}

std::string item(const std::string& id, const std::string& range) {
  return "      - {id: " + id + ", name: " + id + ", type: scale, nature: soft, " + range + "}\n";
}

}  // namespace

TEST_CASE("parse_framework reads a valid status framework and fills in the default statuses") {
  auto load = parse(std::string(kHeader) + kStatusBody);
  REQUIRE(problems(load) == "");
  REQUIRE(load.ok());
  const Framework& fw = *load.framework;
  CHECK(fw.id == "demo");
  CHECK(fw.version == "1");
  CHECK(fw.source == "Somebody 2024");
  REQUIRE(fw.domains.size() == 1);
  CHECK(fw.domains[0].measures == std::vector<std::string>{"feeling_safe"});
  REQUIRE(fw.measures.size() == 1);
  CHECK(fw.measures[0].domain == "safety");
  CHECK(fw.measures[0].type == MeasureType::Status);
  CHECK(fw.measures[0].nature == Nature::Soft);
  CHECK(fw.measures[0].indicators == std::vector<std::string>{"a", "b"});
  REQUIRE(fw.statuses.size() == 4);
  CHECK(fw.statuses[0].id == "achieved");
  CHECK(fw.statuses[0].name == "Achieved");
  CHECK(fw.statuses[1].id == "partial");
  CHECK(fw.statuses[1].name == "Partially achieved");
  CHECK(fw.statuses[2].id == "not_achieved");
  CHECK(fw.statuses[3].id == "not_relevant");
  CHECK(fw.statuses[3].name == "Not relevant");
  CHECK(fw.status_for(StatusMeaning::NotRelevant) == "not_relevant");
  CHECK(fw.find_status("partial") != nullptr);
  CHECK(fw.find_status("partly") == nullptr);
  CHECK(fw.find_measure("feeling_safe") != nullptr);
  CHECK(fw.scoring.total == ScoreRule::None);
  CHECK(fw.scoring.missing == MissingRule::Incomplete);
  CHECK_FALSE(fw.goal_scale.has_value());
  CHECK(fw.content_hash == sha256_hex(std::string(kHeader) + kStatusBody));
  LegacyFnv1a64 legacy;
  legacy.update(std::string(kHeader) + kStatusBody);
  CHECK(fw.legacy_content_hash == legacy.hex());
}

TEST_CASE("recorded_under takes the file's SHA-256, or its legacy digest when marked so") {
  Framework fw;
  fw.content_hash = sha256_hex("v2");
  LegacyFnv1a64 legacy;
  legacy.update("v2");
  fw.legacy_content_hash = legacy.hex();
  CHECK(recorded_under(fw, fw.content_hash));
  CHECK(recorded_under(fw, fw.legacy_content_hash));
  CHECK_FALSE(recorded_under(fw, sha256_hex("v1")));
  CHECK_FALSE(recorded_under(fw, "fnv1a64:0000000000000000"));
  // The bare 16 digits are not the legacy digest: only the marked form is compared with it.
  CHECK_FALSE(recorded_under(fw, fw.legacy_content_hash.substr(8)));
}

TEST_CASE("parse_framework reads a full scale framework with scoring") {
  auto load = parse(testing::kFullScoringFramework);
  REQUIRE(problems(load) == "");
  const Framework& fw = *load.framework;
  const Scoring& s = fw.scoring;
  CHECK(s.total == ScoreRule::Sum);
  CHECK(s.direction == Direction::LowerIsBetter);
  REQUIRE(s.bands.size() == 2);
  CHECK(s.bands[1].min == 4);
  REQUIRE(s.reliability.has_value());
  CHECK(s.reliability->value == doctest::Approx(0.83));
  CHECK(s.reliability->kind == "test_retest");
  CHECK(*s.reference_sd == doctest::Approx(8.9));
  CHECK(*s.minimum_change == 3);
  CHECK(*s.minimum_interval == Duration{4, Duration::Unit::Weeks});
  CHECK(*s.sem == doctest::Approx(1.03));
  CHECK(s.norms->dysfunctional.sd == 9);
  CHECK(s.population == std::vector<std::string>{"one line"});
  CHECK(s.missing == MissingRule::Prorate);
  CHECK(s.prorate_max_missing == 1);
  auto items = fw.items();
  REQUIRE(items.size() == 2);
  CHECK(items[0]->allows(3));
  CHECK_FALSE(items[0]->allows(5));
  CHECK(items[1]->allows(2));
  CHECK_FALSE(items[1]->allows(1));
  CHECK(items[1]->lowest() == 0);
  CHECK(items[1]->highest() == 2);
  CHECK(fw.has_total());
}

TEST_CASE("band_for gives the later band on a shared boundary") {
  Scoring s;
  s.bands = {{"low", "Low", 7, 20.5}, {"high", "High", 20.5, 35}};
  CHECK(s.band_for(7)->id == "low");
  CHECK(s.band_for(20.49)->id == "low");
  CHECK(s.band_for(20.5)->id == "high");
  CHECK(s.band_for(35)->id == "high");
  CHECK(s.band_for(6.9) == nullptr);
}

TEST_CASE("parse_framework reports a YAML syntax error with its location") {
  auto load = parse("id: demo\nname: [Demo\nversion: 1\n");
  REQUIRE(load.problems.size() == 1);
  CHECK(load.problems[0].line >= 2);
  CHECK(to_string(load.problems[0]).rfind("t.yaml:", 0) == 0);
  CHECK(load.problems[0].message.find("YAML syntax error") == 0);
  CHECK_FALSE(load.ok());
}

TEST_CASE("parse_framework reports an empty file and a non-mapping") {
  CHECK(problems(parse("")) ==
        "t.yaml:1:1: empty file; expected a mapping with id, name, version, source, licence "
        "and domains\n");
  CHECK(problems(parse("- a\n- b\n")) ==
        "t.yaml:1:1: expected a mapping with id, name, version, source, licence and domains, "
        "got a list\n");
}

TEST_CASE("parse_framework reports every missing required key") {
  auto load = parse("id: demo\ndescription: x\n");
  CHECK(problems(load) ==
        "t.yaml:1:1: name: missing required key 'name'; expected a text\n"
        "t.yaml:1:1: version: missing required key 'version'; expected a text\n"
        "t.yaml:1:1: source: missing required key 'source'; expected a text\n"
        "t.yaml:1:1: licence: missing required key 'licence'; expected a text\n"
        "t.yaml:1:1: domains: missing required key 'domains'; expected a list of domains, each "
        "with id, name and measures\n");
  CHECK_FALSE(load.framework.has_value());
}

TEST_CASE("parse_framework reports unknown keys with a suggestion") {
  auto load = parse(std::string(kHeader) + "license: x\n" + kStatusBody + "        nautre: hard\n");
  CHECK(has_problem(load, "t.yaml:6:1: license: unknown key 'license' (did you mean 'licence'?)",
                    "expected one of: id, name"));
  CHECK(has_problem(load,
                    "t.yaml:16:9: domains[0].measures[0].nautre: unknown key 'nautre' "
                    "(did you mean 'nature'?)",
                    ""));
  CHECK(load.problems.size() == 2);
}

TEST_CASE("parse_framework reports wrong types with what was found") {
  auto load = parse(
      "id: demo\nname: [a, b]\nversion: 1\nsource: s\nlicence: l\nrules: text\n"
      "domains: {a: 1}\n");
  CHECK(problems(load) ==
        "t.yaml:2:7: name: expected a text, got a list\n"
        "t.yaml:6:8: rules: expected a list of texts, got 'text'\n"
        "t.yaml:7:10: domains: expected a list of domains, got a mapping\n");
}

TEST_CASE("parse_framework reports invalid ids and duplicate domain and measure ids") {
  auto load = parse(std::string(kHeader) +
                    "domains:\n"                                                 // 6
                    "  - id: Safety Domain\n"                                    // 7
                    "    name: S\n"                                              // 8
                    "    measures:\n"                                            // 9
                    "      - {id: m1, name: M, type: signal, nature: soft}\n"    // 10
                    "  - id: d2\n"                                               // 11
                    "    name: D2\n"                                             // 12
                    "    measures:\n"                                            // 13
                    "      - {id: m1, name: M, type: signal, nature: soft}\n"    // 14
                    "  - id: d2\n"                                               // 15
                    "    name: D2 again\n"                                       // 16
                    "    measures:\n"                                            // 17
                    "      - {id: m2, name: M, type: signal, nature: soft}\n");  // 18
  CHECK(problems(load) ==
        "t.yaml:7:9: domains[0].id: invalid id 'Safety Domain'; expected lowercase letters, "
        "digits, '_' or '-' only\n"
        "t.yaml:14:14: domains[1].measures[0].id: duplicate measure id 'm1' (first given at "
        "line 10); measure ids must be unique across all domains\n"
        "t.yaml:15:9: domains[2].id: duplicate domain id 'd2' (first given at line 11)\n");
}

TEST_CASE("parse_framework rejects empty domain and measure lists") {
  CHECK(problems(parse(std::string(kHeader) + "domains: []\n")) ==
        "t.yaml:6:10: domains: empty list; expected at least one of domains\n");
  CHECK(problems(
            parse(std::string(kHeader) + "domains:\n  - id: d\n    name: D\n    measures: []\n")) ==
        "t.yaml:9:15: domains[0].measures: empty list; expected at least one of measures\n");
}

TEST_CASE("parse_framework reports unknown type and nature with suggestions") {
  auto load = parse(std::string(kHeader) +
                    "domains:\n  - id: d\n    name: D\n    measures:\n"
                    "      - {id: m, name: M, type: scael, nature: sfot}\n");
  CHECK(problems(load) ==
        "t.yaml:10:32: domains[0].measures[0].type: unknown measure type 'scael' (did you mean "
        "'scale'?); expected status|scale|milestone|signal|goal\n"
        "t.yaml:10:47: domains[0].measures[0].nature: unknown nature 'sfot' (did you mean "
        "'soft'?); expected hard|soft\n");
}

TEST_CASE("parse_framework checks scale item ranges and allowed values") {
  auto load = parse(scale_framework("scoring: {direction: higher_is_better}\n",
                                    item("a", "min: 5, max: 1") +                   // line 11
                                        item("b", "values: []") +                   // 12
                                        item("c", "values: [0, 2, 2]") +            // 13
                                        item("d", "min: 0, max: 4, values: [1]") +  // 14
                                        item("e", "weight: 0, min: 1, max: 2") +    // 15
                                        item("f", "max: 3") +                       // 16
                                        item("g", "min: 1.5, max: 3")));            // 17
  CHECK(problems(load) ==
        "t.yaml:11:58: domains[0].measures[0].min: min 5 is greater than max 1; expected min <= "
        "max\n"
        "t.yaml:12:61: domains[0].measures[1].values: empty list; expected the allowed "
        "whole-number values of this item\n"
        "t.yaml:13:68: domains[0].measures[2].values[2]: duplicate value 2; each allowed value is "
        "listed once\n"
        "t.yaml:14:77: domains[0].measures[3].values: give either min and max, or values, not "
        "both\n"
        "t.yaml:15:61: domains[0].measures[4].weight: 0 is not allowed; expected a number "
        "greater than 0\n"
        "t.yaml:16:9: domains[0].measures[5].min: missing required key 'min'; a scale measure "
        "needs both min and max\n"
        "t.yaml:17:58: domains[0].measures[6].min: expected a whole number, got '1.5'\n");
}

TEST_CASE("parse_framework rejects keys that do not fit the measure type") {
  auto load = parse(std::string(kHeader) +
                    "domains:\n  - id: d\n    name: D\n    measures:\n"
                    "      - {id: m, name: M, type: status, nature: soft, min: 1, sustain: 6 "
                    "months}\n");
  CHECK(problems(load) ==
        "t.yaml:10:59: domains[0].measures[0].min: 'min' applies only to scale measures; this "
        "measure's type is status\n"
        "t.yaml:10:71: domains[0].measures[0].sustain: 'sustain' applies only to milestone "
        "measures; this measure's type is status\n");
}

TEST_CASE("parse_framework reads sustain periods and rejects bad durations") {
  auto ok = parse(std::string(kHeader) +
                  "domains:\n  - id: d\n    name: D\n    measures:\n"
                  "      - {id: m, name: M, type: milestone, nature: hard, sustain: 6 months}\n");
  REQUIRE(problems(ok) == "");
  CHECK(*ok.framework->measures[0].sustain == Duration{6, Duration::Unit::Months});

  auto bad = parse(std::string(kHeader) +
                   "domains:\n  - id: d\n    name: D\n    measures:\n"
                   "      - {id: m, name: M, type: milestone, nature: hard, sustain: 6 monts}\n");
  CHECK(problems(bad) ==
        "t.yaml:10:66: domains[0].measures[0].sustain: invalid duration '6 monts'; expected "
        "\"N days|N weeks|N months\" with N > 0 (did you mean '6 months'?)\n");
}

TEST_CASE("parse_framework requires a direction and scale items for totals") {
  auto no_scoring = parse(scale_framework("", item("a", "min: 1, max: 5")));
  CHECK(problems(no_scoring) ==
        "t.yaml:10:9: scoring.direction: missing; the framework has scale measures, so a scoring "
        "section with direction: higher_is_better|lower_is_better is required\n");

  auto no_direction =
      parse(scale_framework("scoring:\n  total: sum\n", item("a", "min: 1, max: 5")));
  CHECK(problems(no_direction) ==
        "t.yaml:7:3: scoring.direction: missing required key 'direction'; the framework has "
        "scale measures, so expected higher_is_better|lower_is_better\n");

  auto no_items = parse(std::string(kHeader) + "scoring:\n  total: weighted_sum\n" +
                        "domains:\n  - id: d\n    name: D\n    measures:\n"
                        "      - {id: m, name: M, type: signal, nature: soft}\n");
  CHECK(problems(no_items) ==
        "t.yaml:7:10: scoring.total: total 'weighted_sum' needs scale measures, but the "
        "framework has none\n");
}

TEST_CASE("parse_framework checks the conversion table against every reachable raw total") {
  // Items 1..2 and {0, 3}: reachable sums are 1, 2, 4, 5 (3 cannot be reached).
  const std::string items = item("a", "min: 1, max: 2") + item("b", "values: [0, 3]");
  auto ok =
      parse(scale_framework("scoring:\n  total: sum\n  direction: higher_is_better\n"
                            "  conversion: {1: 10, 2: 20.5, 4: 40, 5: 50}\n",
                            items));
  REQUIRE(problems(ok) == "");
  CHECK(ok.framework->scoring.conversion.size() == 4);
  CHECK(ok.framework->scoring.conversion.at(2) == doctest::Approx(20.5));

  auto bad =
      parse(scale_framework("scoring:\n  total: sum\n  direction: higher_is_better\n"  // lines 6-8
                            "  conversion: {1: 10, 3: 30, 5: 50, 9: 90}\n",            // line 9
                            items));
  CHECK(problems(bad) ==
        "t.yaml:9:15: scoring.conversion: does not cover reachable raw totals 2, 4; expected a "
        "score for every raw total 1..5\n"
        "t.yaml:9:23: scoring.conversion.3: raw total 3 cannot be reached; reachable totals are "
        "1..5 (but not this one)\n"
        "t.yaml:9:37: scoring.conversion.9: raw total 9 cannot be reached; reachable totals are "
        "1..5\n");

  auto no_total = parse(
      scale_framework("scoring:\n  direction: higher_is_better\n  conversion: {1: 1}\n", items));
  CHECK(problems(no_total) ==
        "t.yaml:8:15: scoring.conversion: a conversion table needs total: sum or weighted_sum "
        "(it converts the raw total)\n");
}

TEST_CASE("parse_framework computes weighted reachable totals for a conversion table") {
  // a: 0..1 weight 2, b: 0..1 → totals 0, 1, 2, 3.
  auto load =
      parse(scale_framework("scoring:\n  total: weighted_sum\n  direction: higher_is_better\n"
                            "  conversion: {0: 0, 1: 1, 2: 2}\n",
                            item("a", "min: 0, max: 1, weight: 2") + item("b", "min: 0, max: 1")));
  CHECK(problems(load) ==
        "t.yaml:9:15: scoring.conversion: does not cover reachable raw total 3; expected a score "
        "for every raw total 0..3\n");
}

TEST_CASE("parse_framework checks that whole-number bands cover the score range exactly") {
  const std::string items = item("a", "min: 0, max: 4") + item("b", "min: 0, max: 4");  // 0..8
  auto ok = parse(scale_framework(
      "scoring:\n  total: sum\n  direction: higher_is_better\n"
      "  bands: [{id: a, name: A, min: 0, max: 3}, {id: b, name: B, min: 4, max: 8}]\n",
      items));
  CHECK(problems(ok) == "");

  auto bad = parse(
      scale_framework("scoring:\n  total: sum\n  direction: higher_is_better\n"
                      "  bands:\n"                                 // 9
                      "    - {id: a, name: A, min: 1, max: 3}\n"   // 10
                      "    - {id: b, name: B, min: 3, max: 5}\n"   // 11 overlap
                      "    - {id: c, name: C, min: 7, max: 7}\n",  // 12 gap, and ends short of 8
                      items));
  CHECK(problems(bad) ==
        "t.yaml:10:29: scoring.bands[0].min: the first band starts at 1 but scores start at 0; "
        "bands must cover the score range 0..8\n"
        "t.yaml:11:29: scoring.bands[1].min: band 'b' (min 3) overlaps band 'a' (max 3); "
        "expected min 4 (scores are whole numbers, so bands are inclusive whole-number ranges "
        "and each band starts 1 above the previous band's max; list bands from lowest to "
        "highest)\n"
        "t.yaml:12:29: scoring.bands[2].min: gap between band 'b' (max 5) and band 'c' (min 7); "
        "expected min 6 (scores are whole numbers, so bands are inclusive whole-number ranges "
        "and each band starts 1 above the previous band's max)\n"
        "t.yaml:12:37: scoring.bands[2].max: the last band ends at 7 but scores end at 8; bands "
        "must cover the score range 0..8\n");
}

TEST_CASE("bands on converted scores must meet exactly at shared boundaries") {
  const std::string items = item("a", "min: 1, max: 2");
  const std::string head =
      "scoring:\n  total: sum\n  direction: higher_is_better\n  conversion: {1: 7.5, 2: 9.5}\n";
  auto ok = parse(scale_framework(
      head +
          "  bands: [{id: a, name: A, min: 7.5, max: 8.5}, {id: b, name: B, min: 8.5, max: 9.5}]\n",
      items));
  CHECK(problems(ok) == "");
  auto gap = parse(scale_framework(
      head +
          "  bands: [{id: a, name: A, min: 7.5, max: 8.5}, {id: b, name: B, min: 9.5, max: 9.5}]\n",
      items));
  CHECK(has_problem(gap, "t.yaml:10:71: scoring.bands[1].min: gap between band 'a' (max 8.5)",
                    "expected min 8.5 (scores are fractional"));
}

TEST_CASE("bands without a total classify item values, and need whole numbers") {
  auto load = parse(scale_framework(
      "scoring:\n  direction: higher_is_better\n"
      "  bands: [{id: a, name: A, min: 1, max: 5.5}, {id: b, name: B, min: 6, max: 10}]\n",
      item("x", "min: 1, max: 10") + item("y", "min: 1, max: 10")));
  CHECK(problems(load) ==
        "t.yaml:8:41: scoring.bands[0].max: 5.5 is not a whole number; scores are whole numbers, "
        "so bands are inclusive whole-number ranges and each band starts 1 above the previous "
        "band's max\n");
}

TEST_CASE("parse_framework checks reliability, reference SD and minimum interval") {
  auto load =
      parse(scale_framework("scoring:\n"                                 // 6
                            "  direction: higher_is_better\n"            // 7
                            "  reliability: {value: 1.2, kind: alfa}\n"  // 8
                            "  reference_sd: -1\n"                       // 9
                            "  minimum_interval: 4 fortnights\n"         // 10
                            "  missing: skip\n",                         // 11
                            item("a", "min: 1, max: 5")));
  CHECK(problems(load) ==
        "t.yaml:8:24: scoring.reliability.value: 1.2 is outside (0, 1); expected a reliability "
        "coefficient between 0 and 1, exclusive\n"
        "t.yaml:8:35: scoring.reliability.kind: unknown reliability kind 'alfa' (did you mean "
        "'alpha'?); expected test_retest|alpha\n"
        "t.yaml:9:17: scoring.reference_sd: -1 is not allowed; expected a number greater than 0\n"
        "t.yaml:10:21: scoring.minimum_interval: invalid duration '4 fortnights'; expected \"N "
        "days|N weeks|N months\" with N > 0\n"
        "t.yaml:11:12: scoring.missing: unknown missing-item rule 'skip'; expected "
        "incomplete|prorate\n");
}

TEST_CASE("parse_framework reads a custom status set and checks it") {
  auto ok = parse(std::string(kHeader) +
                  "statuses:\n"
                  "  - {id: yes, name: Achieved, means: achieved}\n"
                  "  - {id: partly, name: Partly achieved, means: partial}\n"
                  "  - {id: no, name: Not achieved, means: not_achieved}\n"
                  "  - {id: later, name: Not a priority now, means: not_relevant}\n" +
                  kStatusBody);
  REQUIRE(problems(ok) == "");
  CHECK(ok.framework->statuses.size() == 4);
  CHECK(ok.framework->status_for(StatusMeaning::Partial) == "partly");
  CHECK(ok.framework->statuses[3].name == "Not a priority now");

  auto bad = parse(std::string(kHeader) +
                   "statuses:\n"                                          // 6
                   "  - {id: done, name: Done, means: achieve}\n"         // 7
                   "  - {id: done, name: Done again, means: achieved}\n"  // 8
                   "  - {id: x, name: X, means: not_relevant}\n" +        // 9
                   kStatusBody);
  CHECK(problems(bad) ==
        "t.yaml:7:35: statuses[0].means: unknown meaning 'achieve' (did you mean 'achieved'?); "
        "expected achieved|partial|not_achieved|not_relevant\n"
        "t.yaml:8:10: statuses[1].id: duplicate status id 'done' (first given at line 7)\n");

  auto lacking = parse(std::string(kHeader) +
                       "statuses:\n"
                       "  - {id: a, name: A, means: not_achieved}\n"
                       "  - {id: b, name: B, means: not_relevant}\n" +
                       kStatusBody);
  CHECK(problems(lacking) ==
        "t.yaml:7:3: statuses: no status means achieved, partial; a status set needs one status "
        "meaning each of achieved, partial and not_achieved (used when deriving statuses from "
        "needs)\n");
}

TEST_CASE("parse_framework requires a goal scale for goal measures and checks it") {
  const std::string goal_body =
      "domains:\n  - id: d\n    name: D\n    measures:\n"
      "      - {id: goal, name: Goal, type: goal, nature: soft}\n";
  auto missing = parse(std::string(kHeader) + goal_body);
  CHECK(problems(missing) ==
        "t.yaml:10:9: domains[0].measures[0]: a goal measure needs a top-level goal_scale (e.g. "
        "goal_scale: {min: -2, max: 2, baseline: -1, rho: 0.3})\n");

  auto ok = parse(std::string(kHeader) + "goal_scale: {levels: {-2: much less, 2: much more}}\n" +
                  goal_body);
  REQUIRE(problems(ok) == "");
  const GoalScale& g = *ok.framework->goal_scale;
  CHECK(g.min == -2);
  CHECK(g.max == 2);
  CHECK(g.baseline == -1);
  CHECK(g.rho == doctest::Approx(0.3));
  CHECK(g.levels.at(-2) == "much less");
  CHECK(ok.framework->is_goal_framework());

  auto inverted = parse(std::string(kHeader) + "goal_scale: {min: 2, max: -2}\n" + goal_body);
  CHECK(problems(inverted) ==
        "t.yaml:6:19: goal_scale.min: min 2 is not below max -2; expected min < max (e.g. -2 and "
        "2)\n");
  auto baseline =
      parse(std::string(kHeader) + "goal_scale: {min: 0, max: 4, baseline: 5}\n" + goal_body);
  CHECK(problems(baseline) ==
        "t.yaml:6:40: goal_scale.baseline: baseline 5 is outside the scale; expected 0..4\n");
}

TEST_CASE("parse_framework reports duplicate keys in one mapping") {
  auto load = parse(std::string(kHeader) + "name: Again\n" + kStatusBody);
  CHECK(problems(load) == "t.yaml:6:1: name: duplicate key 'name' (first given at line 2)\n");
}

TEST_CASE("parse_framework reports many problems at once, in file order") {
  auto load = parse(
      "id: Demo\n"                                                                   // 1
      "name: Demo\n"                                                                 // 2
      "version: 1\n"                                                                 // 3
      "source: s\n"                                                                  // 4
      "licence: l\n"                                                                 // 5
      "scoring: {total: sum, direction: up}\n"                                       // 6
      "domains:\n"                                                                   // 7
      "  - id: d\n"                                                                  // 8
      "    name: D\n"                                                                // 9
      "    measures:\n"                                                              // 10
      "      - {id: a, name: A, type: scale, nature: soft, min: 3, max: 1}\n"        // 11
      "      - {id: b, name: B, type: milestone, nature: hard, sustain: 6 monts}\n"  // 12
      "      - {id: a, name: A2, type: signal, nature: soft}\n");                    // 13
  CHECK(load.problems.size() == 5);
  CHECK(has_problem(load, "t.yaml:1:5: id: invalid id 'Demo'", ""));
  CHECK(has_problem(load, "t.yaml:6:34: scoring.direction: unknown direction 'up'", ""));
  CHECK(has_problem(load, "t.yaml:11:58: domains[0].measures[0].min: min 3 is greater", ""));
  CHECK(has_problem(load, "t.yaml:12:66: domains[0].measures[1].sustain: invalid duration", ""));
  CHECK(has_problem(load, "t.yaml:13:14: domains[0].measures[2].id: duplicate measure id 'a'", ""));
  CHECK_FALSE(load.framework.has_value());
}

TEST_CASE("to_string of a diagnostic leaves out unknown parts") {
  CHECK(to_string(Diagnostic{"f.yaml", 3, 7, "a.b", "bad"}) == "f.yaml:3:7: a.b: bad");
  CHECK(to_string(Diagnostic{"f.yaml", 0, 0, "", "no such file"}) == "f.yaml: no such file");
  CHECK(to_string(Diagnostic{"f.yaml", 2, 1, "", "oops"}) == "f.yaml:2:1: oops");
}

TEST_CASE("framework_to_json gives the full structure with stable keys") {
  auto load =
      parse(scale_framework("notice: (c) someone\n"
                            "scoring:\n  total: sum\n  direction: higher_is_better\n"
                            "  conversion: {3: 30, 2: 20}\n"
                            "  minimum_interval: 1 month\n",
                            item("a", "min: 1, max: 2") + item("b", "values: [1]")));
  REQUIRE(problems(load) == "");
  const auto j = framework_to_json(*load.framework);
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  CHECK(keys == std::vector<std::string>{"id", "name", "version", "content_hash", "source",
                                         "licence", "notice", "description", "rules", "statuses",
                                         "scoring", "goal_scale", "domains"});
  CHECK(j["notice"] == "(c) someone");
  CHECK(j["statuses"][1]["means"] == "partial");
  CHECK(j["scoring"]["conversion"].dump() == R"([{"raw":2,"score":20.0},{"raw":3,"score":30.0}])");
  CHECK(j["scoring"]["minimum_interval"] == "1 month");
  CHECK(j["scoring"]["reliability"].is_null());
  CHECK(j["goal_scale"].is_null());
  const auto& m = j["domains"][0]["measures"];
  CHECK(m.size() == 2);
  CHECK(m[0].dump() ==
        R"({"id":"a","name":"a","type":"scale","nature":"soft","definition":"","indicators":[],)"
        R"("min":1,"max":2,"values":null,"weight":1.0,"label":"","sustain":null,"anchors":[]})");
  CHECK(m[1]["values"].dump() == "[1]");
}

TEST_CASE("load_framework applies a local wording file beside the framework") {
  const auto dir = std::filesystem::temp_directory_path() / "outcomes_test_framework_local";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "demo.yaml")
        << scale_framework("scoring: {direction: higher_is_better}\n", item("a", "min: 0, max: 2"));
    std::ofstream(dir / "demo.local.yaml") << "labels: {a: Licensed wording}\n"
                                              "anchors: {a: {0: never, 2: always}}\n";
  }
  auto load = load_framework(dir / "demo.yaml");
  REQUIRE(problems(load) == "");
  const Measure* a = load.framework->find_measure("a");
  CHECK(a->label == "Licensed wording");
  CHECK(a->anchors.at(2) == "always");
  CHECK(load.framework->path == dir / "demo.yaml");

  std::ofstream(dir / "demo.local.yaml") << "labels: {aa: x}\n"
                                            "anchors: {a: {3: too high}}\n"
                                            "extra: 1\n";
  auto bad = load_framework(dir / "demo.yaml");
  const std::string local = (dir / "demo.local.yaml").string();
  CHECK(problems(bad) == local +
                             ":1:10: labels.aa: unknown measure 'aa' in framework 'demo' (did you "
                             "mean 'a'?)\n" +
                             local +
                             ":2:15: anchors.a.3: '3' is not an allowed value of item 'a'; "
                             "expected 0..2\n" +
                             local +
                             ":3:1: extra: unknown key 'extra'; expected one of: labels, "
                             "anchors\n");
  CHECK_FALSE(bad.framework.has_value());
  std::filesystem::remove_all(dir);
}

TEST_CASE("load_framework_or_throw lists every problem in InvalidInput") {
  const auto dir = std::filesystem::temp_directory_path() / "outcomes_test_framework_throw";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "bad.yaml") << "id: bad\n";
  try {
    load_framework_or_throw(dir / "bad.yaml");
    FAIL("expected InvalidInput");
  } catch (const InvalidInput& e) {
    CHECK(e.problems().size() == 5);
    CHECK(std::string(e.what()).find("(5 problems)") != std::string::npos);
    CHECK(e.exit_code() == 3);
  }
  auto missing = load_framework(dir / "none.yaml");
  CHECK(problems(missing) == (dir / "none.yaml").string() + ": no such file\n");
  std::filesystem::remove_all(dir);
}

TEST_CASE("parse_framework refuses a second document and control characters by line") {
  CHECK(problems(parse("id: demo\n...\nid: other\n")).find(
            "t.yaml:3:1: a second YAML document; expected one document per file") == 0);
  CHECK(problems(parse("id: de\x1bmo\n")) ==
        "t.yaml:1:7: a control character (\\x1b at byte 7); expected UTF-8 text without "
        "control characters\n");
  CHECK(problems(parse("id: demo\nname: \"Demo\nversion: 1\n")).find(
            "t.yaml:3:1: 'version' was not read as a key") == 0);
}
