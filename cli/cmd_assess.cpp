// outcomes assess: evaluate people against their frameworks as of a date.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "assess_render.h"
#include "common.h"
#include "error.h"
#include "store.h"
#include "suggest.h"
#include "workspace.h"

namespace outcomes::cli {

namespace {

struct AssessCommand {
  std::vector<std::string> people;
  std::vector<std::string> frameworks;
  std::string as_of;
  bool active_only = false;
  std::string format;
  std::string output;
};

// Throws UsageError for the first id of `given` that is not among `known` (sorted).
void require_known(const std::vector<std::string>& given, const std::vector<std::string>& known,
                   std::string_view what) {
  for (const auto& id : given) {
    if (std::binary_search(known.begin(), known.end(), id)) continue;
    throw UsageError(
        fmt::format("no {} '{}' in this workspace{}", what, id, did_you_mean(id, known)));
  }
}

int run_assess(const GlobalOptions& global, const AssessCommand& opts) {
  Workspace ws = open_workspace(global);
  Date as_of = opts.as_of.empty() ? today(global, ws) : parse_date_option(opts.as_of, "--as-of");
  std::vector<std::string> framework_ids;
  for (const auto& f : ws.frameworks) framework_ids.push_back(f.id);
  std::sort(framework_ids.begin(), framework_ids.end());
  require_known(opts.frameworks, framework_ids, "framework");

  auto store = open_store(ws, /*read_only=*/true);
  AssessOptions options;
  options.as_of = as_of;
  options.frameworks = opts.frameworks;
  options.active_only = opts.active_only;
  if (!opts.people.empty()) {
    require_known(opts.people, store->people(), "person");
    auto people = opts.people;
    std::sort(people.begin(), people.end());
    people.erase(std::unique(people.begin(), people.end()), people.end());
    options.people = std::move(people);
  }

  auto warn = [](const StoreAssessment& result) {
    for (const auto& id : result.unknown_frameworks)
      std::cerr << fmt::format(
          "outcomes: warning: entries name framework '{}', which is not in this workspace; "
          "they are left out\n",
          id);
    for (const auto& sentence : misfit_sentences(result.misfits))
      std::cerr << "outcomes: warning: " << sentence << '\n';
  };
  if (opts.format == "jsonl") {
    // Written as people are assessed, so memory does not grow with the store; the
    // warnings, known only at the end, follow the output.
    StoreAssessment result;
    write_result(opts.output, [&](std::ostream& out) {
      result = stream_assessments_jsonl(*store, ws.frameworks, options, out);
    });
    warn(result);
    return kExitOk;
  }
  StoreAssessment result = assess_store(*store, ws.frameworks, options);
  warn(result);

  std::vector<const Framework*> frameworks;
  for (const auto& f : ws.frameworks) frameworks.push_back(&f);
  write_result(opts.output, [&](std::ostream& out) {
    if (opts.format == "json")
      render_assessments_json(result.assessments, frameworks, out);
    else if (opts.format == "csv")
      render_assessments_csv(result.assessments, frameworks, out);
    else
      render_assessments_table(result.assessments, frameworks, out);
  });
  return kExitOk;
}

}  // namespace

void setup_assess(CLI::App& app, const GlobalOptions& global, Runner& run) {
  auto opts = std::make_shared<AssessCommand>();
  auto* cmd = app.add_subcommand(
      "assess",
      "Assess people against their frameworks as of a date: scores, change, reliable change, "
      "journeys, statuses, milestones, goals, signals, engagement");
  cmd->add_option("person", opts->people,
                  "People to assess (default: everyone with entries by the as-of date)")
      ->option_text("PERSON...");
  cmd->add_option("--framework", opts->frameworks,
                  "Only this framework (repeatable, or comma-separated; default: every framework "
                  "with data)")
      ->option_text("ID")
      ->expected(1)
      ->delimiter(',')
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--as-of", opts->as_of, "Assess as of this date (default: today)")
      ->option_text("DATE");
  cmd->add_flag("--active-only", opts->active_only,
                "Only people in an open episode (enrolled, not exited) at the as-of date");
  add_format_option(*cmd, opts->format, {"table", "csv", "json", "jsonl"});
  cmd->add_option("-o,--output", opts->output,
                  "Write the assessments to FILE (readable by the owner only, replaced only "
                  "once complete) instead of standard output")
      ->option_text("FILE");
  cmd->callback(
      [&global, &run, opts]() { run = [&global, opts]() { return run_assess(global, *opts); }; });
}

}  // namespace outcomes::cli
