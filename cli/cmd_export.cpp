// outcomes export: the journey entries in the long entries format, the assessments as
// analyst-ready tables (wide, one per framework, or long), and their data dictionary, as CSV
// or JSON Lines; pseudonymised and without free text unless asked.
#include <fmt/format.h>

#include <iostream>

#include "common.h"
#include "error.h"
#include "export.h"
#include "export_tables.h"
#include "fhir.h"
#include "hash.h"
#include "output.h"
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

// The format: --format, else the output's extension (.jsonl/.ndjson, .xlsx, .sav, .dta),
// else CSV.
std::string chosen_format(const ExportCommand& cmd, bool format_given) {
  if (format_given || cmd.output.empty()) return cmd.format.empty() ? "csv" : cmd.format;
  const auto ext = std::filesystem::path(cmd.output).extension().string();
  if (ext == ".jsonl" || ext == ".ndjson") return "jsonl";
  if (ext == ".xlsx" || ext == ".sav" || ext == ".dta") return ext.substr(1);
  return "csv";
}

// The subject identifiers of FHIR responses: the references, or pseudonyms under `key`
// named by a fingerprint of the key, so that services sharing a key share the system and
// their responses link.
FhirResponseOptions fhir_subjects(const ExportOptions& options, const std::string& key) {
  FhirResponseOptions fhir;
  if (options.identify) {
    fhir.subject_system = "urn:outcomes:person-reference";
    fhir.subject = [](const std::string& ref) { return ref; };
  } else {
    fhir.subject_system =
        "urn:outcomes:pseudonym:" + sha256_hex("pseudonym key\n" + key).substr(0, 16);
    fhir.subject = [key](const std::string& ref) { return person_pseudonym(key, ref); };
  }
  return fhir;
}

int run_export(const GlobalOptions& global, const ExportCommand& cmd, bool format_given) {
  ExportOptions options;
  const std::string format_name = chosen_format(cmd, format_given);
  const bool fhir = format_name == "fhir";
  const TableFormat format = parse_table_format(format_name).value_or(TableFormat::Jsonl);
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
  if (fhir && cmd.what != "assessments")
    throw UsageError(
        "--format fhir writes assessment occasions as QuestionnaireResponses: use 'export "
        "assessments --format fhir' (the matching Questionnaire is 'frameworks show ID --format "
        "fhir')");
  const bool to_stdout = cmd.output.empty() || cmd.output == "-";
  if (!fhir && !is_text_format(format) && to_stdout)
    throw UsageError(fmt::format("{} is a file format: name the file with -o FILE{}", format_name,
                                 holds_one_table(format) ? " (or a FOLDER for several tables)" : ""));

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
  const std::string done_note = options.identify ? "" : " (pseudonymised)";

  if (fhir) {
    std::string key = options.identify ? "" : export_key(*store, options);
    FhirResponseOptions fhir_options = fhir_subjects(options, key);
    fhir_options.as_of = *options.as_of;
    fhir_options.from = options.from;
    if (!options.people.empty()) fhir_options.people = export_people(*store, options);
    fhir_options.dates = options.dates;
    const auto frameworks = export_frameworks(workspace.frameworks, options.frameworks);
    FhirResponseSummary summary;
    write_result(cmd.output, [&](std::ostream& out) {
      summary = write_fhir_responses(*store, frameworks, fhir_options, out);
    });
    if (!to_stdout)
      std::cerr << fmt::format("exported {} QuestionnaireResponse{} of {} {} to {}{}\n",
                               summary.responses, summary.responses == 1 ? "" : "s",
                               summary.people, summary.people == 1 ? "person" : "people",
                               cmd.output, done_note);
    return kExitOk;
  }

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
  // The entries format's own column "by" is a reserved word in SPSS; both statistics
  // formats name it recorded_by.
  if (format == TableFormat::Sav || format == TableFormat::Dta)
    for (auto& table : tables)
      for (auto& column : table.columns)
        if (column.name == "by") column.name = "recorded_by";

  const bool several = cmd.what == "assessments" && tables.size() > 1;
  // A name with the format's own extension ("out.sav") means a file, never a new folder.
  const bool file_name = !to_stdout && std::filesystem::path(cmd.output).extension() ==
                                           file_extension(format);
  const bool folder = !to_stdout && (is_plain_folder(cmd.output) || cmd.output.back() == '/' ||
                                     (several && holds_one_table(format) && !file_name));
  if (folder && format == TableFormat::Xlsx)
    throw UsageError(fmt::format(
        "--output: an Excel workbook holds every table as a sheet; name a file, not the folder {}",
        cmd.output));
  if (folder && !is_plain_folder(cmd.output) &&
      std::filesystem::symlink_status(cmd.output).type() != std::filesystem::file_type::not_found)
    throw UsageError(fmt::format("--output: {} is not a folder; the export holds {} {} tables",
                                 cmd.output, tables.size(), to_string(format)));
  if (several && holds_one_table(format) && !folder)
    throw UsageError(fmt::format(
        "the export holds {} tables and {} holds one: name a folder with -o FOLDER (one file "
        "a table, plus dictionary.csv), or use --format jsonl or xlsx",
        tables.size(), to_string(format)));

  std::string key;
  if (!options.identify && cmd.what != "dictionary") key = export_key(*store, options);
  // The dictionary comes with every folder (as dictionary.csv) and every workbook (a sheet).
  const bool stat_folder = folder && !is_text_format(format);
  const bool dictionary_in_sink =
      cmd.what == "dictionary" || format == TableFormat::Xlsx || (folder && !stat_folder);
  auto produce = [&](TableSink& sink) {
    if (cmd.what == "entries" && !is_text_format(format))
      export_entries_to_sink(*store, options, tables.front(), sink);
    if (cmd.what == "assessments") write_assessment_tables(*store, frameworks, options, key, sink);
    if (dictionary_in_sink) write_dictionary(tables, sink);
    sink.finish();
    if (stat_folder) {
      auto csv = open_folder_sink(TableFormat::Csv, cmd.output);
      write_dictionary(tables, *csv);
      csv->finish();
    }
  };

  if (!is_text_format(format)) {
    produce(*open_file_sink(format, cmd.output, folder));
    std::cerr << fmt::format("exported {} as {} to {}{}\n", cmd.what, to_string(format),
                             cmd.output, cmd.what == "dictionary" ? "" : done_note);
    return kExitOk;
  }
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
                             tables.size() == 1 ? "" : "s", cmd.output, done_note);
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
                             summary.people == 1 ? "person" : "people", cmd.output, done_note);
    return kExitOk;
  }
  write_result(cmd.output, [&](std::ostream& out) {
    auto sink = open_table_sink(format, out, several);
    produce(*sink);
  });
  if (!to_stdout)
    std::cerr << fmt::format("exported {} to {}{}\n", cmd.what, cmd.output,
                             cmd.what == "dictionary" ? "" : done_note);
  return kExitOk;
}
}  // namespace

