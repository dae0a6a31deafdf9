// The outcomes command: registers the subcommands, parses, runs one, maps errors to exit codes.
#include <cerrno>
#include <csignal>
#include <cstring>
#include <functional>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "common.h"
#include "error.h"
#include "text.h"

int main(int argc, char** argv) {
  using namespace outcomes;
  CLI::App app{"outcomes — measure the difference a service makes: hard and soft outcomes, "
               "journeys over time, monthly reports.",
               "outcomes"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("outcomes ") + OUTCOMES_VERSION);
  app.footer(
      "Exit codes: 0 success, 1 runtime failure, 2 usage error, 3 invalid input data "
      "(nothing written).\nParsed frameworks are kept under $OUTCOMES_CACHE (default: "
      "$XDG_CACHE_HOME/outcomes, else ~/.cache/outcomes); OUTCOMES_CACHE=off keeps none.\n"
      "Run 'outcomes COMMAND --help' for a command's options; 'man outcomes' for the manual.");

  cli::GlobalOptions global;
  app.add_option("-w,--workspace", global.workspace,
                 "Workspace folder (default: $OUTCOMES_WORKSPACE, else search upward from here)")
      ->option_text("DIR");
  app.add_option("--now", global.now, "Pin today's date (also $OUTCOMES_NOW), for scripts and tests")
      ->option_text("DATE");

  cli::Runner run;
  cli::setup_init(app, global, run);
  cli::setup_frameworks(app, global, run);
  cli::setup_record(app, global, run);
  cli::setup_journey(app, global, run);
  cli::setup_assess(app, global, run);
  cli::setup_report(app, global, run);
  cli::setup_export(app, global, run);
  cli::setup_backup(app, global, run);
  cli::setup_verify(app, global, run);
  cli::setup_forget(app, global, run);
  cli::setup_store(app, global, run);
  // Global options may also be given after a (sub)subcommand's name.
  std::function<void(CLI::App&)> fall_through = [&](CLI::App& parent) {
    for (auto* sub : parent.get_subcommands({})) {
      sub->fallthrough();
      fall_through(*sub);
    }
  };
  fall_through(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() != 0) {
      const std::string unknown =
          cli::explain_unknown_argument(app, std::vector<std::string>(argv + 1, argv + argc));
      if (!unknown.empty()) {
        std::cerr << "outcomes: error: " << text::escape(unknown, text::Controls::LineBreaks)
                  << '\n';
        return kExitUsage;
      }
    }
    std::ostringstream err;  // CLI11 quotes the bad value: escape it like every message
    int code = app.exit(e, std::cout, err);
    std::cerr << text::escape(err.str(), text::Controls::LineBreaks);
    return code == 0 ? kExitOk : kExitUsage;
  }

  // Past a file size limit (ulimit -f) a write fails with EFBIG, reported like any
  // other failed write, instead of the process being killed mid-write.
  std::signal(SIGXFSZ, SIG_IGN);
  try {
    int code = run ? run() : kExitOk;
    // What was written to standard output outside write_result (short messages) must
    // also have reached it.
    errno = 0;
    if (!std::cout.flush())
      throw Error(fmt::format("cannot write standard output: {}",
                              std::strerror(errno ? errno : EIO)));
    return code;
  } catch (const InvalidInput& e) {
    // Messages may quote user values: never let them write control characters to a terminal.
    for (const auto& problem : e.problems())
      std::cerr << text::escape(problem, text::Controls::LineBreaks) << '\n';
    std::cerr << "outcomes: error: " << text::escape(e.what(), text::Controls::LineBreaks) << '\n';
    return e.exit_code();
  } catch (const Error& e) {
    std::cerr << "outcomes: error: " << text::escape(e.what(), text::Controls::LineBreaks) << '\n';
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "outcomes: error: " << text::escape(e.what(), text::Controls::LineBreaks) << '\n';
    return kExitFailure;
  }
}
