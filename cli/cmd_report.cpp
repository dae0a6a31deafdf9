// outcomes report: the monthly (quarterly, any period) report for commissioners.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "common.h"
#include "error.h"
#include "export.h"
#include "report.h"
#include "store.h"
#include "store_location.h"

namespace outcomes::cli {

namespace {
struct ReportCommand {
  std::string month;
  std::string quarter;
  std::string from;
  std::string to;
  std::vector<std::string> frameworks;
  std::vector<std::string> where;
  std::string format;
  std::string output;
  bool no_suppress = false;
  std::vector<std::string> services;
  std::string key_file;
};

ReportOptions report_options(const ReportCommand& c) {
  ReportOptions o;
  int forms = (!c.month.empty()) + (!c.quarter.empty()) + (!c.from.empty() || !c.to.empty());
  if (forms != 1)
    throw UsageError(
        "give the period once: --month YYYY-MM, --quarter YYYY-Qn, or --from DATE --to DATE");
  if (!c.month.empty()) {
    auto p = month_period(c.month);
    if (!p)
      throw UsageError(fmt::format("--month: '{}' is not a month; expected YYYY-MM", c.month));
    std::tie(o.from, o.to) = *p;
  } else if (!c.quarter.empty()) {
    auto p = quarter_period(c.quarter);
    if (!p)
      throw UsageError(
          fmt::format("--quarter: '{}' is not a quarter; expected YYYY-Qn (n = 1-4)", c.quarter));
    std::tie(o.from, o.to) = *p;
  } else {
    if (c.from.empty() || c.to.empty()) throw UsageError("--from and --to go together");
    o.from = parse_date_option(c.from, "--from");
    o.to = parse_date_option(c.to, "--to");
  }
  o.frameworks = c.frameworks;
  for (const auto& w : c.where) {
    auto eq = w.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == w.size())
      throw UsageError(fmt::format("--where: '{}' is not ATTRIBUTE=VALUE", w));
    o.where.emplace_back(w.substr(0, eq), w.substr(eq + 1));
  }
  o.suppress = !c.no_suppress;
  return o;
}

void render(const Report& report, const std::string& format, std::ostream& out) {
  if (format == "json")
    render_report_json(report, out);
  else if (format == "markdown")
    render_report_markdown(report, out);
  else if (format == "csv")
    render_report_csv(report, out);
  else if (format == "html")
    render_report_html(report, out);
  else
    render_report_table(report, out);
}

// The report over the services listed with --services. The rules: the workspace's store
// must be on PostgreSQL, and each service listed once and with a store (schema) in the same
// database, which is only read. People are linked across services only with --key-file (the
// services' shared pseudonym key); the workspace's frameworks and settings apply to all.
Report combined_report(const ReportCommand& c, const Workspace& ws, const ReportOptions& options) {
  if (!is_postgres_store(ws.settings.store))
    throw UsageError(
        "--services: this workspace keeps its store in SQLite; a report over several services "
        "reads their schemas in the PostgreSQL database of the workspace's store");
  for (std::size_t i = 0; i < c.services.size(); ++i) {
    const auto& id = c.services[i];
    if (auto problem = service_id_problem(id))
      throw UsageError(fmt::format("--services: {}", *problem));
    if (std::find(c.services.begin(), c.services.begin() + static_cast<std::ptrdiff_t>(i), id) !=
        c.services.begin() + static_cast<std::ptrdiff_t>(i))
      throw UsageError(fmt::format("--services: '{}' is listed twice", id));
  }
  std::optional<std::string> key;
  if (!c.key_file.empty()) key = read_key_file(c.key_file);
  // The workspace's own store first: when it opens, the database is there, so a listed
  // service that does not open has no usable store in it.
  open_store(ws, true);
  std::vector<std::unique_ptr<JourneyStore>> stores;
  std::vector<ServiceStore> services;
  for (const auto& id : c.services) {
    Settings settings = ws.settings;
    settings.service_id = id;
    try {
      stores.push_back(open_store(ws.root, settings, true));
    } catch (const UsageError&) {
      throw;
    } catch (const Error& e) {
      throw UsageError(
          fmt::format("--services: service '{}' has no store in this database: {}", id, e.what()));
    }
    services.push_back({id, stores.back().get()});
  }
  return build_combined_report(services, ws, options, key);
}

}  // namespace

void setup_report(CLI::App& app, const GlobalOptions& global, Runner& run) {
  auto opts = std::make_shared<ReportCommand>();
  auto* cmd = app.add_subcommand(
      "report",
      "The report for a period: caseload, engagement, hard and soft outcomes side by side, "
      "distance travelled, breakdowns, data quality and stories, with small numbers suppressed");
  cmd->add_option("--month", opts->month, "Report on a calendar month")->option_text("YYYY-MM");
  cmd->add_option("--quarter", opts->quarter, "Report on a calendar quarter")
      ->option_text("YYYY-Qn");
  cmd->add_option("--from", opts->from, "First day of the period (with --to)")->option_text("DATE");
  cmd->add_option("--to", opts->to, "Last day of the period, inclusive (with --from)")
      ->option_text("DATE");
  cmd->add_option("--framework", opts->frameworks,
                  "Only this framework (repeatable; default: every framework with data)")
      ->option_text("ID");
  cmd->add_option("--where", opts->where,
                  "Only people whose latest ATTRIBUTE value on or before the period's end is "
                  "VALUE (or not_recorded); repeatable: values of one attribute are alternatives, "
                  "different attributes must all match")
      ->option_text("ATTRIBUTE=VALUE");
  add_format_option(*cmd, opts->format, {"table", "markdown", "csv", "json", "html"});
  cmd->add_option("-o,--output", opts->output,
                  "Write the report to FILE (readable by the owner only, replaced only once "
                  "complete) instead of standard output")
      ->option_text("FILE");
  cmd->add_flag("--no-suppress", opts->no_suppress,
                "Show small counts as they are (for internal use only)");
  cmd->add_option("--services", opts->services,
                  "One report over these services (comma-separated service ids) whose stores "
                  "share this workspace's PostgreSQL database, read-only; people are kept apart "
                  "per service unless --key-file links them")
      ->option_text("ID,...")
      ->expected(1)
      ->delimiter(',')
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("--key-file", opts->key_file,
                  "With --services: the pseudonym key the services share (as export's "
                  "--key-file): people are linked across services by their keyed pseudonym, "
                  "and someone at several services counts once")
      ->option_text("FILE");
  cmd->callback([opts, &global, &run] {
    run = [opts, &global] {
      ReportOptions options = report_options(*opts);
      Workspace ws = open_workspace(global);
      options.today = today(global, ws);
      validate_report_options(options, ws);
      if (!opts->key_file.empty() && opts->services.empty())
        throw UsageError("--key-file links people across services: it goes with --services");
      Report report;
      if (!opts->services.empty()) {
        report = combined_report(*opts, ws, options);
      } else {
        auto store = open_store(ws, true);
        report = build_report(*store, ws, options);
      }
      for (const auto& sentence : report.framework_warnings)
        std::cerr << "outcomes: warning: " << sentence << '\n';
      write_result(opts->output, [&](std::ostream& out) { render(report, opts->format, out); });
      return kExitOk;
    };
  });
}

}  // namespace outcomes::cli
