// outcomes frameworks: list, show, validate and check the frameworks of a workspace, and
// write import templates for them.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "common.h"
#include "error.h"
#include "fhir.h"
#include "framework_render.h"
#include "framework_check.h"
#include "store.h"
#include "suggest.h"
#include "workspace.h"

namespace outcomes::cli {

namespace {

namespace fs = std::filesystem;

struct FrameworksCommand {
  std::string format = "table";
  bool shipped = false;
  std::string id;
  std::vector<std::string> files;
  std::string output;
};

// The workspace's frameworks, or the shipped ones with --shipped.
std::vector<Framework> chosen_frameworks(const GlobalOptions& global, bool shipped) {
  if (shipped) return load_shipped_frameworks(shipped_frameworks_dir());
  return open_workspace(global).frameworks;
}

int run_list(const GlobalOptions& global, const FrameworksCommand& opts) {
  const auto frameworks = chosen_frameworks(global, opts.shipped);
  if (opts.format == "json")
    std::cout << framework_list_to_json(frameworks).dump(2) << '\n';
  else
    render_framework_list(std::cout, frameworks);
  return kExitOk;
}

// The framework opts.id among `frameworks`; UsageError naming the ones available.
const Framework& chosen_framework(const std::vector<Framework>& frameworks,
                                  const FrameworksCommand& opts) {
  auto it = std::find_if(frameworks.begin(), frameworks.end(),
                         [&](const Framework& f) { return f.id == opts.id; });
  if (it == frameworks.end()) {
    std::vector<std::string> ids;
    for (const auto& f : frameworks) ids.push_back(f.id);
    throw UsageError(fmt::format("no framework '{}' in the {}{}; available: {}", opts.id,
                                 opts.shipped ? "shipped frameworks" : "workspace",
                                 did_you_mean(opts.id, ids),
                                 ids.empty() ? "none" : fmt::format("{}", fmt::join(ids, ", "))));
  }
  return *it;
}

int run_show(const GlobalOptions& global, const FrameworksCommand& opts) {
  const auto frameworks = chosen_frameworks(global, opts.shipped);
  const Framework& fw = chosen_framework(frameworks, opts);
  if (opts.format == "json")
    std::cout << framework_to_json(fw).dump(2) << '\n';
  else if (opts.format == "fhir")
    std::cout << fhir_questionnaire(fw).dump(2) << '\n';
  else
    render_framework_summary(std::cout, fw);
  return kExitOk;
}

int run_template(const GlobalOptions& global, const FrameworksCommand& opts) {
  const auto frameworks = chosen_frameworks(global, opts.shipped);
  const Framework& fw = chosen_framework(frameworks, opts);
  write_result(opts.output, [&](std::ostream& out) { render_import_template(out, fw); });
  return kExitOk;
}

// The workspace's root folder.
fs::path workspace_root(const GlobalOptions& global) {
  WorkspaceSearch search;
  if (!global.workspace.empty()) search.explicit_dir = global.workspace;
  if (const char* env = std::getenv("OUTCOMES_WORKSPACE"); env && *env) search.env_dir = env;
  search.start = fs::current_path();
  return find_workspace(search);
}

// The framework files of the workspace (*.yaml except *.local.yaml), by name.
std::vector<fs::path> workspace_framework_files(const GlobalOptions& global) {
  const fs::path dir = workspace_root(global) / "frameworks";
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (e.is_regular_file() && e.path().extension() == ".yaml" && !name.ends_with(".local.yaml"))
      files.push_back(fs::proximate(e.path(), fs::current_path(), ec));
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Warns about each valid workspace framework whose content changed since entries were
// recorded under its version label: figures from before and after the edit would be
// reported under one version.
void warn_unversioned_edits(const GlobalOptions& global, const std::vector<Framework>& frameworks) {
  if (frameworks.empty()) return;
  const fs::path root = workspace_root(global);
  Settings settings;
  try {
    settings = load_settings(root / "outcomes.yaml");
  } catch (const InvalidInput&) {
    return;  // the commands that use the store say what is wrong with the settings
  }
  std::error_code ec;
  if (!is_postgres_store(settings.store) && !fs::exists(store_path(root), ec)) return;
  const auto store = open_store(root, settings, /*read_only=*/true);
  for (const auto& edit : unversioned_edits(frameworks, store->framework_versions()))
    std::cerr << fmt::format(
        "outcomes: warning: {}: version: the content of framework '{}' changed since {} "
        "entr{} recorded under version \"{}\", but its version did not; give the edited "
        "file a new version so that figures from before and after the edit can be told apart\n",
        edit.path.string(), edit.framework, edit.entries,
        edit.entries == 1 ? "y was" : "ies were", edit.version);
}

int run_validate(const GlobalOptions& global, const FrameworksCommand& opts) {
  std::vector<fs::path> files(opts.files.begin(), opts.files.end());
  const bool whole_workspace = files.empty();
  if (whole_workspace) files = workspace_framework_files(global);
  if (files.empty()) throw Error("the workspace has no framework files to validate");

  struct Result {
    std::string file;
    std::vector<Diagnostic> problems;
  };
  std::vector<Result> results;
  std::vector<Framework> valid;
  std::map<std::string, std::string> first_file_of_id;
  for (const auto& file : files) {
    auto load = load_framework(file);
    if (load.ok()) valid.push_back(*load.framework);
    Result r{file.string(), std::move(load.problems)};
    // Frameworks validated together are used together, so their ids must differ.
    if (load.framework) {
      auto [pos, fresh] = first_file_of_id.emplace(load.framework->id, r.file);
      if (!fresh)
        r.problems.push_back(Diagnostic{
            r.file, 0, 0, "id",
            fmt::format("framework id '{}' is also used by {}", load.framework->id, pos->second)});
    }
    results.push_back(std::move(r));
  }

  std::vector<std::string> problems;
  std::size_t invalid = 0;
  if (opts.format == "json") {
    auto out = nlohmann::ordered_json::array();
    for (const auto& r : results) {
      auto list = nlohmann::ordered_json::array();
      for (const auto& p : r.problems)
        list.push_back(nlohmann::ordered_json{{"file", p.file},
                                              {"line", p.line},
                                              {"column", p.column},
                                              {"key", p.key},
                                              {"message", p.message}});
      out.push_back(nlohmann::ordered_json{
          {"file", r.file}, {"ok", r.problems.empty()}, {"problems", std::move(list)}});
      if (!r.problems.empty()) ++invalid;
    }
    std::cout << out.dump(2) << '\n';
  } else {
    for (const auto& r : results) {
      if (r.problems.empty()) std::cout << r.file << ": ok\n";
      if (!r.problems.empty()) ++invalid;
      for (const auto& p : r.problems) problems.push_back(to_string(p));
    }
  }
  std::cout.flush();
  if (whole_workspace) warn_unversioned_edits(global, valid);
  if (invalid > 0)
    throw InvalidInput(fmt::format("{} of {} framework file{} invalid", invalid, results.size(),
                                   results.size() == 1 ? " is" : "s are"),
                       std::move(problems));
  return kExitOk;
}

int run_check(const GlobalOptions& global, const FrameworksCommand& opts) {
  const Workspace ws = open_workspace(global);
  const auto store = open_store(ws, true);
  const FrameworkCheck check = check_recorded_data(ws.frameworks, *store);
  if (opts.format == "json")
    std::cout << check_to_json(check).dump(2) << '\n';
  else
    render_check(std::cout, check);
  std::cout.flush();
  if (!check.fits()) {
    const int64_t n = check.incompatible_entries();
    throw InvalidInput(
        fmt::format("{} recorded entr{} no longer fit{} the workspace frameworks; "
                    "restore what was removed or narrowed, or correct the entries",
                    n, n == 1 ? "y" : "ies", n == 1 ? "s" : ""));
  }
  return kExitOk;
}

}  // namespace

void setup_frameworks(CLI::App& app, const GlobalOptions& global, Runner& run) {
  auto opts = std::make_shared<FrameworksCommand>();
  auto* cmd = app.add_subcommand(
      "frameworks", "List, show, validate and check the outcome frameworks (YAML) in use");
  cmd->require_subcommand(1);

  auto* list = cmd->add_subcommand("list", "List the workspace's frameworks (or the shipped ones)");
  add_format_option(*list, opts->format, {"table", "json"});
  list->add_flag("--shipped", opts->shipped,
                 "List the frameworks shipped with outcomes instead of the workspace's");
  list->callback(
      [opts, &global, &run] { run = [opts, &global] { return run_list(global, *opts); }; });

  auto* show = cmd->add_subcommand(
      "show", "Show one framework: domains, measures, statuses, scoring, source and licence");
  show->add_option("id", opts->id, "Framework id")->required()->option_text("ID");
  add_format_option(*show, opts->format, {"table", "json", "fhir"});
  show->add_flag("--shipped", opts->shipped, "Look the id up among the shipped frameworks");
  show->callback(
      [opts, &global, &run] { run = [opts, &global] { return run_show(global, *opts); }; });

  auto* templ = cmd->add_subcommand(
      "template",
      "Write a CSV template for importing one framework's entries with 'record --from': the "
      "header, with the allowed values in comment lines above it");
  templ->add_option("id", opts->id, "Framework id")->required()->option_text("ID");
  templ->add_flag("--shipped", opts->shipped, "Look the id up among the shipped frameworks");
  templ->add_option("-o,--output", opts->output,
                    "Write the template to FILE (readable by the owner only, replaced only "
                    "once complete) instead of standard output")
      ->option_text("FILE");
  templ->callback(
      [opts, &global, &run] { run = [opts, &global] { return run_template(global, *opts); }; });

  auto* validate = cmd->add_subcommand(
      "validate",
      "Check framework files and report every problem (default: the workspace's, warning "
      "when a file's content changed since entries were recorded under its version)");
  validate->add_option("files", opts->files, "Framework YAML files to check")
      ->option_text("FILE...");
  add_format_option(*validate, opts->format, {"table", "json"});
  validate->callback(
      [opts, &global, &run] { run = [opts, &global] { return run_validate(global, *opts); }; });

  auto* check = cmd->add_subcommand(
      "check", "Report recorded data that no longer fits the workspace's (edited) frameworks");
  add_format_option(*check, opts->format, {"table", "json"});
  check->callback(
      [opts, &global, &run] { run = [opts, &global] { return run_check(global, *opts); }; });

  for (auto* sub : cmd->get_subcommands({})) sub->fallthrough();
}

}  // namespace outcomes::cli
