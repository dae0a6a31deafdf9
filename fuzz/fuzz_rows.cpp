// Fuzzes the import readers and checks without a store (lib/record_readers.cpp,
// record_rules.cpp, record_timeline.cpp): each input is read as a long entries CSV, as
// JSONL and as a wide CSV, every row is checked against a workspace holding the shipped
// frameworks, and the timelines of the valid rows are checked — the path
// import_entries takes before it writes. Problems are expected; crashes are not.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "record_internal.h"
#include "workspace.h"

using namespace outcomes;
using namespace outcomes::record_detail;

namespace {

const Workspace& workspace() {
  static const Workspace ws = [] {
    Workspace w;
    w.root = "/nonexistent-fuzz-workspace";
    w.settings = default_settings("Fuzz");
    w.settings.attributes.push_back({"gender", "Gender", {"woman", "man", "non_binary"}});
    w.frameworks = load_shipped_frameworks(OUTCOMES_FRAMEWORKS_DIR);
    return w;
  }();
  return ws;
}

// The framework a wide file is read for: the one with an item named in the header's
// third column, else the first with items.
std::string wide_framework(std::string_view text) {
  std::string_view header = text.substr(0, text.find('\n'));
  std::string_view third;
  for (int comma = 0; comma < 2 && !header.empty(); ++comma)
    header = header.find(',') == std::string_view::npos ? "" : header.substr(header.find(',') + 1);
  third = header.substr(0, header.find(','));
  std::string fallback;
  for (const auto& fw : workspace().frameworks) {
    for (const Measure* item : fw.items())
      if (item->id == third) return fw.id;
    if (fallback.empty() && !fw.items().empty()) fallback = fw.id;
  }
  return fallback;
}

void check_file(std::string_view text, InputFormat format, bool wide) {
  const Workspace& ws = workspace();
  ImportOptions options;
  options.source = "fuzz";
  options.format = format;
  options.wide = wide;
  if (wide) options.framework = wide_framework(text);
  options.today = *parse_date("2026-11-15");
  fuzz::expect_only_library_errors([&] {
    Problems problems;
    Checker checker(ws, options.today, options.source, problems);
    std::istringstream in{std::string(text)};
    auto reader = open_reader(in, ws, options, problems);
    std::vector<RawRow> rows;
    std::vector<Fact> facts;
    RefList refs;
    Fact fact;
    NewEntry entry;
    while (reader->next(rows)) {
      for (const RawRow& row : rows) {
        std::string_view ref = trim(row.value[idx(Field::Ref)]);
        if (!ref.empty()) refs.add(ref, row.line);
        if (checker.check(row, fact, &entry)) {
          fact.order = kNewOrder + static_cast<std::uint32_t>(row.line);
          facts.push_back(fact);
        }
      }
    }
    refs.take_repeats([](const RefList::Repeat& repeat) {
      fuzz::require(repeat.first < repeat.line, "a repeated ref names an earlier first row");
    });
    checker.check_timelines(
        facts,
        [&](const Fact& f, Field field) {
          return reader->where_fact(checker, f.order - kNewOrder, f, field);
        },
        [](const Fact&) -> std::string {
          fuzz::require(false, "no stored fact is described when nothing is stored");
          return "";
        });
    problems.throw_if_any(options.source, options.max_problems, "nothing was written");
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  check_file(text, InputFormat::Csv, false);
  check_file(text, InputFormat::Jsonl, false);
  check_file(text, InputFormat::Csv, true);
  return 0;
}
