// What every subcommand shares: global options, workspace lookup, "today", formats.
#pragma once
#include <functional>
#include <initializer_list>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "date.h"
#include "store.h"
#include "workspace.h"

namespace outcomes::cli {

// Options given before or after the subcommand name.
struct GlobalOptions {
  std::string workspace;  // --workspace DIR
  std::string now;        // --now DATE (else OUTCOMES_NOW, else the system clock)
};

// A subcommand's body, chosen during parsing and run once parsing succeeded.
using Runner = std::function<int()>;

// Finds (--workspace, OUTCOMES_WORKSPACE, upward search) and opens the workspace.
Workspace open_workspace(const GlobalOptions& global,
                         BrokenFrameworks broken = BrokenFrameworks::Refuse);
// The date pinned by --now, else by OUTCOMES_NOW, else none. UsageError if malformed.
std::optional<Date> pinned_today(const GlobalOptions& global);
// Today: the pinned date, else the date in the workspace's time zone (setting `timezone`,
// else the system's zone).
Date today(const GlobalOptions& global, const Workspace& workspace);
// The UTC timestamp to stamp writes with: "today" at the current clock time, or at
// 00:00:00 when today is pinned (so pinned runs are reproducible).
std::string now_timestamp(const GlobalOptions& global);
// Parses a date option; UsageError naming the option when malformed.
Date parse_date_option(const std::string& text, std::string_view option);
// Adds a --format option restricted to `choices`, defaulting to the first.
CLI::Option* add_format_option(CLI::App& app, std::string& format,
                               std::initializer_list<std::string> choices);
// Sends what `write` produces to standard output when `output` is "" or "-", else to the
// file `output` through write_output (owner-only, never half-written). Error on failure.
void write_result(const std::string& output, const std::function<void(std::ostream&)>& write);
// True when standard error is a terminal (progress is shown only then).
bool stderr_is_terminal();
// Opens the workspace's store for a write that queues behind other processes' writes:
// it waits up to OUTCOMES_WAIT seconds (default 3600) and, on a terminal, says it is
// waiting. UsageError when OUTCOMES_WAIT is not a whole number of seconds.
std::unique_ptr<JourneyStore> open_store_to_write(const Workspace& workspace);

// When a failed parse of `args` was caused by an unknown subcommand or option, a message
// naming it with the nearest known name ("did you mean …?") and where to look; else "".
std::string explain_unknown_argument(const CLI::App& app, const std::vector<std::string>& args);

// One registration function per subcommand, each in its own file.
void setup_init(CLI::App& app, const GlobalOptions& global, Runner& run);
void setup_frameworks(CLI::App& app, const GlobalOptions& global, Runner& run);
void setup_record(CLI::App& app, const GlobalOptions& global, Runner& run);
void setup_journey(CLI::App& app, const GlobalOptions& global, Runner& run);
void setup_assess(CLI::App& app, const GlobalOptions& global, Runner& run);
void setup_report(CLI::App& app, const GlobalOptions& global, Runner& run);
void setup_export(CLI::App& app, const GlobalOptions& global, Runner& run);
void setup_backup(CLI::App& app, const GlobalOptions& global, Runner& run);
void setup_verify(CLI::App& app, const GlobalOptions& global, Runner& run);
void setup_forget(CLI::App& app, const GlobalOptions& global, Runner& run);
void setup_store(CLI::App& app, const GlobalOptions& global, Runner& run);

}  // namespace outcomes::cli
