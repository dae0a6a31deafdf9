#include "common.h"

#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <iostream>

#include <fmt/format.h>

#include "error.h"
#include "output.h"
#include "suggest.h"

namespace outcomes::cli {

Workspace open_workspace(const GlobalOptions& global, BrokenFrameworks broken) {
  WorkspaceSearch search;
  if (!global.workspace.empty()) search.explicit_dir = global.workspace;
  if (const char* env = std::getenv("OUTCOMES_WORKSPACE"); env && *env) search.env_dir = env;
  search.start = std::filesystem::current_path();
  return outcomes::open_workspace(find_workspace(search), broken);
}

Date parse_date_option(const std::string& text, std::string_view option) {
  auto date = parse_date(text);
  if (!date)
    throw UsageError(fmt::format("{}: '{}' is not a date; expected YYYY-MM-DD", option, text));
  return *date;
}

std::optional<Date> pinned_today(const GlobalOptions& global) {
  if (!global.now.empty()) return parse_date_option(global.now, "--now");
  if (const char* env = std::getenv("OUTCOMES_NOW"); env && *env)
    return parse_date_option(env, "OUTCOMES_NOW");
  return std::nullopt;
}

Date today(const GlobalOptions& global, const Workspace& workspace) {
  if (auto pinned = pinned_today(global)) return *pinned;
  return today_in_zone(workspace.settings.timezone);
}

std::string now_timestamp(const GlobalOptions& global) {
  if (auto pinned = pinned_today(global)) return format_date(*pinned) + "T00:00:00Z";
  auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  auto day = std::chrono::floor<std::chrono::days>(now);
  std::chrono::hh_mm_ss time{now - day};
  return fmt::format("{}T{:02d}:{:02d}:{:02d}Z",
                     format_date(Date{static_cast<int32_t>(day.time_since_epoch().count())}),
                     time.hours().count(), time.minutes().count(), time.seconds().count());
}

CLI::Option* add_format_option(CLI::App& app, std::string& format,
                               std::initializer_list<std::string> choices) {
  std::vector<std::string> list(choices);
  format = list.front();
  std::string names;
  for (const auto& c : list) names += (names.empty() ? "" : "|") + c;
  return app.add_option("--format", format, "Output format: " + names + " (default " + list.front() + ")")
      ->check(CLI::IsMember(list))
      ->option_text("FORMAT");
}

bool stderr_is_terminal() { return isatty(STDERR_FILENO) == 1; }

std::unique_ptr<JourneyStore> open_store_to_write(const Workspace& workspace) {
  WaitPolicy wait;
  if (const char* env = std::getenv("OUTCOMES_WAIT"); env && *env) {
    const std::string_view text(env);
    long long seconds = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec != std::errc() || end != text.data() + text.size() || seconds < 0 ||
        seconds > 7 * 24 * 3600)
      throw UsageError(fmt::format(
          "OUTCOMES_WAIT: '{}' is not a number of seconds from 0 to 604800", text));
    wait.limit = std::chrono::seconds(seconds);
  }
  if (stderr_is_terminal())
    wait.on_wait = [](std::chrono::milliseconds waited, bool done) {
      if (done) {
        std::cerr << "\r\033[K" << std::flush;
        return;
      }
      std::cerr << fmt::format(
                       "\rwaiting for another process writing to the store (an import, "
                       "perhaps) to finish… {} s\033[K",
                       std::chrono::duration_cast<std::chrono::seconds>(waited).count())
                << std::flush;
    };
  return open_store(workspace, /*read_only=*/false, wait);
}

void write_result(const std::string& output, const std::function<void(std::ostream&)>& write) {
  if (!output.empty() && output != "-") return write_output(output, write);
  // Through the descriptor, so a failure names its cause (a full disk, a size limit).
  std::cout.flush();
  write_to_descriptor(STDOUT_FILENO, "standard output", write);
}

namespace {

// The option of `app` or of a command above it (global options fall through) named `name`.
const CLI::Option* find_option(const CLI::App* app, const std::string& name) {
  for (; app; app = app->get_parent())
    if (const auto* opt = app->get_option_no_throw(name); opt && opt->nonpositional()) return opt;
  return nullptr;
}

std::vector<std::string> option_names(const CLI::App* app) {
  std::vector<std::string> names;
  for (; app; app = app->get_parent())
    for (const auto* opt : app->get_options()) {
      for (const auto& l : opt->get_lnames()) names.push_back("--" + l);
      for (const auto& s : opt->get_snames()) names.push_back("-" + s);
    }
  return names;
}

std::string command_path(const CLI::App* app) {
  std::string path;
  for (; app; app = app->get_parent()) path = app->get_name() + (path.empty() ? "" : " " + path);
  return path;
}

}  // namespace

std::string explain_unknown_argument(const CLI::App& app, const std::vector<std::string>& args) {
  const CLI::App* current = &app;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") return "";
    if (arg.size() > 1 && arg[0] == '-') {
      std::string name = arg.substr(0, arg.find('='));
      if (name.size() > 2 && name[1] != '-') name = name.substr(0, 2);  // -wDIR
      const CLI::Option* opt = find_option(current, name);
      if (!opt)
        return fmt::format("unknown option '{}' for '{}'{}\nRun '{} --help' for its options.",
                           name, command_path(current), did_you_mean(name, option_names(current)),
                           command_path(current));
      if (opt->get_items_expected_min() > 0 && arg.find('=') == std::string::npos &&
          arg.size() == name.size())
        ++i;  // its value
      continue;
    }
    const auto subcommands = current->get_subcommands([](const CLI::App*) { return true; });
    if (subcommands.empty()) continue;  // a positional value
    bool found = false;
    for (const auto* sub : subcommands)
      if (sub->check_name(arg)) {
        current = sub;
        found = true;
        break;
      }
    if (found) continue;
    std::vector<std::string> names;
    for (const auto* sub : subcommands) names.push_back(sub->get_name());
    return fmt::format("unknown command '{}' for '{}'{}\nRun '{} --help' for its commands.", arg,
                       command_path(current), did_you_mean(arg, names), command_path(current));
  }
  return "";
}

}  // namespace outcomes::cli
