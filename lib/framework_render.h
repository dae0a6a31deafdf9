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

// A CSV template for importing entries of `framework` with `record --from`: comment lines
// above the header (the importer skips lines starting with '#' there) naming the import
// command and each column's allowed values, then the header. A framework with scale items
// gets the wide layout (person, date, one column per item, by); any other the long one.
void render_import_template(std::ostream& out, const Framework& framework);

}  // namespace outcomes
