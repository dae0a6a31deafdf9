// SPSS (.sav) and Stata (.dta) files from typed tables, written with libreadstat.
#pragma once
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "table.h"

namespace outcomes {

enum class StatFormat { Sav, Dta };

// ".sav" or ".dta".
std::string_view file_extension(StatFormat format);

// Why `name` cannot be a variable name in `format`, in words; nullopt when it can. SPSS: 1 to
// 64 bytes, an ASCII letter then letters, digits, '_' and '.', not ending in '.', not one of
// its reserved words (ALL, AND, BY, EQ, GE, GT, LE, LT, NE, NOT, OR, TO, WITH, any case).
// Stata: 1 to 32 characters, a letter or '_' then letters, digits and '_', not one of its
// reserved words (byte, double, float, if, in, int, long, strL, str#, using, with, _all, _b,
// _coef, _cons, _n, _N, _pi, _pred, _rc, _skip).
std::optional<std::string> stat_name_problem(StatFormat format, std::string_view name);

// How the stat files are stamped.
struct StatOptions {
  std::time_t created = 0;  // the creation time written into each file; 0: now
};

// A sink writing each table as an SPSS or Stata file: into folder `target` (created when
// missing) as "<table name>.sav" / ".dta", one file per table; or, when `folder` is false, as
// the file `target`, which takes exactly one table (Error when a second begins). Each file is
// written through write_output (owner-only, complete or not at all). Rows are spooled to an
// owner-only unnamed file (in the target's folder, else the system's temporary folder) and
// replayed at end_table, since the formats need the row count and string widths first; memory
// does not grow with rows, except for Stata strL columns (below).
//
// Mapping: Column.label becomes the variable label and TableSpec.label the file label (cut,
// at a character boundary, to what the format holds: SPSS 256 bytes for a variable label,
// 120 for a value label, 64 for the file label; Stata 80 characters); the dictionary table
// has them whole. Code columns hold codes 1..n in the order of `values`, labelled with each
// value's label (its id when the label is empty); values found in the rows but not listed
// get the next codes, in sorted order, labelled with themselves. Integer columns keep their
// numbers, labelled from `values` when given. Booleans are 0/1 labelled "no"/"yes". Dates are
// SPSS dates (DATE11, also for month precision: R's readers take no month format for a
// date) and Stata %td (%tdCCYY-NN for months).
// Text is a string as wide as its longest value; in Stata a column with a value over 2045
// bytes becomes a strL (every value of that column is then held in memory until the file is
// written, as libreadstat needs), in SPSS a value over 32767 bytes is refused. Empty cells are
// system-missing (an empty string in string columns).
//
// Error when a column name breaks the format's rule (stat_name_problem) or is used twice, a
// table name is not one (check_table_name), a row has the wrong number of cells or a cell of
// the wrong type, or an integer does not fit the format exactly.
std::unique_ptr<TableSink> make_stat_sink(StatFormat format, const std::filesystem::path& target,
                                          bool folder, const StatOptions& options = {});

}  // namespace outcomes
