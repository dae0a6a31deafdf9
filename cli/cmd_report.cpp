// outcomes report: the monthly (quarterly, any period) report for commissioners.
#include <fmt/format.h>

#include <iostream>

#include "common.h"
#include "error.h"
#include "report.h"
#include "store.h"

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
  cmd->callback([opts, &global, &run] {
    run = [opts, &global] {
      ReportOptions options = report_options(*opts);
      Workspace ws = open_workspace(global);
      options.today = today(global, ws);
      validate_report_options(options, ws);
      auto store = open_store(ws, true);
      Report report = build_report(*store, ws, options);
      for (const auto& sentence : report.framework_warnings)
        std::cerr << "outcomes: warning: " << sentence << '\n';
      write_result(opts->output, [&](std::ostream& out) { render(report, opts->format, out); });
      return kExitOk;
    };
  });
}

}  // namespace outcomes::cli
