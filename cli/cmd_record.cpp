// outcomes record: one entry from flags, a batch from a file, or a correction.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "common.h"
#include "error.h"
#include "input.h"
#include "record.h"
#include "store.h"

namespace outcomes::cli {
namespace {

struct RecordCommand {
  std::string kind, person;
  std::vector<std::string> items;  // item=value pairs
  std::string date, framework, measure, value, status, text, shareable, private_text, by, ref;
  std::string from, input_format, date_format, encoding, delimiter;
  bool wide = false, dry_run = false;
  std::int64_t correct = 0;
  bool correcting = false;  // --correct was given
  std::string reason, new_person;
};

std::size_t field(Field f) {
  return static_cast<std::size_t>(f);
}

int run_import(const RecordCommand& c, const GlobalOptions& global) {
  for (const auto& [given, name] : {std::pair{!c.kind.empty(), "KIND"},
                                    {!c.date.empty(), "--date"},
                                    {!c.measure.empty(), "--measure"},
                                    {!c.value.empty(), "--value"},
                                    {!c.status.empty(), "--status"},
                                    {!c.text.empty(), "--text"},
                                    {!c.shareable.empty(), "--shareable"},
                                    {!c.private_text.empty(), "--private"},
                                    {!c.by.empty(), "--by"},
                                    {!c.ref.empty(), "--ref"},
                                    {c.correcting, "--correct"}})
    if (given)
      throw UsageError(
          fmt::format("{} does not go with --from (the file gives every field)", name));
  ImportOptions options;
  if (!c.date_format.empty()) options.date_order = *parse_date_order(c.date_format);
  if (!c.delimiter.empty()) options.delimiter = c.delimiter == "tab" ? '\t' : c.delimiter[0];
  const auto encoding = c.encoding.empty() || c.encoding == "utf-8"
                            ? text::FileEncoding::Utf8
                            : text::FileEncoding::Windows1252;
  Workspace ws = open_workspace(global);
  // The import reads its file more than once; a pipe, FIFO or standard input is copied
  // first, out of sight of any folder, and before the store is opened, so a slow pipe
  // holds no connection to it.
  RereadableInput input(c.from, encoding);
  auto store = open_store_to_write(ws);
  options.file = input.path();
  options.source = c.from == "-" ? "<stdin>" : c.from;
  options.format = c.input_format.empty()
                       ? (c.from == "-" ? InputFormat::Csv : input_format_for(c.from))
                       : (c.input_format == "jsonl" ? InputFormat::Jsonl : InputFormat::Csv);
  options.wide = c.wide;
  options.framework = c.framework;
  options.dry_run = c.dry_run;
  options.today = today(global, ws);
  options.recorded_at = now_timestamp(global);
  bool progress_shown = false;
  if (stderr_is_terminal())
    options.progress = [&](const ImportProgress& p) {
      // The total counts lines, not rows, so the share is a guide: never shown as done.
      std::string share =
          p.total > 0 ? fmt::format(" ({}%)", std::min<std::uint64_t>(99, p.rows * 100 / p.total))
                      : "";
      std::cerr << fmt::format("\r{}: {} {} rows{}…", options.source,
                               p.phase == ImportProgress::Phase::Checking ? "checked" : "written",
                               p.rows, share)
                << std::flush;
      progress_shown = true;
    };
  ImportResult result;
  try {
    result = import_entries(ws, *store, options);
  } catch (...) {
    if (progress_shown) std::cerr << "\r\033[K";
    throw;
  }
  if (progress_shown) std::cerr << "\r\033[K";
  std::cerr << import_summary(options.source, result) << '\n';
  return kExitOk;
}

// Passes the entry fields given as flags (all but person, kind and date) to `set`,
// each with the flag that named it; --shareable and --private also set the status.
template <typename Set>
void set_flag_fields(const RecordCommand& c, Set&& set) {
  set(Field::Framework, c.framework, "--framework");
  set(Field::Measure, c.measure, "--measure");
  set(Field::Value, c.value, "--value");
  set(Field::Status, c.status, "--status");
  set(Field::Text, c.text, "--text");
  set(Field::By, c.by, "--by");
  set(Field::Ref, c.ref, "--ref");
  if (!c.shareable.empty())
    set(Field::Text, c.shareable, "--shareable"), set(Field::Status, "shareable", "--shareable");
  if (!c.private_text.empty())
    set(Field::Text, c.private_text, "--private"), set(Field::Status, "private", "--private");
}

int run_correction(const RecordCommand& c, const GlobalOptions& global) {
  if (!c.kind.empty())
    throw UsageError(
        "--correct takes no KIND or PERSON: the entry keeps its kind; give --person "
        "to move it to another person");
  if (!c.items.empty())
    throw UsageError(
        "--correct changes one entry: give --measure and --value instead of item=value");
  Workspace ws = open_workspace(global);
  auto store = open_store_to_write(ws);
  CorrectionInput input;
  input.entry = c.correct;
  input.reason = c.reason;
  auto set = [&](Field f, const std::string& value, const char* label) {
    if (!value.empty()) input.fields[field(f)] = value;
    input.labels[field(f)] = label;
  };
  set(Field::Person, c.new_person, "--person");
  set(Field::Date, c.date, "--date");
  set_flag_fields(c, set);
  auto id =
      record_correction(ws, *store, input, RecordOptions{today(global, ws), now_timestamp(global)});
  std::cout << fmt::format("recorded entry {} (corrects entry {})\n", id, c.correct);
  return kExitOk;
}

int run_single(const RecordCommand& c, const GlobalOptions& global) {
  if (c.kind.empty() || c.person.empty())
    throw UsageError(
        "record needs KIND and PERSON (e.g. 'outcomes record contact P017 --status "
        "attended'), or --from FILE, or --correct ID");
  if (!c.reason.empty()) throw UsageError("--reason goes with --correct");
  if (!c.new_person.empty()) throw UsageError("--person goes with --correct; give PERSON instead");
  if (c.wide || c.dry_run || !c.input_format.empty())
    throw UsageError("--wide, --dry-run and --input-format go with --from");
  int text_options = !c.text.empty() + !c.shareable.empty() + !c.private_text.empty();
  if (text_options > 1) throw UsageError("give only one of --text, --shareable and --private");
  if ((!c.shareable.empty() || !c.private_text.empty()) && !c.status.empty())
    throw UsageError("--shareable and --private set the note's status; leave out --status");

  EntryInput base;
  auto set = [&](Field f, const std::string& value, const char* label) {
    base.fields[field(f)] = value;
    base.labels[field(f)] = label;
  };
  // An entry of a kind that names no framework is recorded even when a framework file is
  // broken; the file is named so it gets fixed.
  const auto kind = parse_entry_kind(c.kind);
  const bool needs_framework = !c.framework.empty() || !kind || kind_names_framework(*kind);
  Workspace ws = open_workspace(
      global, needs_framework ? BrokenFrameworks::Refuse : BrokenFrameworks::Skip);
  for (const auto& problem : ws.skipped_framework_problems)
    std::cerr << "outcomes: warning: " << problem
              << " (this framework cannot be used until the file is fixed)\n";
  const Date day = today(global, ws);
  set(Field::Person, c.person, "PERSON");
  set(Field::Kind, c.kind, "KIND");
  set(Field::Date, c.date.empty() ? format_date(day) : c.date, "--date");
  set_flag_fields(c, set);

  std::vector<EntryInput> entries;
  if (c.items.empty()) {
    entries.push_back(base);
  } else {
    if (!c.measure.empty() || !c.value.empty())
      throw UsageError("give either --measure/--value or item=value pairs, not both");
    if (c.items.size() > 1 && !c.ref.empty())
      throw UsageError("--ref names one entry; several item=value pairs make several entries");
    for (const auto& pair : c.items) {
      auto eq = pair.find('=');
      if (eq == std::string::npos || eq == 0)
        throw UsageError(fmt::format("'{}' is not an item=value pair (e.g. engagement=2)", pair));
      EntryInput e = base;
      e.fields[field(Field::Measure)] = pair.substr(0, eq);
      e.fields[field(Field::Value)] = pair.substr(eq + 1);
      e.labels[field(Field::Measure)] = e.labels[field(Field::Value)] = pair;
      entries.push_back(std::move(e));
    }
  }
  auto store = open_store_to_write(ws);
  auto result = record_entries(ws, *store, entries, RecordOptions{day, now_timestamp(global)});
  if (result.skipped) {
    std::cerr << fmt::format(
        "outcomes: an entry with ref '{}' is already stored; nothing recorded\n", c.ref);
    return kExitOk;
  }
  for (auto id : result.ids) std::cout << "recorded entry " << id << '\n';
  if (const auto& o = result.incomplete)
    std::cerr << fmt::format(
        "outcomes: warning: {} of the {} items of '{}' given; the occasion of {} on {} is "
        "incomplete and will not be scored until the other {} are recorded for that date\n",
        o->items_given, o->items, o->framework, o->person, format_date(o->date),
        o->items - o->items_given);
  return kExitOk;
}

}  // namespace

void setup_record(CLI::App& app, const GlobalOptions& global, Runner& run) {
  auto c = std::make_shared<RecordCommand>();
  auto* cmd = app.add_subcommand(
      "record",
      "Record entries in the journey log: one from flags, a batch from a CSV/JSONL file, or a "
      "correction");
  cmd->footer(
      "Usage: outcomes record KIND PERSON [--date D] [--framework ID] [--measure M] [--value N] "
      "[--status S] [--text T | --shareable T | --private T] [--by WHO] [--ref REF] "
      "[ITEM=VALUE …]\n"
      "   or: outcomes record --from FILE|- [--input-format csv|jsonl] [--wide --framework ID] "
      "[--date-format DMY|MDY|YMD] [--encoding windows-1252] [--delimiter D] [--dry-run]\n"
      "   or: outcomes record --correct ID --reason TEXT [new field values]");
  cmd->add_option("kind", c->kind,
                  "Entry kind: enrol, exit, contact, assessment, status, need, milestone, "
                  "signal, goal, note, attribute")
      ->option_text("KIND");
  cmd->add_option("person", c->person, "The person's reference (a pseudonym, e.g. P017)")
      ->option_text("PERSON");
  cmd->add_option("items", c->items,
                  "Assessment item scores as ITEM=VALUE (several make one occasion)")
      ->option_text("ITEM=VALUE...");
  cmd->add_option("--date", c->date, "Date of the entry, YYYY-MM-DD (default: today)")
      ->option_text("DATE");
  cmd->add_option("--framework", c->framework,
                  "Framework id (assessment, status, need, milestone, signal, goal; the scale of "
                  "a --wide file)")
      ->option_text("ID");
  cmd->add_option("--measure", c->measure,
                  "Measure or item id; the goal key for goals; the attribute name for attributes")
      ->option_text("ID");
  cmd->add_option("--value", c->value, "Item score, or goal attainment (-2..2)")->option_text("N");
  cmd->add_option("--status", c->status,
                  "Contact type, status id, need open|met, milestone start|end, goal "
                  "set|review|close, exit reason, attribute value")
      ->option_text("S");
  cmd->add_option("--text", c->text, "Evidence, the need, the goal in the person's words")
      ->option_text("TEXT");
  cmd->add_option("--shareable", c->shareable,
                  "A note that reports may quote (sets --status shareable)")
      ->option_text("TEXT");
  cmd->add_option("--private", c->private_text,
                  "A note kept out of reports (sets --status private)")
      ->option_text("TEXT");
  cmd->add_option("--by", c->by, "Who recorded it")->option_text("WHO");
  cmd->add_option("--ref", c->ref,
                  "External id; an entry with a stored ref is never recorded twice")
      ->option_text("REF");
  cmd->add_option("--from", c->from,
                  "Import entries from a file ('-' for standard input): long CSV "
                  "person,date,kind,framework,measure,value,status,text,by,ref, or JSONL")
      ->option_text("FILE");
  cmd->add_option("--input-format", c->input_format,
                  "Format of --from: csv or jsonl (default: by extension; csv for '-')")
      ->check(CLI::IsMember({"csv", "jsonl"}))
      ->option_text("FORMAT");
  cmd->add_option("--date-format", c->date_format,
                  "Order of the dates in --from, as a spreadsheet exports them: DMY (03/10/2026), "
                  "MDY or YMD (default: ISO, YYYY-MM-DD)")
      ->check([](const std::string& v) {
        return parse_date_order(v) ? std::string() : std::string("expected ISO, DMY, MDY or YMD");
      })
      ->option_text("ORDER");
  cmd->add_option("--encoding", c->encoding,
                  "Encoding of --from: utf-8 (default) or windows-1252 (converted to UTF-8)")
      ->transform(CLI::IsMember({"utf-8", "windows-1252"}, CLI::ignore_case))
      ->option_text("ENC");
  cmd->add_option("--delimiter", c->delimiter,
                  "Field delimiter of a CSV --from: ',', ';' or tab (default: judged from the "
                  "header)")
      ->check(CLI::IsMember({",", ";", "tab", "\t"}))
      ->option_text("D");
  cmd->add_flag("--wide", c->wide,
                "The file is wide: person,date,<item id>,… for the scale named by --framework");
  cmd->add_flag("--dry-run", c->dry_run, "Check the file and report; write nothing");
  auto* correct =
      cmd->add_option("--correct", c->correct,
                      "Correct entry ID: record a new entry superseding it, with the fields given "
                      "changed")
          ->option_text("ID");
  cmd->add_option("--reason", c->reason, "Why the correction was made (required with --correct)")
      ->option_text("TEXT");
  cmd->add_option("--person", c->new_person, "With --correct: move the entry to this person")
      ->option_text("PERSON");

  cmd->callback([c, correct, &global, &run] {
    c->correcting = correct->count() > 0;
    run = [c, &global]() -> int {
      if (!c->from.empty()) return run_import(*c, global);
      for (const auto& [given, name] : {std::pair{!c->date_format.empty(), "--date-format"},
                                        {!c->encoding.empty(), "--encoding"},
                                        {!c->delimiter.empty(), "--delimiter"}})
        if (given) throw UsageError(fmt::format("{} goes only with --from FILE", name));
      if (c->correcting) return run_correction(*c, global);
      return run_single(*c, global);
    };
  });
}

}  // namespace outcomes::cli
