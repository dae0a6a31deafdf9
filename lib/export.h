// Exporting journey entries in the long entries format (CSV or JSONL) that `record --from`
// reads back: pseudonymised and without free text unless asked; and the choices and
// protections every export shares (people, frameworks, pseudonym key).
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "date.h"
#include "entry.h"
#include "store.h"
#include "table.h"

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
  // The pseudonym key (from --key-file); nullopt = the store's pseudonym_secret.
  std::optional<std::string> key;
  DatePrecision dates = DatePrecision::Day;  // Month: every date coarsened to its month
  std::optional<Date> as_of;                 // assessments: as of this date (default: `to`)
  bool long_layout = false;                  // assessments: one row per occasion and item
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
// The same entries as one table (`spec`, the entries table's description) written to
// `sink` as typed rows: dates as dates, value, id and supersedes as integers; begins and
// ends the table, without finishing the sink.
ExportSummary export_entries_to_sink(const JourneyStore& store, const ExportOptions& options,
                                     const TableSpec& spec, TableSink& sink);
// The same, written to `file` by write_output (owner-only, replaced only once complete;
// a failed export leaves the old file). Error when the file cannot be written.
ExportSummary export_entries_to_file(const JourneyStore& store, const ExportOptions& options,
                                     const std::filesystem::path& file);

// The column names of the export: the long entries format, plus id, supersedes and
// reason in audit mode.
std::vector<std::string> export_columns(bool audit);

// The people an export covers: options.people (each checked against the store, sorted,
// once each), or everyone in the store. UsageError for a reference with no entries.
std::vector<std::string> export_people(const JourneyStore& store, const ExportOptions& options);

// The key pseudonyms and placeholders are made with: options.key, else the store's
// pseudonym secret. Error when the store has none.
std::string export_key(const JourneyStore& store, const ExportOptions& options);

// A pseudonym key shared between services: the bytes of `file`, one trailing newline (LF
// or CRLF) removed. UsageError when the file cannot be read, is readable by group or
// others, or holds fewer than 16 bytes.
std::string read_key_file(const std::filesystem::path& file);

// Whether an entry's free text may leave in an export: never for a private note, else
// only with `include_text`.
bool text_leaves(const Entry& entry, bool include_text);

// The people as an export names and orders them: (pseudonym under `key`, reference) sorted
// by pseudonym, or with `identify` (reference, reference). Error when two share a pseudonym.
std::vector<std::pair<std::string, std::string>> people_in_export_order(
    const std::vector<std::string>& people, std::string_view key, bool identify);

// The stable pseudonym of a person reference under a workspace's secret:
// "p-" and 16 hex digits of HMAC-SHA-256(secret, "person:" + ref).
std::string person_pseudonym(std::string_view secret, std::string_view ref);

}  // namespace outcomes
