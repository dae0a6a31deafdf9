// The renderers of assessments (table, CSV, JSON, JSON Lines).
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <ostream>
#include <vector>

#include "assess.h"

namespace outcomes {

// Rendering (each output is deterministic: stable order, fixed number formatting).
nlohmann::json assessment_to_json(const Assessment& a, const Framework& framework);
void render_assessments_table(const std::vector<Assessment>& list,
                              const std::vector<const Framework*>& frameworks, std::ostream& out);
void render_assessments_csv(const std::vector<Assessment>& list,
                            const std::vector<const Framework*>& frameworks, std::ostream& out);
// A JSON array (2-space indent, one trailing newline) and JSON Lines (one object a line).
void render_assessments_json(const std::vector<Assessment>& list,
                             const std::vector<const Framework*>& frameworks, std::ostream& out);
void render_assessments_jsonl(const std::vector<Assessment>& list,
                              const std::vector<const Framework*>& frameworks, std::ostream& out);
// Assesses the store as assess_store does, writing each assessment as a JSON line as soon
// as it is made (the same lines as render_assessments_jsonl), so that none is held however
// large the store; returns the bookkeeping (no assessments).
StoreAssessment stream_assessments_jsonl(const JourneyStore& store,
                                         const std::vector<Framework>& frameworks,
                                         const AssessOptions& options, std::ostream& out);

}  // namespace outcomes
