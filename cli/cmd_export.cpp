// outcomes export: the journey entries in the long entries format, the assessments as
// analyst-ready tables (wide, one per framework, or long), and their data dictionary, as CSV
// or JSON Lines; pseudonymised and without free text unless asked.
#include <fmt/format.h>
#include <sys/stat.h>

#include <iostream>

#include "common.h"
#include "error.h"
#include "export.h"
#include "export_tables.h"
#include "store.h"
#include "table_text.h"

namespace outcomes::cli {

namespace {
struct ExportCommand {
  std::string what = "entries";
  std::string format;
  std::string from, to, as_of;
  std::string layout = "wide";
  std::string dates = "day";
  std::string key_file;
  std::vector<std::string> people;
  std::vector<std::string> frameworks;
  bool identify = false;
  bool identifiable = false;
  bool include_text = false;
  bool audit = false;
  std::string output;
};

bool is_folder(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

int run_export(const GlobalOptions& global, const ExportCommand& cmd, bool format_given) {
  ExportOptions options;
  TableFormat format = parse_table_format(cmd.format).value_or(TableFormat::Csv);
  if (!format_given && !cmd.output.empty()) {
    auto ext = std::filesystem::path(cmd.output).extension();
    if (ext == ".jsonl" || ext == ".ndjson") format = TableFormat::Jsonl;
  }
  options.format = format == TableFormat::Jsonl ? ExportFormat::Jsonl : ExportFormat::Csv;
  if (!cmd.from.empty()) options.from = parse_date_option(cmd.from, "--from");
  if (!cmd.to.empty()) options.to = parse_date_option(cmd.to, "--to");
  options.people = cmd.people;
  options.frameworks = cmd.frameworks;
  options.identify = cmd.identify || cmd.identifiable;
  options.include_text = cmd.include_text;
  options.audit = cmd.audit;
  options.dates = cmd.dates == "month" ? DatePrecision::Month : DatePrecision::Day;
  options.long_layout = cmd.layout == "long";
  if (!cmd.key_file.empty()) {
    if (options.identify)
      throw UsageError("--key-file makes pseudonyms; --identifiable keeps references");
    options.key = read_key_file(cmd.key_file);
  }
  if (cmd.what == "entries" && (cmd.layout != "wide" || !cmd.as_of.empty()))
    throw UsageError("--layout and --as-of apply to 'export assessments' and 'export dictionary'");
  if (cmd.what != "entries" && cmd.audit) throw UsageError("--audit applies to 'export entries'");

  Workspace workspace = open_workspace(global);
  for (const auto& f : workspace.frameworks) options.known_frameworks.push_back(f.id);
  if (cmd.what == "assessments")
    options.as_of = !cmd.as_of.empty() ? parse_date_option(cmd.as_of, "--as-of")
                    : options.to       ? *options.to
                                       : today(global, workspace);
  auto store = open_store(workspace, true);
  if (cmd.identifiable)
    std::cerr << "warning: --identifiable: the export holds people's own references; keep it "
                 "as safe as the store\n";

  // The tables the export holds, described before any is written.
  std::vector<Framework> frameworks;
  std::vector<TableSpec> tables;
  if (cmd.what == "entries") {
    tables.push_back(entries_table_spec(options));
  } else {
    frameworks = export_frameworks(workspace.frameworks, options.frameworks);
    if (cmd.what == "dictionary") tables.push_back(entries_table_spec(options));
    for (auto& spec : assessment_table_specs(frameworks, options))
      tables.push_back(std::move(spec));
  }
  const bool to_stdout = cmd.output.empty() || cmd.output == "-";
  const bool several = cmd.what == "assessments" && tables.size() > 1;
  const bool folder = !to_stdout && (is_folder(cmd.output) || cmd.output.back() == '/' ||
                                     (several && holds_one_table(format)));
  if (folder && !is_folder(cmd.output) &&
      std::filesystem::symlink_status(cmd.output).type() != std::filesystem::file_type::not_found)
    throw UsageError(fmt::format("--output: {} is not a folder; the export holds {} {} tables",
                                 cmd.output, tables.size(), to_string(format)));
  if (several && holds_one_table(format) && !folder)
    throw UsageError(fmt::format(
        "the export holds {} tables and {} holds one: name a folder with -o FOLDER (one file "
        "a table, plus dictionary.csv), or use --format jsonl",
        tables.size(), to_string(format)));

  std::string key;
  if (!options.identify && cmd.what != "dictionary") key = export_key(*store, options);
  // The sink's tables, in order; the dictionary comes with every folder.
  auto produce = [&](TableSink& sink) {
    if (cmd.what == "assessments") write_assessment_tables(*store, frameworks, options, key, sink);
    if (cmd.what == "dictionary" || folder) write_dictionary(tables, sink);
    sink.finish();
  };

  if (folder) {
    auto sink = open_folder_sink(format, cmd.output);
    if (cmd.what == "entries") {
      const auto file =
          std::filesystem::path(cmd.output) / ("entries" + std::string(file_extension(format)));
      export_entries_to_file(*store, options, file);
    }
    produce(*sink);
    std::cerr << fmt::format("exported {} table{} and dictionary.csv to {}{}\n",
                             cmd.what == "dictionary" ? 0 : tables.size(),
                             tables.size() == 1 ? "" : "s", cmd.output,
                             options.identify ? "" : " (pseudonymised)");
    return kExitOk;
  }
  if (cmd.what == "entries") {
    if (to_stdout) {
      write_result(cmd.output, [&](std::ostream& out) { export_entries(*store, options, out); });
      return kExitOk;
    }
    auto summary = export_entries_to_file(*store, options, cmd.output);
    std::cerr << fmt::format("exported {} entr{} of {} {} to {}{}\n", summary.entries,
                             summary.entries == 1 ? "y" : "ies", summary.people,
                             summary.people == 1 ? "person" : "people", cmd.output,
                             options.identify ? "" : " (pseudonymised)");
    return kExitOk;
  }
  write_result(cmd.output, [&](std::ostream& out) {
    auto sink = open_table_sink(format, out, several);
    produce(*sink);
  });
  if (!to_stdout)
    std::cerr << fmt::format(
        "exported {} to {}{}\n", cmd.what, cmd.output,
        options.identify || cmd.what == "dictionary" ? "" : " (pseudonymised)");
  return kExitOk;
}
}  // namespace

void setup_export(CLI::App& app, const GlobalOptions& global, Runner& run) {
  auto cmd = std::make_shared<ExportCommand>();
  auto* sub = app.add_subcommand(
      "export",
      "Write the journey entries (re-importable with 'record --from'), the assessments as "
      "analyst-ready tables, or their data dictionary, as CSV or JSONL; pseudonymised, "
      "without free text, unless asked");
  sub->add_option("what", cmd->what,
                  "entries (default: the long entries format), assessments (one table per "
                  "framework, or one long table) or dictionary (every column of those tables)")
      ->check(CLI::IsMember({"entries", "assessments", "dictionary"}))
      ->option_text("WHAT");
  auto* format = add_format_option(*sub, cmd->format, {"csv", "jsonl"});
  sub->add_option("--from", cmd->from,
                  "Only entries (and long-layout occasions) dated on or after DATE")
      ->option_text("DATE");
  sub->add_option("--to", cmd->to, "Only entries (and occasions) dated on or before DATE")
      ->option_text("DATE");
  sub->add_option("--as-of", cmd->as_of,
                  "assessments: assess as of this date (default: --to, else today)")
      ->option_text("DATE");
  sub->add_option("--layout", cmd->layout,
                  "assessments: wide (default; one row per person, one table per framework) or "
                  "long (one row per person, framework, occasion and item)")
      ->check(CLI::IsMember({"wide", "long"}))
      ->option_text("LAYOUT");
  sub->add_option("--person", cmd->people, "Only this person (repeatable)")->option_text("REF");
  sub->add_option("--framework", cmd->frameworks,
                  "Only this framework's entries, plus entries without a framework; for "
                  "assessments, only this framework's table (repeatable)")
      ->option_text("ID");
  sub->add_option("--key-file", cmd->key_file,
                  "Make pseudonyms with the key in FILE (at least 16 bytes, readable by its "
                  "owner only; one trailing newline ignored), shared with partners so their "
                  "exports link, instead of the workspace's secret")
      ->option_text("FILE");
  sub->add_flag("--identifiable", cmd->identifiable,
                "Keep person references, refs and who recorded each entry (default: "
                "pseudonyms, no names of workers); warns on standard error");
  sub->add_flag("--identify", cmd->identify, "The same as --identifiable, without the warning");
  sub->add_flag("--include-text", cmd->include_text,
                "Keep free text (notes, needs, goals, evidence, correction reasons); a private "
                "note's text is never exported");
  sub->add_option("--dates", cmd->dates,
                  "day (default) or month: every date coarsened to its month (written YYYY-MM)")
      ->check(CLI::IsMember({"day", "month"}))
      ->option_text("day|month");
  sub->add_flag("--audit", cmd->audit,
                "entries: include superseded entries, with id, supersedes and reason columns");
  sub->add_option("-o,--output", cmd->output,
                  "Write to FILE (readable by the owner only, replaced only once complete) "
                  "instead of standard output; a .jsonl name implies --format jsonl. A FOLDER "
                  "(an existing one, a name ending in /, or any name when CSV must hold several "
                  "tables) gets one file per table plus dictionary.csv")
      ->option_text("FILE|FOLDER");
  sub->callback([cmd, format, &global, &run] {
    const bool format_given = format->count() > 0;
    run = [cmd, &global, format_given] { return run_export(global, *cmd, format_given); };
  });
}

}  // namespace outcomes::cli
