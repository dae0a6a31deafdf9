// Text writers of typed tables (lib/table.h): CSV and JSON Lines sinks, the folder sink that
// writes one file per table, and open_table_sink, the one place a table format is chosen.
#pragma once
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "table.h"

namespace outcomes {

// The formats tables are written in: text (CSV, JSON Lines), and files other programs open
// (an Excel workbook, SPSS and Stata data files), written by lib/table_xlsx.h and
// lib/table_stat.h.
enum class TableFormat { Csv, Jsonl, Xlsx, Sav, Dta };
std::string_view to_string(TableFormat format);
// True for the text formats, which can go to standard output.
bool is_text_format(TableFormat format);
// The format named `name` ("csv", "jsonl", "xlsx", "sav", "dta"), or nullopt when there is
// none of that name.
std::optional<TableFormat> parse_table_format(std::string_view name);
// The file name extension of a format, with its dot (".csv").
std::string_view file_extension(TableFormat format);
// True when one output of the format holds a single table (several tables need a folder).
bool holds_one_table(TableFormat format);

// A cell as CSV and JSON Lines write it: "" when empty, a number's shortest text that
// reads back the same ("3", "2.5", "-0.75"), a date as YYYY-MM-DD (YYYY-MM when `dates`
// is Month), true/false, text as it is.
std::string cell_text(const Cell& cell, DatePrecision dates);

// A sink writing a text format to `out`: CSV (the column names, then one record a row; text that a
// spreadsheet would run as a formula gets a leading '; Error on a second table) or JSON
// Lines (one object a row, keys in column order, empty cells null; with `name_tables`,
// each object starts with "table":NAME).
std::unique_ptr<TableSink> open_table_sink(TableFormat format, std::ostream& out, bool name_tables);

// A sink writing each table to `folder`/NAME plus the format's extension (the table named
// "dictionary" always as dictionary.csv), each file through write_output (owner-only,
// replaced only once complete). The folder is created owner-only (0700) when missing;
// Error when `folder` exists and is not a folder, or a table name fails check_table_name.
std::unique_ptr<TableSink> open_folder_sink(TableFormat format,
                                            const std::filesystem::path& folder);

// A sink writing a format other programs open: an Excel workbook at `target` (every table a
// sheet; never a folder), or SPSS / Stata files (into the folder `target`, one a table, when
// `folder`; else the one table into the file `target`).
std::unique_ptr<TableSink> open_file_sink(TableFormat format, const std::filesystem::path& target,
                                          bool folder);

}  // namespace outcomes
