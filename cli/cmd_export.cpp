// outcomes export: the journey entries in the long entries format (CSV or JSONL),
// pseudonymised and without free text unless asked.
#include <fmt/format.h>

#include <iostream>

#include "common.h"
#include "error.h"
#include "export.h"
#include "store.h"

namespace outcomes::cli {

namespace {
struct ExportCommand {
  std::string format;
  std::string from, to;
  std::vector<std::string> people;
  std::vector<std::string> frameworks;
  bool identify = false;
  bool include_text = false;
  bool audit = false;
  std::string output;
};

int run_export(const GlobalOptions& global, const ExportCommand& cmd, bool format_given) {
  ExportOptions options;
  options.format = cmd.format == "jsonl" ? ExportFormat::Jsonl : ExportFormat::Csv;
  if (!format_given && !cmd.output.empty()) {
    auto ext = std::filesystem::path(cmd.output).extension();
    if (ext == ".jsonl" || ext == ".ndjson") options.format = ExportFormat::Jsonl;
  }
  if (!cmd.from.empty()) options.from = parse_date_option(cmd.from, "--from");
  if (!cmd.to.empty()) options.to = parse_date_option(cmd.to, "--to");
  options.people = cmd.people;
  options.frameworks = cmd.frameworks;
  options.identify = cmd.identify;
  options.include_text = cmd.include_text;
  options.audit = cmd.audit;

  Workspace workspace = open_workspace(global);
  for (const auto& f : workspace.frameworks) options.known_frameworks.push_back(f.id);
  auto store = open_store(workspace, true);
  if (cmd.output.empty() || cmd.output == "-") {
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
}  // namespace

void setup_export(CLI::App& app, const GlobalOptions& global, Runner& run) {
  auto cmd = std::make_shared<ExportCommand>();
  auto* sub = app.add_subcommand(
      "export",
      "Write the journey entries as long CSV or JSONL (re-importable with 'record --from'); "
      "pseudonymised, without free text, unless asked");
  auto* format = add_format_option(*sub, cmd->format, {"csv", "jsonl"});
  sub->add_option("--from", cmd->from, "Only entries dated on or after DATE")->option_text("DATE");
  sub->add_option("--to", cmd->to, "Only entries dated on or before DATE")->option_text("DATE");
  sub->add_option("--person", cmd->people, "Only this person (repeatable)")->option_text("REF");
  sub->add_option("--framework", cmd->frameworks,
                  "Only this framework's entries, plus entries without a framework "
                  "(repeatable)")
      ->option_text("ID");
  sub->add_flag("--identify", cmd->identify,
                "Keep person references, refs and who recorded each entry (default: "
                "pseudonyms, no names of workers)");
  sub->add_flag("--include-text", cmd->include_text,
                "Keep free text (notes, needs, goals, evidence, correction reasons)");
  sub->add_flag("--audit", cmd->audit,
                "Include superseded entries, with id, supersedes and reason columns");
  sub->add_option("-o,--output", cmd->output,
                  "Write the export to FILE (readable by the owner only, replaced only once "
                  "complete) instead of standard output; a .jsonl name implies --format jsonl")
      ->option_text("FILE");
  sub->callback([cmd, format, &global, &run] {
    const bool format_given = format->count() > 0;
    run = [cmd, &global, format_given] { return run_export(global, *cmd, format_given); };
  });
}

}  // namespace outcomes::cli
