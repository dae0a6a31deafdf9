// Analyst-ready export tables: variable names valid in SPSS, Stata and R, the entries table's
// description, one wide assessment table per framework or one long table of occasions, and
// the data dictionary of them all. Producers stream rows to a TableSink (lib/table.h).
#pragma once
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "export.h"
#include "framework.h"
#include "store.h"
#include "table.h"

namespace outcomes {

// The most characters a variable name has (Stata's limit; SPSS allows 64).
inline constexpr std::size_t kMaxVariableName = 32;

// A variable name for the id path `path` (e.g. "item_1:baseline"): every run of characters
// other than ASCII letters and digits becomes one '_' (none at either end); "v" goes before
// a name that would not start with a letter, and "_" after a reserved word of SPSS, Stata or
// R ("_N", "BY", "if", "NA", any case); a name over kMaxVariableName characters is cut and
// ends in '_' and 6 hex digits of SHA-256(path). Depends on `path` alone.
std::string variable_name(std::string_view path);

// The names of one table: each is variable_name(path), unless another column already has
// it (names compared ignoring case, as SPSS does); then it is cut to leave room for '_' and
// 6 hex digits of SHA-256(path), and the digits move on (SHA-256 of path and "#1", "#2", …)
// until it is free. Deterministic from the paths in the order given.
class VariableNames {
 public:
  std::string add(std::string_view path);

 private:
  std::set<std::string> used_;  // lower case
};

// The table names of an export: "entries", "assessments_<framework id made safe>" (wide),
// "assessments" (long), "dictionary".
std::string assessment_table_name(std::string_view framework_id);

// The workspace frameworks an assessment export covers, in id order: those named in `ids`,
// or all of them when it is empty. UsageError for an id the workspace has no framework of.
std::vector<Framework> export_frameworks(const std::vector<Framework>& workspace,
                                         const std::vector<std::string>& ids);

// The entries table: the columns export_columns(options.audit) names, described, with the
// names the entries format has ("by" among them, which SPSS reserves).
TableSpec entries_table_spec(const ExportOptions& options);

// The assessment tables for `frameworks` (already chosen and in order): one per framework
// (wide), or the single long table.
std::vector<TableSpec> assessment_table_specs(const std::vector<Framework>& frameworks,
                                              const ExportOptions& options);

// Writes the assessment tables (as assessment_table_specs describes them) of the store's
// people (export_people) as of options.as_of, people in export order (by pseudonym under
// `key`, or by reference with options.identify). Figures are assess_store's (wide) or the
// timelines' occasions (long, filtered by options.from and options.to), rounded as `assess`
// rounds them.
void write_assessment_tables(const JourneyStore& store, const std::vector<Framework>& frameworks,
                             const ExportOptions& options, const std::string& key, TableSink& sink);

// The data dictionary table: one row per column of each of `tables`.
TableSpec dictionary_table_spec();
// Writes the dictionary of `tables` as one table (dictionary_table_spec).
void write_dictionary(const std::vector<TableSpec>& tables, TableSink& sink);

}  // namespace outcomes
