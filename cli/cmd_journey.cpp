// outcomes journey PERSON: one person's whole journey, for reviews and handovers.
#include <iostream>
#include <memory>

#include "common.h"
#include "error.h"
#include "journey_render.h"
#include "store.h"

namespace outcomes::cli {
namespace {

struct JourneyCommandOptions {
  std::string person;
  std::string as_of;
  bool include_private = false;
  bool audit = false;
  std::string format;
  std::string output;
};

int run_journey(const JourneyCommandOptions& opt, const GlobalOptions& global) {
  Workspace ws = open_workspace(global);
  JourneyOptions options;
  options.as_of = opt.as_of.empty() ? today(global, ws) : parse_date_option(opt.as_of, "--as-of");
  options.include_private = opt.include_private;
  options.audit = opt.audit;
  auto store = open_store(ws, /*read_only=*/true);
  Journey journey = load_journey(*store, ws, opt.person, options);

  write_result(opt.output, [&](std::ostream& out) {
    if (opt.format == "markdown")
      render_journey_markdown(journey, out);
    else if (opt.format == "json")
      render_journey_json(journey, out);
    else if (opt.format == "html")
      render_journey_html(journey, out);
    else
      render_journey_table(journey, out);
  });
  return kExitOk;
}

}  // namespace

void setup_journey(CLI::App& app, const GlobalOptions& global, Runner& run) {
  auto opt = std::make_shared<JourneyCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "journey",
      "Show one person's journey: episodes, contacts, scores over time, outcomes, "
      "milestones, goals, notes and the workers involved");
  cmd->add_option("person", opt->person, "The person's reference (pseudonym)")
      ->required()
      ->option_text("PERSON");
  cmd->add_option("--as-of", opt->as_of, "Show the journey as it stood on DATE (default today)")
      ->option_text("DATE");
  cmd->add_flag("--include-private", opt->include_private,
                "Also show private notes (by default only shareable notes are shown)");
  cmd->add_flag("--audit", opt->audit,
                "Also list every entry, superseded ones included, with who recorded it, when, "
                "and the reason for each correction");
  add_format_option(*cmd, opt->format, {"table", "markdown", "json", "html"});
  cmd->add_option("-o,--output", opt->output,
                  "Write the journey to FILE (readable by the owner only, replaced only once "
                  "complete) instead of standard output")
      ->option_text("FILE");
  cmd->callback(
      [opt, &global, &run] { run = [opt, &global] { return run_journey(*opt, global); }; });
}

}  // namespace outcomes::cli
