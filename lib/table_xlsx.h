// Excel workbooks (.xlsx) from typed tables, written with libxlsxwriter.
#pragma once
#include <cstddef>
#include <ctime>
#include <filesystem>
#include <memory>

#include "table.h"

namespace outcomes {

// The data rows an Excel sheet holds below its header row.
inline constexpr std::size_t kXlsxMaxDataRows = 1048576 - 1;

// How a workbook is written.
struct XlsxOptions {
  std::time_t created = 0;                        // the workbook's creation time; 0: now
  std::size_t rows_per_sheet = kXlsxMaxDataRows;  // data rows before a table goes on
};

// A sink writing every table into one workbook at `file` (through NamedOutput: owner-only,
// complete or not at all; the target is checked at once). Each table is a sheet named after
// it (cut to Excel's 31 characters and made unique, ignoring case, with "_2", "_3"...); a
// table with more rows than `rows_per_sheet` goes on in further sheets named the same way,
// each with the header. The header row holds the column names, bold and frozen; column labels
// and the rest of the data dictionary are not repeated as comments (the producer sends the
// dictionary as a table of its own). Dates are date cells formatted yyyy-mm-dd (yyyy-mm at
// month precision; a date before 1900-03-01 or after 9999-12-31, which Excel cannot show, is
// written as that text); numbers and integers are number cells (an integer beyond 2^53, which
// a spreadsheet cannot hold exactly, is written as text); booleans are boolean cells; text
// that a spreadsheet would run as a formula gets a leading ' (text::csv_needs_neutralising).
// Rows are streamed (libxlsxwriter's constant memory mode). Error when a text cell is over
// Excel's 32,767 characters, a row does not fit the table, or the file cannot be written.
std::unique_ptr<TableSink> make_xlsx_sink(const std::filesystem::path& file,
                                          const XlsxOptions& options = {});

}  // namespace outcomes
