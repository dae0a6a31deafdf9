// The renderers of a person's journey (table, Markdown, JSON, HTML).
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "journey.h"

namespace outcomes {

// A sparkline of values scaled to [min, max] with ▁▂▃▄▅▆▇█; missing values show as '·'.
std::string sparkline(const std::vector<std::optional<double>>& values, double min, double max);

// Renderers (deterministic: stable order, fixed number formatting).
void render_journey_table(const Journey& journey, std::ostream& out);
void render_journey_markdown(const Journey& journey, std::ostream& out);
nlohmann::json journey_to_json(const Journey& journey);
void render_journey_json(const Journey& journey, std::ostream& out);
void render_journey_html(const Journey& journey, std::ostream& out);

}  // namespace outcomes
