#include "fhir.h"

#include <doctest/doctest.h>

#include <sstream>

#include "hash.h"
#include "store.h"
#include "test_support.h"

using namespace outcomes;
using namespace outcomes::testing;

namespace {

const char* kYaml = R"(id: mood_check
name: Mood check
version: "2.1"
source: "test"
licence: "free to use"
scoring:
  total: sum
  direction: higher_is_better
domains:
  - id: mood
    name: Mood
    measures:
      - {id: calm, name: Calm, type: scale, nature: soft, min: 0, max: 4}
      - {id: sleep, name: Sleep, type: scale, nature: soft, values: [0, 2, 4]}
      - {id: housed, name: Housed, type: status, nature: hard}
)";

NewEntry item(const std::string& person, const char* date, const char* measure, int value) {
  NewEntry e = make(person, date, EntryKind::Assessment);
  e.framework = "mood_check";
  e.measure = measure;
  e.value = value;
  return e;
}

std::vector<nlohmann::json> lines_of(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

}  // namespace

TEST_CASE("a framework becomes an R4 Questionnaire with its items' allowed answers") {
  Framework f = framework_from(kYaml);
  auto q = fhir_questionnaire(f);
  CHECK(q["resourceType"] == "Questionnaire");
  CHECK(q["id"] == "mood-check");  // '_' is not allowed in a FHIR id
  CHECK(q["name"] == "MoodCheck");
  CHECK(q["status"] == "active");  // required in R4
  CHECK(q["url"] == "urn:outcomes:questionnaire:mood_check");
  CHECK(q["version"] == "2.1");
  REQUIRE(q["item"].size() == 3);
  CHECK(q["item"][0]["linkId"] == "calm");
  CHECK(q["item"][0]["type"] == "integer");
  CHECK(q["item"][0]["answerOption"].size() == 5);
  CHECK(q["item"][1]["answerOption"][1]["valueInteger"] == 2);
  CHECK(q["item"][2]["type"] == "choice");
  CHECK(q["item"][2]["answerOption"][0]["valueCoding"]["code"] == "achieved");
  for (const auto& i : q["item"]) {  // linkId and type are required on every item
    CHECK(i.contains("linkId"));
    CHECK(i.contains("type"));
  }
}

TEST_CASE("a framework without items or statuses has no Questionnaire") {
  Framework f = shipped("goals");
  CHECK(error_of([&] { fhir_questionnaire(f); }).find("no scale items") != std::string::npos);
}

TEST_CASE("each occasion becomes a QuestionnaireResponse about a pseudonym") {
  TempDir dir("fhir");
  Framework f = framework_from(kYaml);
  auto store = create_store(dir.path / "outcomes.db");
  {
    auto tx = store->begin();
    for (const auto& e : {item("P2", "2026-01-05", "calm", 1), item("P2", "2026-01-05", "sleep", 2),
                          item("P2", "2026-03-05", "calm", 3),  // sleep missing: incomplete
                          item("P1", "2026-02-10", "calm", 4), item("P1", "2026-02-10", "sleep", 4),
                          item("P1", "2026-12-01", "calm", 0), item("P1", "2026-12-01", "sleep", 0)})
      tx->append(e, "2026-01-01T00:00:00Z");
    tx->commit();
  }
  FhirResponseOptions options;
  options.as_of = day("2026-06-30");  // P1's December occasion is after it
  options.subject_system = "urn:test:pseudonym";
  options.subject = [](const std::string& ref) { return hmac_sha256_hex("key", ref).substr(0, 8); };
  std::ostringstream out;
  auto summary = write_fhir_responses(*store, {f}, options, out);
  CHECK(summary.responses == 3);
  CHECK(summary.people == 2);
  auto lines = lines_of(out.str());
  REQUIRE(lines.size() == 3);
  const std::string p1 = options.subject("P1"), p2 = options.subject("P2");
  // Ordered by subject identifier, not by reference.
  CHECK(lines[0]["subject"]["identifier"]["value"] == std::min(p1, p2));
  for (const auto& r : lines) {
    CHECK(r["resourceType"] == "QuestionnaireResponse");
    CHECK(r["questionnaire"] == "urn:outcomes:questionnaire:mood_check|2.1");
    CHECK(r["subject"]["identifier"]["system"] == "urn:test:pseudonym");
    CHECK(r.dump().find("P1") == std::string::npos);
    CHECK(r.dump().find("P2") == std::string::npos);
  }
  const auto& first_p2 = lines[p2 < p1 ? 0 : 1];
  CHECK(first_p2["authored"] == "2026-01-05");
  CHECK(first_p2["status"] == "completed");
  CHECK(first_p2["item"][1]["linkId"] == "sleep");
  CHECK(first_p2["item"][1]["answer"][0]["valueInteger"] == 2);
  const auto& second_p2 = lines[p2 < p1 ? 1 : 2];
  CHECK(second_p2["status"] == "in-progress");
  CHECK(second_p2["item"].size() == 1);
  CHECK(first_p2["id"] != second_p2["id"]);

  SUBCASE("coarsened dates show the month only") {
    options.dates = DatePrecision::Month;
    std::ostringstream month;
    write_fhir_responses(*store, {f}, options, month);
    for (const auto& r : lines_of(month.str())) CHECK(r["authored"].get<std::string>().size() == 7);
  }
  SUBCASE("a from date leaves earlier occasions out") {
    options.from = day("2026-02-01");
    std::ostringstream later;
    CHECK(write_fhir_responses(*store, {f}, options, later).responses == 2);
  }
}
