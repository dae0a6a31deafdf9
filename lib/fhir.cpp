#include "fhir.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "assess.h"
#include "error.h"
#include "hash.h"
#include "timeline.h"

namespace outcomes {
namespace {

using ojson = nlohmann::ordered_json;

// A FHIR id allows letters, digits, '-' and '.', up to 64 characters; framework ids may
// also hold '_', which becomes '-'.
std::string fhir_id(std::string_view text) {
  std::string id;
  for (char c : text) {
    if (id.size() == 64) break;
    id += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ? c : '-';
  }
  return id;
}

// A Questionnaire's computer-friendly name starts with a capital letter and holds letters,
// digits and '_': the id's parts, each capitalised ("personal-outcomes" -> PersonalOutcomes).
std::string computable_name(std::string_view id) {
  std::string name;
  bool start = true;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      start = true;
      continue;
    }
    name += start ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    start = false;
  }
  if (name.empty() || !std::isupper(static_cast<unsigned char>(name[0]))) name.insert(0, "Q");
  return name;
}

// The code system of a framework's status ids.
std::string status_system(const Framework& f) { return fhir_questionnaire_url(f) + ":status"; }

// The allowed scores of a scale item, lowest first.
std::vector<int> allowed_scores(const Measure& item) {
  if (!item.values.empty()) {
    std::vector<int> scores = item.values;
    std::sort(scores.begin(), scores.end());
    return scores;
  }
  std::vector<int> scores;
  for (int v = item.min; v <= item.max; ++v) scores.push_back(v);
  return scores;
}

// Scale items with more allowed scores than this are given as a range (the minValue and
// maxValue extensions) rather than one answer option per score.
constexpr size_t kMaxAnswerOptions = 50;

}  // namespace

std::string fhir_questionnaire_url(const Framework& framework) {
  return "urn:outcomes:questionnaire:" + framework.id;
}

nlohmann::ordered_json fhir_questionnaire(const Framework& f) {
  ojson items = ojson::array();
  for (const Measure& m : f.measures) {
    if (m.type == MeasureType::Scale) {
      ojson item = {{"linkId", m.id}, {"text", m.name}, {"type", "integer"}};
      const auto scores = allowed_scores(m);
      if (scores.size() <= kMaxAnswerOptions) {
        ojson options = ojson::array();
        for (int v : scores) options.push_back({{"valueInteger", v}});
        item["answerOption"] = std::move(options);
      } else {
        item["extension"] = ojson::array(
            {{{"url", "http://hl7.org/fhir/StructureDefinition/minValue"},
              {"valueInteger", m.lowest()}},
             {{"url", "http://hl7.org/fhir/StructureDefinition/maxValue"},
              {"valueInteger", m.highest()}}});
      }
      items.push_back(std::move(item));
    } else if (m.type == MeasureType::Status) {
      ojson options = ojson::array();
      for (const StatusDef& s : f.statuses)
        options.push_back(
            {{"valueCoding", {{"system", status_system(f)}, {"code", s.id}, {"display", s.name}}}});
      items.push_back({{"linkId", m.id},
                       {"text", m.name},
                       {"type", "choice"},
                       {"answerOption", std::move(options)}});
    }
  }
  if (items.empty())
    throw UsageError(fmt::format(
        "framework '{}' has no scale items or status measures, so it has no FHIR Questionnaire",
        f.id));
  ojson q = {{"resourceType", "Questionnaire"},
             {"id", fhir_id(f.id)},
             {"url", fhir_questionnaire_url(f)},
             {"version", f.version},
             {"name", computable_name(f.id)},
             {"title", f.name},
             {"status", "active"}};
  if (!f.description.empty()) q["description"] = f.description;
  if (!f.licence.empty()) q["copyright"] = f.licence;
  q["item"] = std::move(items);
  return q;
}

FhirResponseSummary write_fhir_responses(const JourneyStore& store,
                                         const std::vector<Framework>& frameworks,
                                         const FhirResponseOptions& options, std::ostream& out) {
  if (!options.subject) throw Error("FHIR export: no subject identifier given");
  AssessOptions pass;
  pass.as_of = options.as_of;
  pass.people = options.people;
  pass.frameworks = options.frameworks;

  // Lines are held and sorted by subject, framework and date before writing: the store is
  // read in reference order, which must not show through pseudonyms.
  struct Line {
    std::string subject, framework;
    Date date;
    std::string json;
  };
  std::vector<Line> lines;
  FhirResponseSummary summary;
  for_each_timeline(store, frameworks, pass, [&](const Timeline& t) {
    std::string subject;
    bool counted = false;
    for (const FrameworkTimeline& ft : t.frameworks) {
      const PreparedFramework& p = *ft.prepared;
      if (p.items.empty()) continue;
      const Framework& f = ft.framework();
      for (size_t n = 0; n < ft.occasions.size(); ++n) {
        const Occasion& o = ft.occasions[n];
        if (options.from && o.date < *options.from) continue;
        if (subject.empty()) subject = options.subject(t.person);
        if (!counted) {
          ++summary.people;
          counted = true;
        }
        const std::string authored = options.dates == DatePrecision::Month
                                         ? format_month(o.date)
                                         : format_date(o.date);
        ojson answers = ojson::array();
        for (size_t i = 0; i < p.items.size(); ++i) {
          if (!o.values[i]) continue;
          answers.push_back({{"linkId", p.items[i]->id},
                             {"answer", ojson::array({{{"valueInteger", *o.values[i]}}})}});
        }
        // The id is derived from the subject, framework and the occasion's place in the
        // person's series, so it reveals nothing the lines do not show (a hash of the day
        // would undo coarsened dates).
        const std::string id =
            "qr-" + sha256_hex(fmt::format("{}\n{}\n{}", subject, f.id, n)).substr(0, 24);
        ojson r = {{"resourceType", "QuestionnaireResponse"},
                   {"id", id},
                   {"questionnaire", fhir_questionnaire_url(f) + "|" + f.version},
                   {"status", o.complete ? "completed" : "in-progress"},
                   {"subject",
                    {{"identifier", {{"system", options.subject_system}, {"value", subject}}}}},
                   {"authored", authored},
                   {"item", std::move(answers)}};
        lines.push_back({subject, f.id, o.date, r.dump()});
        ++summary.responses;
      }
    }
  });
  std::sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) {
    if (a.subject != b.subject) return a.subject < b.subject;
    if (a.framework != b.framework) return a.framework < b.framework;
    return a.date < b.date;
  });
  for (const Line& line : lines) out << line.json << '\n';
  return summary;
}

}  // namespace outcomes