void setup_export(CLI::App& app, const GlobalOptions& global, Runner& run) {
  auto cmd = std::make_shared<ExportCommand>();
  auto* sub = app.add_subcommand(
      "export",
      "Write the journey entries (re-importable with 'record --from'), the assessments as "
      "analyst-ready tables, or their data dictionary, as CSV, JSONL, Excel, SPSS or Stata "
      "files, or FHIR responses; pseudonymised, without free text, unless asked");
  sub->add_option("what", cmd->what,
                  "entries (default: the long entries format), assessments (one table per "
                  "framework, or one long table) or dictionary (every column of those tables)")
      ->check(CLI::IsMember({"entries", "assessments", "dictionary"}))
      ->option_text("WHAT");
  auto* format =
      add_format_option(*sub, cmd->format, {"csv", "jsonl", "xlsx", "sav", "dta", "fhir"});
  format->description(
      "csv (default), jsonl; xlsx (one workbook: a sheet per table and the dictionary), sav "
      "(SPSS), dta (Stata), which need -o; fhir (assessments only: FHIR R4 "
      "QuestionnaireResponses as NDJSON)");
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
                  "instead of standard output; its extension (.jsonl, .ndjson, .xlsx, .sav, "
                  ".dta) chooses the format when --format is not given. A FOLDER (an existing "
                  "one, a name ending in /, or a name without the format's extension when CSV, "
                  "SPSS or Stata must hold several tables) gets one file per table plus "
                  "dictionary.csv")
      ->option_text("FILE|FOLDER");
  sub->callback([cmd, format, &global, &run] {
    const bool format_given = format->count() > 0;
    run = [cmd, &global, format_given] { return run_export(global, *cmd, format_given); };
  });
}

}  // namespace outcomes::cli
