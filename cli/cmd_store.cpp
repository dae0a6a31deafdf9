// outcomes store migrate: move the workspace's journey store between SQLite and PostgreSQL.
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "common.h"
#include "error.h"
#include "store_migrate.h"

namespace outcomes::cli {
namespace {

struct MigrateCommand {
  std::string to;
  std::string service_id;
};

int run_migrate(const MigrateCommand& c, const GlobalOptions& global) {
  const Workspace ws = open_workspace(global, BrokenFrameworks::Skip);
  MigrateOptions options;
  options.to = c.to;
  options.service_id = c.service_id;
  // Refused before the store is opened: a bad --to must not wait for other writers.
  check_migrate_options(ws.settings, options);
  auto source = open_store_to_write(ws);
  bool progress_shown = false;
  if (stderr_is_terminal())
    options.progress = [&](const MigrateProgress& p) {
      std::cerr << fmt::format("\rstore: {} {} of {} entries…",
                               p.phase == MigrateProgress::Phase::Copying ? "copied" : "checked",
                               p.entries, p.total)
                << std::flush;
      progress_shown = true;
    };
  MigrateResult result;
  try {
    result = migrate_store(ws.root, ws.settings, *source, options);
  } catch (...) {
    if (progress_shown) std::cerr << "\r\033[K";
    throw;
  }
  if (progress_shown) std::cerr << "\r\033[K";
  std::cerr << migrate_summary(result) << '\n';
  return kExitOk;
}

}  // namespace

void setup_store(CLI::App& app, const GlobalOptions& global, Runner& run) {
  CLI::App* store = app.add_subcommand("store", "Administer the workspace's journey store");
  store->require_subcommand(1);
  auto opt = std::make_shared<MigrateCommand>();
  CLI::App* migrate = store->add_subcommand(
      "migrate",
      "Copy the journey store, whole, into a new store (SQLite or PostgreSQL), check the copy "
      "and switch outcomes.yaml to it; the old store is marked as moved and left in place");
  migrate
      ->add_option("--to", opt->to,
                   "Where the store goes: sqlite (outcomes.db in the workspace folder) or a "
                   "PostgreSQL URI, postgresql://HOST/DATABASE, never holding a password")
      ->required()
      ->option_text("TARGET");
  migrate
      ->add_option("--service-id", opt->service_id,
                   "With a PostgreSQL target: the service's id, naming its schema (default: the "
                   "workspace's service_id, else made from the name)")
      ->option_text("ID");
  migrate->callback(
      [opt, &global, &run] { run = [opt, &global] { return run_migrate(*opt, global); }; });
}

}  // namespace outcomes::cli
