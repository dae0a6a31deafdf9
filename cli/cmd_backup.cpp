// outcomes backup FILE: a consistent, checked copy of the workspace's store.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "backup.h"
#include "common.h"
#include "error.h"
#include "store.h"

namespace outcomes::cli {
namespace {

struct BackupCommandOptions {
  std::string file;
  bool force = false;
};

int run_backup(const BackupCommandOptions& opt, const GlobalOptions& global) {
  const Workspace ws = open_workspace(global);
  const auto store = open_store(ws, /*read_only=*/true);
  BackupOptions options;
  options.replace = opt.force;
  options.store_file = ws.db_path();
  const BackupResult result = backup_store(*store, opt.file, options);
  std::cout << fmt::format("backed up {} entr{} to {}\n", result.entries,
                           result.entries == 1 ? "y" : "ies", opt.file);
  return kExitOk;
}

}  // namespace

void setup_backup(CLI::App& app, const GlobalOptions& global, Runner& run) {
  auto opt = std::make_shared<BackupCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "backup",
      "Copy the workspace's store to FILE, consistently even while others write to it; the "
      "copy is owner-only, checked, and put in place only once complete");
  cmd->add_option("file", opt->file, "The backup file to write (refused if it is a symbolic link)")
      ->required()
      ->option_text("FILE");
  cmd->add_flag("--force", opt->force, "Replace FILE if it exists (default: refuse)");
  cmd->callback(
      [opt, &global, &run] { run = [opt, &global] { return run_backup(*opt, global); }; });
}

}  // namespace outcomes::cli
