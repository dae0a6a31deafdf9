// outcomes init: create a workspace (settings, an empty journey store, frameworks).
#include <iostream>

#include <fmt/format.h>

#include "common.h"
#include "error.h"
#include "workspace.h"

namespace outcomes::cli {

namespace {
struct InitCommand {
  std::string dir = ".";
  std::string name;
  std::vector<std::string> frameworks;
};
}  // namespace

void setup_init(CLI::App& app, const GlobalOptions&, Runner& run) {
  auto opts = std::make_shared<InitCommand>();
  auto* cmd = app.add_subcommand(
      "init", "Create a workspace: outcomes.yaml, an empty journey store and frameworks/");
  cmd->add_option("dir", opts->dir, "Folder to create the workspace in (default: here)")
      ->option_text("DIR");
  cmd->add_option("--framework", opts->frameworks,
                  "Copy only this shipped framework (repeatable; default: all)")
      ->option_text("ID");
  cmd->add_option("--name", opts->name, "The service's name (default: the folder's name)")
      ->option_text("NAME");
  cmd->callback([opts, &run] {
    run = [opts] {
      InitOptions options;
      options.dir = opts->dir;
      options.service_name = opts->name;
      options.framework_ids = opts->frameworks;
      options.shipped_dir = shipped_frameworks_dir();
      auto copied = init_workspace(options);
      std::cout << fmt::format("created workspace {} with {} framework{}: {}\n", opts->dir,
                               copied.size(), copied.size() == 1 ? "" : "s",
                               fmt::join(copied, ", "));
      return kExitOk;
    };
  });
}

}  // namespace outcomes::cli
