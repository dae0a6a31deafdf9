// HL7 FHIR R4 for health partners: a framework as a Questionnaire, and each assessment
// occasion as a QuestionnaireResponse (one JSON object a line, NDJSON), its subject
// identified only by what the caller gives (a keyed pseudonym by default).
#pragma once
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "date.h"
#include "framework.h"
#include "table.h"

namespace outcomes {

class JourneyStore;

// The canonical URL of a framework's Questionnaire ("urn:outcomes:questionnaire:ID"), which
// every response names with "|VERSION".
std::string fhir_questionnaire_url(const Framework& framework);

// The framework as an R4 Questionnaire: status active, its scale items as integer
// questions whose allowed scores are the answer options, and its status measures as choice
// questions coded with the framework's status ids. Measure names are used, never a
// workspace's local (licensed) wording. Error for a framework with neither.
nlohmann::ordered_json fhir_questionnaire(const Framework& framework);

// What write_fhir_responses writes.
struct FhirResponseOptions {
  Date as_of;                                      // occasions dated on or before
  std::optional<Date> from;                        // occasions dated on or after
  std::optional<std::vector<std::string>> people;  // only these references; nullopt = all
  std::vector<std::string> frameworks;             // only these ids; empty = all with items
  DatePrecision dates = DatePrecision::Day;        // Month: `authored` is YYYY-MM
  std::string subject_system;                      // the identifier system of subjects
  // The identifier value that stands for a person reference (a pseudonym, or the reference).
  std::function<std::string(const std::string&)> subject;
};

struct FhirResponseSummary {
  std::int64_t responses = 0;
  std::int64_t people = 0;
};

// One QuestionnaireResponse a line for every assessment occasion (all item entries of a
// scale framework on one date) of the selected people: status "completed" when the
// occasion is complete, else "in-progress"; each recorded item score an integer answer.
// Ordered by subject identifier, framework and date, so the order says nothing about the
// references behind pseudonyms.
FhirResponseSummary write_fhir_responses(const JourneyStore& store,
                                         const std::vector<Framework>& frameworks,
                                         const FhirResponseOptions& options, std::ostream& out);

}  // namespace outcomes
