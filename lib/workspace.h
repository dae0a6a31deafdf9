// The workspace: a folder holding outcomes.yaml, outcomes.db and frameworks/.
#pragma once
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "date.h"
#include "framework.h"
#include "store_location.h"

namespace outcomes {

// An equality attribute declared in outcomes.yaml, with its allowed values.
struct AttributeDef {
  std::string id;
  std::string name;
  std::vector<std::string> values;
};

// An exit reason declared in outcomes.yaml.
struct ExitReason {
  std::string id;
  std::string name;
};

// The service settings held in outcomes.yaml.
struct Settings {
  std::string service_name;
  std::vector<AttributeDef> attributes;
  std::vector<ExitReason> exit_reasons;
  int small_number_threshold = 5;
  int review_interval_days = 90;
  int stories_per_report = 3;
  std::string timezone;  // IANA zone whose date is "today" ("" = the system's zone)
  // Where the journey store is: "sqlite" (outcomes.db in the workspace folder) or a
  // PostgreSQL URI (lib/store_location.h), where the service's data is the schema named
  // `service_id`.
  std::string store{kSqliteStore};
  std::string service_id;  // "" unless the store is on PostgreSQL

  const AttributeDef* find_attribute(std::string_view id) const;
  const ExitReason* find_exit_reason(std::string_view id) const;
};

// The default settings for a new workspace named `service_name` (exit reasons: the Fulfilling Lives destination codes).
Settings default_settings(const std::string& service_name);
// Reads and validates outcomes.yaml; throws InvalidInput with every problem.
Settings load_settings(const std::filesystem::path& file);
// The YAML text of `settings`, with comments that help a service edit it.
std::string settings_to_yaml(const Settings& settings);
// The lines of settings_to_yaml that say where the store is, with their comment: "" for the
// SQLite file (the default, never written).
std::string store_settings_yaml(const Settings& settings);
// The text of an outcomes.yaml, `yaml`, with its store: and service_id: lines (and the
// comment settings_to_yaml writes above them) replaced by store_settings_yaml(target); every
// other line kept as it was.
std::string with_store_settings(const std::string& yaml, const Settings& target);

// The journey store's file in the workspace folder `root`.
inline std::filesystem::path store_path(const std::filesystem::path& root) {
  return root / "outcomes.db";
}

// An opened workspace: its folder, settings and frameworks (loaded and validated).
struct Workspace {
  std::filesystem::path root;
  Settings settings;
  std::vector<Framework> frameworks;  // sorted by id
  // With BrokenFrameworks::Skip: the problems of the framework files left out, each
  // "file:line:column: key: message"; empty otherwise.
  std::vector<std::string> skipped_framework_problems;

  std::filesystem::path db_path() const { return store_path(root); }
  std::filesystem::path settings_path() const { return root / "outcomes.yaml"; }
  std::filesystem::path frameworks_dir() const { return root / "frameworks"; }
  const Framework* find_framework(std::string_view id) const;
};

// Where to look for a workspace: an explicit --workspace, the OUTCOMES_WORKSPACE value,
// and the folder to search upward from.
struct WorkspaceSearch {
  std::optional<std::filesystem::path> explicit_dir;
  std::optional<std::filesystem::path> env_dir;
  std::filesystem::path start;
};
// Finds the workspace root (a folder with outcomes.yaml) or throws Error saying where it looked.
std::filesystem::path find_workspace(const WorkspaceSearch& search);
// What open_workspace does with a framework file that does not load: Refuse throws
// InvalidInput; Skip leaves it out and lists its problems (for commands that use no framework).
enum class BrokenFrameworks { Refuse, Skip };
// Loads settings and every frameworks/*.yaml (except *.local.yaml); throws InvalidInput on
// problems (of framework files too, unless `broken` is Skip).
Workspace open_workspace(const std::filesystem::path& root,
                         BrokenFrameworks broken = BrokenFrameworks::Refuse);

// The folder of shipped frameworks: $OUTCOMES_SHARE if set, else the installed share
// folder, else the source tree's frameworks/ (for a build that is not installed).
std::filesystem::path shipped_frameworks_dir();
// The shipped frameworks, loaded and sorted by id; throws InvalidInput if one is broken.
std::vector<Framework> load_shipped_frameworks(const std::filesystem::path& dir);

struct InitOptions {
  std::filesystem::path dir;
  std::string service_name;
  std::vector<std::string> framework_ids;  // empty = all shipped
  std::filesystem::path shipped_dir;
  // Where the store is made: "sqlite" (outcomes.db in DIR) or a PostgreSQL URI, where the
  // store is the schema `service_id` ("" = made from the service's name).
  std::string store{kSqliteStore};
  std::string service_id;
  // Told what init cleared away before it began: the empty store an earlier init, stopped
  // after making it, left on PostgreSQL.
  std::function<void(const std::string& what)> on_cleared;
};
// Creates a new workspace, built in DIR/.outcomes-init and moved into place, outcomes.yaml
// last; refuses (Error) when DIR already holds outcomes.yaml, outcomes.db or frameworks, or
// the PostgreSQL database already holds the service's schema (unless an earlier init here
// made it, was stopped before it finished, and it holds nothing: then it is dropped and
// made anew); UsageError for an unknown
// framework id, an unusable store URI or service id. When an earlier init was stopped while moving
// its pieces into place, finishes that workspace instead (with the frameworks it chose).
// Returns the frameworks the workspace holds.
std::vector<std::string> init_workspace(const InitOptions& options);

}  // namespace outcomes
