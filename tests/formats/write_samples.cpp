// Writes the sample tables (tests/unit/sample_tables.h) as files for readers outside the
// project to check: FOLDER/sample.xlsx, FOLDER/split.xlsx (three data rows a sheet, so a
// table goes on in a second sheet), FOLDER/sav/*.sav and FOLDER/dta/*.dta. Test use only.
#include <cstdio>
#include <exception>
#include <filesystem>

#include "sample_tables.h"
#include "table_stat.h"
#include "table_xlsx.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: write_samples FOLDER\n");
    return 2;
  }
  try {
    const std::filesystem::path folder = argv[1];
    const auto tables = outcomes::testing::sample_tables();
    outcomes::XlsxOptions options;
    options.created = 1767225600;  // 2026-01-01, so the workbook is the same each run
    outcomes::testing::send_tables(*outcomes::make_xlsx_sink(folder / "sample.xlsx", options),
                                   tables);
    options.rows_per_sheet = 3;
    outcomes::testing::send_tables(*outcomes::make_xlsx_sink(folder / "split.xlsx", options),
                                   tables);
    const outcomes::StatOptions stamp{options.created};
    outcomes::testing::send_tables(
        *outcomes::make_stat_sink(outcomes::StatFormat::Sav, folder / "sav", true, stamp), tables);
    outcomes::testing::send_tables(
        *outcomes::make_stat_sink(outcomes::StatFormat::Dta, folder / "dta", true, stamp), tables);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "write_samples: %s\n", e.what());
    return 1;
  }
  return 0;
}
