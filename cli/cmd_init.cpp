// outcomes init: create a workspace (settings, an empty journey store, frameworks).
#include <cstdlib>
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
  std::string store;
  std::string service_id;
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
  cmd->add_option("--store", opts->store,
                  "Where to keep the journey store: sqlite (outcomes.db in DIR) or a PostgreSQL "
                  "URI, postgresql://HOST/DATABASE, never holding a password (default: "
                  "$OUTCOMES_STORE, else sqlite)")
      ->option_text("URI");
  cmd->add_option("--service-id", opts->service_id,
                  "With a PostgreSQL store: the service's id, naming its schema (default: made "
                  "from the name)")
      ->option_text("ID");
  cmd->callback([opts, &run] {
    run = [opts] {
      InitOptions options;
      options.dir = opts->dir;
      options.service_name = opts->name;
      options.framework_ids = opts->frameworks;
      options.shipped_dir = shipped_frameworks_dir();
      if (!opts->store.empty())
        options.store = opts->store;
      else if (const char* env = std::getenv("OUTCOMES_STORE"); env && *env)
        options.store = env;
      options.service_id = opts->service_id;
      options.on_cleared = [](const std::string& what) {
        std::cout << fmt::format("cleared {}\n", what);
      };
      auto copied = init_workspace(options);
      std::cout << fmt::format("created workspace {} with {} framework{}: {}\n", opts->dir,
                               copied.size(), copied.size() == 1 ? "" : "s",
                               fmt::join(copied, ", "));
      return kExitOk;
    };
  });
}

}  // namespace outcomes::cli
