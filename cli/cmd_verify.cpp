// outcomes verify: checks the workspace's store and says what, if anything, is wrong.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "common.h"
#include "error.h"
#include "store.h"
#include "verify.h"

namespace outcomes::cli {
namespace {

int run_verify(const GlobalOptions& global) {
  const Workspace ws = open_workspace(global);
  const auto store = open_store(ws, /*read_only=*/true);
  const Verification verification = verify_store(*store, ws.frameworks);
  render_verification(std::cout, verification);
  std::cout.flush();
  if (verification.damaged())
    std::cerr << fmt::format(
        "outcomes: error: {}: the store has problems (above); restore it from a backup, or "
        "ask the maintainers for help before writing to it\n",
        ws.db_path().string());
  else if (verification.misfit())
    std::cerr << "outcomes: error: some recorded data no longer fits the workspace "
                 "frameworks; run 'outcomes frameworks check' for details\n";
  return verification.exit_code();
}

}  // namespace

void setup_verify(CLI::App& app, const GlobalOptions& global, Runner& run) {
  CLI::App* cmd = app.add_subcommand(
      "verify",
      "Check the workspace's store: file integrity, schema, append-only guards, references, "
      "import batches, and fit with the frameworks (exit 1: the store has a problem; 3: "
      "only data that no longer fits a framework)");
  cmd->callback([&global, &run] { run = [&global] { return run_verify(global); }; });
}

}  // namespace outcomes::cli
