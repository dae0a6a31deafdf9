#include <doctest/doctest.h>

#include <cctype>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "assess.h"
#include "export.h"
#include "export_tables.h"
#include "store.h"
#include "test_support.h"

using namespace outcomes;

namespace {

using outcomes::testing::make;
using outcomes::testing::shipped;
using outcomes::testing::TempDir;

// A name SPSS, Stata and R all accept: ASCII letters, digits and '_', a letter first, at
// most 32 characters.
bool valid_everywhere(const std::string& name) {
  if (name.empty() || name.size() > kMaxVariableName) return false;
  if (!std::isalpha(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

// Keeps what a producer writes.
struct CaptureSink : TableSink {
  std::vector<TableSpec> specs;
  std::vector<std::vector<Row>> rows;
  bool finished = false;
  void begin_table(const TableSpec& spec) override {
    specs.push_back(spec);
    rows.emplace_back();
  }
  void row(const Row& cells) override {
    REQUIRE(cells.size() == specs.back().columns.size());
    rows.back().push_back(cells);
  }
  void end_table() override {}
  void finish() override { finished = true; }
};

std::vector<std::string> names_of(const TableSpec& spec) {
  std::vector<std::string> out;
  for (const auto& c : spec.columns) out.push_back(c.name);
  return out;
}

}  // namespace

TEST_CASE("variable names: ids become names valid in SPSS, Stata and R") {
  CHECK(variable_name("item:item_1:baseline") == "item_item_1_baseline");
  CHECK(variable_name("baseline_score") == "baseline_score");
  CHECK(variable_name("risk-from-others") == "risk_from_others");
  CHECK(variable_name("1st_visit") == "v1st_visit");
  CHECK(variable_name("_N") == "v_N");
  CHECK(variable_name("") == "v");
  // Reserved words of SPSS (any case), Stata and R get a trailing '_'.
  CHECK(variable_name("BY") == "BY_");
  CHECK(variable_name("with") == "with_");
  CHECK(variable_name("if") == "if_");
  CHECK(variable_name("NA") == "NA_");
  CHECK(variable_name("TRUE") == "TRUE_");
  CHECK(variable_name("byte") == "byte_");
  CHECK(variable_name("bypass") == "bypass");
  // Non-ASCII letters are not letters to SPSS or Stata.
  CHECK(variable_name("café_score") == "caf_score");
  CHECK(variable_name("ünit") == "v_nit");
  for (const char* path : {"item:item_1:baseline", "_N", "1st", "BY", "café", "ünit", "::", ""})
    CHECK(valid_everywhere(variable_name(path)));
}

TEST_CASE("variable names: long names are cut with a digest of the whole path") {
  const std::string path = "an_item_with_a_really_quite_long_identifier:baseline";
  const std::string name = variable_name(path);
  CHECK(name.size() == kMaxVariableName);
  CHECK(valid_everywhere(name));
  CHECK(name.substr(0, 25) == "an_item_with_a_really_qui");
  CHECK(name[25] == '_');
  CHECK(name == variable_name(path));  // stable
  CHECK(name != variable_name("an_item_with_a_really_quite_long_identifier:latest"));
  CHECK(variable_name(std::string(32, 'a')) == std::string(32, 'a'));
}

TEST_CASE("variable names: unique within a table, whatever collides, and stable") {
  VariableNames names;
  std::set<std::string> seen;
  const std::vector<std::string> paths = {
      "change",
      "item:change",  // distinct paths...
      "item_change",  // ...that make the same name
      "Item_Change",  // differs only in case: SPSS would see the same variable
      "a_very_long_measure_identifier_number_one:baseline",
      "a_very_long_measure_identifier_number_two:baseline",  // same first 25 characters
      "café",
      "cafè",  // same name after ASCII
  };
  std::vector<std::string> first;
  for (const auto& p : paths) {
    const std::string name = names.add(p);
    CHECK(valid_everywhere(name));
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    CHECK_MESSAGE(seen.insert(lower).second, name);
    first.push_back(name);
  }
  CHECK(first[0] == "change");
  CHECK(first[1] == "item_change");
  CHECK(first[2].rfind("item_change_", 0) == 0);
  CHECK(first[6] == "caf");
  CHECK(first[7].rfind("caf_", 0) == 0);
  // The same paths in the same order give the same names on another run.
  VariableNames again;
  for (size_t i = 0; i < paths.size(); ++i) CHECK(again.add(paths[i]) == first[i]);
}

TEST_CASE("table names are safe file names") {
  CHECK(assessment_table_name("supporting-people") == "assessments_supporting_people");
  CHECK(assessment_table_name("ndt") == "assessments_ndt");
}

TEST_CASE("the entries table describes the columns the entries export writes") {
  ExportOptions options;
  CHECK(names_of(entries_table_spec(options)) == export_columns(false));
  options.audit = true;
  CHECK(names_of(entries_table_spec(options)) == export_columns(true));
  const TableSpec spec = entries_table_spec(options);
  CHECK(spec.columns[0].protection.find("pseudonym") != std::string::npos);
  CHECK(spec.columns[7].protection.find("private notes always withheld") != std::string::npos);
  options.identify = true;
  options.dates = DatePrecision::Month;
  const TableSpec identified = entries_table_spec(options);
  CHECK(identified.columns[0].protection.find("own reference") != std::string::npos);
  CHECK(identified.columns[1].protection.find("month") != std::string::npos);
  CHECK(identified.dates == DatePrecision::Month);
}

TEST_CASE("wide tables hold only the columns that apply to the framework's kind") {
  ExportOptions options;
  const auto specs = assessment_table_specs(
      {shipped("supporting-people"), shipped("wemwbs"), shipped("goals")}, options);
  REQUIRE(specs.size() == 3);
  const auto status_only = names_of(specs[0]);
  CHECK(specs[0].name == "assessments_supporting_people");
  CHECK(std::find(status_only.begin(), status_only.end(), "baseline_score") == status_only.end());
  CHECK(std::find(status_only.begin(), status_only.end(), "occasions") == status_only.end());
  CHECK(std::find(status_only.begin(), status_only.end(), "managing_money") != status_only.end());
  const Column& money =
      specs[0].columns[std::find(status_only.begin(), status_only.end(), "managing_money") -
                       status_only.begin()];
  CHECK(money.type == ColumnType::Code);
  CHECK(money.values.back().value == "not_assessed");
  CHECK(money.framework == "supporting-people");

  const auto scale = names_of(specs[1]);
  for (const char* name : {"baseline_score", "latest_score", "change", "rci", "reliable_change",
                           "setbacks", "item_14_change"})
    CHECK_MESSAGE(std::find(scale.begin(), scale.end(), name) != scale.end(), name);
  // WEMWBS has no norms, minimum change or bands: no columns for them.
  for (const char* name : {"clinical_significance", "meaningful_change", "baseline_band"})
    CHECK_MESSAGE(std::find(scale.begin(), scale.end(), name) == scale.end(), name);

  const auto goals = names_of(specs[2]);
  CHECK(std::find(goals.begin(), goals.end(), "t_score") != goals.end());
  CHECK(std::find(goals.begin(), goals.end(), "baseline_score") == goals.end());
  for (const auto& spec : specs)
    for (const auto& c : spec.columns) CHECK_MESSAGE(valid_everywhere(c.name), c.name);

  options.long_layout = true;
  const auto long_specs = assessment_table_specs({shipped("wemwbs")}, options);
  REQUIRE(long_specs.size() == 1);
  CHECK(names_of(long_specs[0]) == std::vector<std::string>{"person", "framework",
                                                            "framework_version", "date", "item",
                                                            "value", "complete", "score"});
}

TEST_CASE("assessment tables carry assess's figures, rounded as assess rounds them") {
  TempDir dir;
  auto store = create_store(dir.path / "outcomes.db");
  const Framework wemwbs = shipped("wemwbs");
  {
    auto tx = store->begin();
    tx->append(make("P1", "2026-01-05", EntryKind::Enrol), "2026-11-15T00:00:00Z");
    for (const auto& [date, value] : {std::pair{"2026-01-10", 2}, std::pair{"2026-03-10", 3}})
      for (const Measure* m : wemwbs.items()) {
        auto e = make("P1", date, EntryKind::Assessment);
        e.framework = "wemwbs";
        e.framework_hash = wemwbs.content_hash;
        e.measure = m->id;
        e.value = m->id == "item_1" && value == 3 ? 4 : value;
        tx->append(e, "2026-11-15T00:00:00Z");
      }
    tx->commit();
  }
  ExportOptions options;
  options.identify = true;
  options.as_of = outcomes::testing::day("2026-06-30");
  CaptureSink sink;
  write_assessment_tables(*store, {wemwbs}, options, "", sink);
  REQUIRE(sink.rows.size() == 1);
  REQUIRE(sink.rows[0].size() == 1);
  const auto names = names_of(sink.specs[0]);
  auto cell = [&](const char* name) {
    return sink.rows[0][0][std::find(names.begin(), names.end(), name) - names.begin()];
  };
  CHECK(std::get<std::string>(cell("person")) == "P1");
  CHECK(std::get<bool>(cell("enrolled")));
  CHECK(std::get<double>(cell("baseline_score")) == 28);
  CHECK(std::get<double>(cell("latest_score")) == 43);
  CHECK(std::get<double>(cell("change")) == 15);
  CHECK(std::get<double>(cell("rci")) == round_to(15 / (std::sqrt(2.0) * 3.1), 2));
  CHECK(std::get<std::string>(cell("reliable_change")) == "improved");
  CHECK(std::get<std::int64_t>(cell("occasions")) == 2);
  CHECK(std::get<double>(cell("item_1_change")) == 2);
  CHECK(std::get<Date>(cell("baseline_date")) == outcomes::testing::day("2026-01-10"));

  // Month precision carries the first day of the month.
  options.dates = DatePrecision::Month;
  CaptureSink months;
  write_assessment_tables(*store, {wemwbs}, options, "", months);
  CHECK(std::get<Date>(months.rows[0][0][3]) == outcomes::testing::day("2026-01-01"));

  // Long: one row per occasion and item, the person pseudonymised under the key.
  options.long_layout = true;
  options.identify = false;
  options.dates = DatePrecision::Day;
  CaptureSink long_sink;
  write_assessment_tables(*store, {wemwbs}, options, "a-key-of-sixteen-bytes", long_sink);
  REQUIRE(long_sink.rows[0].size() == 28);
  CHECK(std::get<std::string>(long_sink.rows[0][0][0]) ==
        person_pseudonym("a-key-of-sixteen-bytes", "P1"));
  CHECK(std::get<std::string>(long_sink.rows[0][14][4]) == "item_1");
  CHECK(std::get<std::int64_t>(long_sink.rows[0][14][5]) == 4);
  CHECK(std::get<double>(long_sink.rows[0][14][7]) == 43);
}

TEST_CASE("the dictionary has one row per column of each table") {
  ExportOptions options;
  std::vector<TableSpec> tables = {entries_table_spec(options)};
  for (auto& spec : assessment_table_specs({shipped("supporting-people")}, options))
    tables.push_back(spec);
  CaptureSink sink;
  write_dictionary(tables, sink);
  REQUIRE(sink.specs.size() == 1);
  CHECK(sink.specs[0].name == "dictionary");
  CHECK(sink.rows[0].size() == tables[0].columns.size() + tables[1].columns.size());
  const Row& money = sink.rows[0][tables[0].columns.size() + 8];
  CHECK(std::get<std::string>(money[0]) == "assessments_supporting_people");
  CHECK(std::get<std::string>(money[1]) == "managing_money");
  CHECK(std::get<std::string>(money[3]) == "code");
  CHECK(std::get<std::string>(money[5]).find("not_assessed=no status recorded") !=
        std::string::npos);
  CHECK(std::get<std::string>(money[6]) == "supporting-people");
}

TEST_CASE("export_frameworks: chosen ids in id order; an unknown id is a usage error") {
  const std::vector<Framework> all = {shipped("wemwbs"), shipped("goals")};
  auto chosen = export_frameworks(all, {});
  REQUIRE(chosen.size() == 2);
  CHECK(chosen[0].id == "goals");
  CHECK(export_frameworks(all, {"wemwbs"}).size() == 1);
  CHECK_THROWS_AS(export_frameworks(all, {"wembws"}), UsageError);
}

TEST_CASE("wide tables give item bands where a framework bands items, and signal counts") {
  TempDir dir;
  auto store = create_store(dir.path / "outcomes.db");
  const Framework journey = shipped("journey-template");
  const Framework relational = shipped("relational");
  {
    auto tx = store->begin();
    tx->append(make("P1", "2026-01-05", EntryKind::Enrol), "2026-11-15T00:00:00Z");
    for (const auto& [date, value] : {std::pair{"2026-01-10", 2}, std::pair{"2026-05-10", 7}}) {
      auto e = make("P1", date, EntryKind::Assessment);
      e.framework = "journey-template";
      e.framework_hash = journey.content_hash;
      e.measure = "money";
      e.value = value;
      tx->append(e, "2026-11-15T00:00:00Z");
    }
    for (const char* date : {"2026-02-01", "2026-05-20", "2026-06-10"}) {
      auto e = make("P1", date, EntryKind::Signal);
      e.framework = "relational";
      e.framework_hash = relational.content_hash;
      e.measure = "turned_up";
      tx->append(e, "2026-11-15T00:00:00Z");
    }
    tx->commit();
  }
  ExportOptions options;
  options.identify = true;
  options.as_of = outcomes::testing::day("2026-06-30");
  CaptureSink sink;
  write_assessment_tables(*store, {journey, relational}, options, "", sink);
  REQUIRE(sink.rows.size() == 2);
  auto cell = [&](size_t table, const char* name) {
    const auto names = names_of(sink.specs[table]);
    const auto at = std::find(names.begin(), names.end(), name);
    REQUIRE(at != names.end());
    return sink.rows[table][0][static_cast<size_t>(at - names.begin())];
  };
  // Money went from 2 (early days, 1-3) to 7 (steadying, 7-8); an item never rated has none.
  CHECK(std::get<std::string>(cell(0, "money_baseline_band")) == "early");
  CHECK(std::get<std::string>(cell(0, "money_latest_band")) == "steadying");
  CHECK(std::holds_alternative<std::monostate>(cell(0, "health_latest_band")));
  // Two of the three times turned up fall in the 90 days up to 30 June (from 2 April).
  CHECK(std::get<std::int64_t>(cell(1, "turned_up_last_90_days")) == 2);
  CHECK(std::get<std::int64_t>(cell(1, "turned_up_total")) == 3);
  CHECK(std::get<std::int64_t>(cell(1, "met_and_talked_total")) == 0);
}
