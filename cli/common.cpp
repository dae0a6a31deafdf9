#include "common.h"

#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <iostream>

#include <fmt/format.h>

#include "error.h"
#include "output.h"

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

Date today(const GlobalOptions& global) {
  if (!global.now.empty()) return parse_date_option(global.now, "--now");
  if (const char* env = std::getenv("OUTCOMES_NOW"); env && *env)
    return parse_date_option(env, "OUTCOMES_NOW");
  return today_utc();
}

std::string now_timestamp(const GlobalOptions& global) {
  bool pinned = !global.now.empty();
  if (const char* env = std::getenv("OUTCOMES_NOW"); env && *env) pinned = true;
  if (pinned) return format_date(today(global)) + "T00:00:00Z";
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

}  // namespace outcomes::cli
