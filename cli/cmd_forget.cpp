// outcomes forget PERSON: erase a person's entries at their request, leaving a record
// of the erasure that does not name them.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "common.h"
#include "error.h"
#include "forget.h"
#include "store.h"

namespace outcomes::cli {
namespace {

struct ForgetCommandOptions {
  std::string person;
  std::string reason;
  std::string by;
  bool dry_run = false;
};

int run_forget(const ForgetCommandOptions& opt, const GlobalOptions& global) {
  const Workspace ws = open_workspace(global, BrokenFrameworks::Skip);
  auto store = open_store_to_write(ws);
  ForgetOptions options;
  options.person = opt.person;
  options.reason = opt.reason;
  options.by = opt.by;
  options.dry_run = opt.dry_run;
  options.erased_at = now_timestamp(global);
  const ForgetResult result = forget_person(*store, options);
  if (result.dry_run)
    render_forget_plan(std::cout, result);
  else
    std::cerr << forget_summary(result) << '\n';
  return kExitOk;
}

}  // namespace

void setup_forget(CLI::App& app, const GlobalOptions& global, Runner& run) {
  auto opt = std::make_shared<ForgetCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "forget",
      "Erase every entry of one person at their request (the right to erasure), leaving "
      "nothing of them in the store's files and a record of the erasure that does not name "
      "them");
  cmd->add_option("person", opt->person, "The person's reference (pseudonym)")
      ->required()
      ->option_text("PERSON");
  cmd->add_option("--reason", opt->reason,
                  "Why the person is erased (required; recorded, so never their reference)")
      ->option_text("TEXT");
  cmd->add_option("--by", opt->by, "Who erases (recorded)")->option_text("WHO");
  cmd->add_flag("--dry-run", opt->dry_run,
                "Show what would be erased (entries by kind, dates, writes and batches); "
                "change nothing");
  cmd->callback(
      [opt, &global, &run] { run = [opt, &global] { return run_forget(*opt, global); }; });
}

}  // namespace outcomes::cli
