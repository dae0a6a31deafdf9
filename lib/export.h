// Exporting journey entries in the long entries format (CSV or JSONL) that `record --from`
// reads back: pseudonymised and without free text unless asked.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "date.h"
#include "entry.h"
#include "store.h"

namespace outcomes {

enum class ExportFormat { Csv, Jsonl };

struct ExportOptions {
  ExportFormat format = ExportFormat::Csv;
  std::optional<Date> from;             // entries dated on or after
  std::optional<Date> to;               // entries dated on or before
  std::vector<std::string> people;      // only these people (real references); empty = all
  std::vector<std::string> frameworks;  // only these frameworks' entries (entries without a
                                        // framework are always kept); empty = all
  bool identify = false;                // keep person references, refs and who recorded each entry
  bool include_text = false;            // keep free text
  bool audit = false;  // include superseded entries, with id, supersedes and reason
  // Framework ids the workspace knows, accepted in `frameworks` besides those in the store.
  std::vector<std::string> known_frameworks;
};

struct ExportSummary {
  std::int64_t entries = 0;
  std::int64_t people = 0;
};

// Writes the entries selected by `options` to `out`, in a stable order: by person (the
// pseudonym when pseudonymised, else the reference, in code point order), date and
// recording order. Throws UsageError for an unknown person or framework id.
ExportSummary export_entries(const JourneyStore& store, const ExportOptions& options,
                             std::ostream& out);
// The same, written to `file` by write_output (owner-only, replaced only once complete;
// a failed export leaves the old file). Error when the file cannot be written.
ExportSummary export_entries_to_file(const JourneyStore& store, const ExportOptions& options,
                                     const std::filesystem::path& file);

// The column names of the export: the long entries format, plus id, supersedes and
// reason in audit mode.
std::vector<std::string> export_columns(bool audit);

// The stable pseudonym of a person reference under a workspace's secret:
// "p-" and 16 hex digits of HMAC-SHA-256(secret, "person:" + ref).
std::string person_pseudonym(std::string_view secret, std::string_view ref);

}  // namespace outcomes
