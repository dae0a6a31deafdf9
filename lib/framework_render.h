// The renderers of frameworks: `frameworks show` (table and JSON) and `frameworks list`.
#pragma once
#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

#include "framework.h"

namespace outcomes {

// The full parsed structure as JSON (the public contract of `frameworks show --format json`),
// with keys in a fixed documented order.
nlohmann::ordered_json framework_to_json(const Framework& framework);

// A readable summary of a framework (what `frameworks show` prints as a table): source,
// licence, notice, statuses, every domain with its measures, scoring, bands, reliability.
void render_framework_summary(std::ostream& out, const Framework& framework);
// A table of frameworks (id, name, version, measures, source), one line each, in the given order.
void render_framework_list(std::ostream& out, const std::vector<Framework>& frameworks);
// The same list as JSON: [{id, name, version, content_hash, measures, source, file}].
nlohmann::ordered_json framework_list_to_json(const std::vector<Framework>& frameworks);

}  // namespace outcomes
