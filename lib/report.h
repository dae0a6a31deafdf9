// The monthly report: caseload, engagement, outcomes (hard and soft side by side),
// distance travelled, non-linear journeys, breakdowns, data quality and stories over a
// period, with small-number suppression. A plain model built by
// `build_report` (from the store) or `compute_report` (from journeys, for tests); the
// renderers in report_render.cpp turn it into json, table, markdown, csv or html.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "assess.h"
#include "date.h"
#include "entry.h"
#include "framework.h"
#include "store.h"
#include "workspace.h"

namespace outcomes {

// What to report on.
struct ReportOptions {
  Date from;                            // first day of the period
  Date to;                              // last day of the period (inclusive)
  std::vector<std::string> frameworks;  // framework ids; empty = every framework with data
  // Cohort filter on each person's latest attribute value on or before `to` ("not_recorded"
  // for none): values of one attribute are alternatives, different attributes must all hold.
  std::vector<std::pair<std::string, std::string>> where;
  bool suppress = true;  // small-number suppression (false = --no-suppress)
  // The current date, when known: a period starting after it is refused, one ending on or
  // after it is marked not yet complete.
  std::optional<Date> today;
};

// The period of `--month YYYY-MM`; nullopt when malformed.
std::optional<std::pair<Date, Date>> month_period(std::string_view text);
// The period of `--quarter YYYY-Qn`; nullopt when malformed.
std::optional<std::pair<Date, Date>> quarter_period(std::string_view text);

// A whole-number count (people or entries) that suppression may hide.
struct Count {
  int64_t n = 0;
  bool suppressed = false;
  // Hidden only to protect a small cell of the same row (n may be above the threshold):
  // shown as "*", never as "<k".
  bool secondary = false;
};

// People with one status of a status measure.
struct StatusCount {
  std::string status;  // a status id of the framework, or "not_assessed"
  Count count;
  std::optional<StatusMeaning> means;  // nullopt for not_assessed (and unknown ids)
  // True when in percent_achieved's denominator (means achieved, partial or not achieved).
  bool counted() const { return means && *means != StatusMeaning::NotRelevant; }
};

// One status measure of a framework: people (active) per status, summing to `active`.
struct StatusFigures {
  std::string id;
  std::string name;
  Nature nature = Nature::Soft;
  std::vector<StatusCount> counts;         // framework statuses in order, then not_assessed
  std::optional<double> percent_achieved;  // unrounded; null when the denominator is 0
  Count achieved;                          // people whose status means achieved
};

// Distance travelled on a framework's total score.
struct ChangeFigures {
  Count people;                       // category is not insufficient_data
  std::optional<double> mean_change;  // unrounded mean over `people`
  Count improved;
  Count no_reliable_change;
  Count deteriorated;
  Count insufficient_data;
  Count not_computable;
  // People whose improvement reaches the framework's minimum meaningful change (among
  // `people`); only for frameworks that give one.
  std::optional<Count> meaningful;
};

struct ItemFigures {
  std::string id;
  std::string name;
  Nature nature = Nature::Soft;
  Count people;  // people with a counted change on this item
  std::optional<double> mean_change;
};

struct MilestoneFigures {
  std::string id;
  std::string name;
  Nature nature = Nature::Hard;
  Count achieved;
  Count in_progress;
  Count ended;
};

struct SignalFigures {
  std::string id;
  std::string name;
  Nature nature = Nature::Soft;
  Count total;  // signal entries dated in the period
};

struct GoalFigures {
  Count people;                        // active people with at least one goal
  std::optional<double> mean_t_score;  // mean of unrounded T-scores
};

// A person's scores over time (for the small-multiple journey lines of the html report).
struct JourneyLine {
  std::string person;
  std::vector<DatedScore> points;
};

// Everything reported about one framework, over the active people.
struct FrameworkFigures {
  std::string id;
  std::string name;
  std::string version;
  std::string notice;
  bool has_total = false;
  Direction direction = Direction::HigherIsBetter;
  Count people;  // active people with entries in this framework
  std::vector<StatusFigures> measures;
  std::optional<ChangeFigures> change;  // frameworks with a total score only
  std::vector<ItemFigures> items;
  std::vector<MilestoneFigures> milestones;
  std::vector<SignalFigures> signals;
  std::optional<GoalFigures> goals;  // goal frameworks only
  Count non_linear_journeys;         // better than baseline despite at least one setback
  // For charts: the unrounded changes counted in `change`, the reliable-change threshold in
  // score units (1.96·S_diff, see reliable_change_sdiff) where computable, and a few journeys.
  std::vector<double> changes;
  std::optional<double> reliable_change_threshold;
  std::optional<double> minimum_change;  // the framework's minimum meaningful change
  std::vector<JourneyLine> journeys;
};

// One row of the soft/hard summary: a measure, its nature and its headline figure.
struct SummaryRow {
  std::string framework;
  std::string measure;  // measure id, or "total" for a framework's total score
  std::string name;
  std::string type;  // status | scale | total | milestone | signal | goal
  Nature nature = Nature::Soft;
  std::string figure;  // percent_achieved | mean_change | achieved | total | mean_t_score
  // The count behind the figure: people achieved (status, milestone), people with a counted
  // change (total, scale), people with goals (goal), signal entries in the period (signal).
  Count count;
  std::optional<double> value;  // the figure when it is not a count
  // percent_achieved only: the people it is a share of (achieved, partial or not achieved).
  int64_t denominator = 0;
  // False when nothing was assessed in the period: every status not_assessed, no counted
  // change, no milestone state, no signal, no goal.
  bool assessed = true;
};

struct CaseloadFigures {
  Count active;
  Count new_;
  Count reengaged;
  Count exited;
  Count open_at_start;  // in an open episode on the day before `from`
  Count open_at_end;    // in an open episode at the end of `to`
};

struct EngagementFigures {
  Count contacts;
  Count attended;
  Count missed;
  Count self_initiated;
  Count outreach;
  Count people_contacted;
};

struct BreakdownCell {
  std::string value;  // an attribute value, or "not_recorded"
  Count active;
  Count new_;
  Count reengaged;
  Count exited;
};

struct Breakdown {
  std::string attribute;
  std::string name;
  std::vector<BreakdownCell> cells;  // declared values in order, then not_recorded
};

struct DataQuality {
  Count no_baseline;           // active people with no complete occasion of any reported scale
  Count overdue_review;        // last occasion (complete or not) before `to` − review interval
  Count incomplete_occasions;  // incomplete occasions of active people as of `to`
  Count late_entries;          // recorded in the period, dated before `from`
  // Entries of active people whose value the (edited) framework no longer allows: left out
  // of every figure. Shown only when there are some.
  Count values_outside_range;
};

struct Story {
  std::string person;
  Date date;
  std::string excerpt;  // at most ~200 characters, cut at a word
};

struct Notice {
  std::string framework;
  std::string text;
};

// The services a combined report (outcomes report --services) covers.
struct CombinedServices {
  std::vector<std::string> services;  // service ids, in the order given
  // True when people were linked across services by the keyed pseudonym of their reference
  // under a shared key (someone at two services counts once); false when every service's
  // people are kept apart (the same reference at two services is two people).
  bool people_linked = false;
};

struct Report {
  std::string service;
  Date from;
  Date to;
  std::optional<Date> today;    // as given in the options
  bool period_complete = true;  // false when the period ends on or after today
  std::vector<std::pair<std::string, std::string>> where;
  int threshold = 5;
  int review_interval_days = 90;
  CaseloadFigures caseload;
  EngagementFigures engagement;
  std::vector<FrameworkFigures> frameworks;
  std::vector<SummaryRow> summary;
  std::vector<Breakdown> breakdowns;
  DataQuality data_quality;
  std::vector<Story> stories;
  std::vector<Notice> notices;
  // Recorded data that no longer fits an edited framework, one sentence per problem.
  std::vector<std::string> framework_warnings;
  bool suppression_applied = true;  // false with --no-suppress
  bool suppressed = false;          // true when any figure was suppressed or withheld
  std::optional<CombinedServices> combined;  // set only for a report over several services
};

// One person's entries (current ones, corrections applied) dated on or before the report's
// `to`, ordered by date then seq. People outside the period may carry only some of theirs.
struct PersonJourney {
  std::string person;
  std::vector<Entry> entries;
};

// The report over `journeys` (the pure core). `frameworks` are the workspace's; unknown ids in
// options.frameworks or options.where are the caller's to reject (see validate_report_options).
Report compute_report(const std::vector<PersonJourney>& journeys,
                      const std::vector<Framework>& frameworks, const Settings& settings,
                      const ReportOptions& options);

// Throws UsageError for a period with from > to or starting after options.today, an unknown
// framework id, or an unknown --where attribute or value (with "did you mean").
void validate_report_options(const ReportOptions& options, const Workspace& workspace);

// The report from the store: reads the few enrol/exit/attribute entries first, then only the
// entries of people active in the period (and the period's contacts and notes).
Report build_report(const JourneyStore& store, const Workspace& workspace,
                    const ReportOptions& options);

// --- one report over several services (outcomes report --services) ---------------------------
//
// The rules: each service's people are its own, so a reference is known as "SERVICE/REF"
// unless a shared pseudonym key is given; with one, a person is known by the keyed pseudonym
// of their reference ("p-…", export's person_pseudonym), the same at every service, and
// their entries at all services form one journey: one person in every count, their episodes
// of support joined (supported on any day some service supports them), their assessments
// read as one series. Figures are computed over the combined people first and suppressed
// after, never per service. The frameworks and settings (threshold, attributes, review
// interval, stories) are those of the workspace the report is run from.

// One service's people, for a combined report computed in memory.
struct ServiceJourneys {
  std::string service;                  // the service id
  std::vector<PersonJourney> journeys;  // each person's entries, as compute_report takes them
};

// The combined report over services' journeys (the pure core of build_combined_report);
// `link_key`: the shared pseudonym key that links people across services, nullopt to keep
// every service's people apart.
Report compute_combined_report(const std::vector<ServiceJourneys>& services,
                               const std::vector<Framework>& frameworks, const Settings& settings,
                               const ReportOptions& options,
                               const std::optional<std::string>& link_key);

// One service's store, opened read-only, for a combined report.
struct ServiceStore {
  std::string service;  // the service id (its schema)
  const JourneyStore* store = nullptr;
};

// The framework versions one service's store has recorded (JourneyStore::framework_versions).
struct ServiceFrameworks {
  std::string service;
  std::vector<FrameworkVersion> versions;
};

// Throws InvalidInput, naming the framework and each service's version and content, when a
// framework the report covers was last recorded under different content at two services
// (earlier versions are read under the workspace's definition, as in one service's report),
// or, when options.frameworks is empty, when a service has data for a framework the workspace
// does not define. Content equal to the workspace's own file (by either digest) agrees.
void check_services_combinable(const std::vector<ServiceFrameworks>& services,
                               const Workspace& workspace, const ReportOptions& options);

// The combined report from the services' stores (options as validate_report_options checks
// them against `workspace`): every entry dated up to options.to of every service is read, one
// person at a time; only people at several services under `link_key` are held in memory
// until every service is read. Throws as check_services_combinable.
Report build_combined_report(const std::vector<ServiceStore>& services, const Workspace& workspace,
                             const ReportOptions& options,
                             const std::optional<std::string>& link_key);

// Entries of one person at several services (each in its own order, as PersonJourney holds
// them) as one journey: ordered by date, then the services in the order given, each service's
// own order kept. Their episodes of support are joined where they overlap or meet on a day:
// an enrolment while another service's episode is open, and an exit while another's stays
// open, are left out, so the journey has one episode for each stretch of continuous support.
std::vector<Entry> merge_service_entries(const std::vector<std::vector<Entry>>& by_service);

// Applies small-number suppression to a computed report (compute_report does this itself
// when options.suppress): counts 1..threshold−1, secondary cells, withheld means.
void suppress_report(Report& report);

// An excerpt of `text` of at most `limit` bytes, cut at a word and ended with "…" when cut
// (never splitting a UTF-8 sequence); whitespace runs become single spaces.
std::string story_excerpt(const std::string& text, std::size_t limit = 200);

// Renderers (deterministic: stable order, fixed number formatting).
void render_report_json(const Report& report, std::ostream& out);
void render_report_table(const Report& report, std::ostream& out);
void render_report_markdown(const Report& report, std::ostream& out);
void render_report_csv(const Report& report, std::ostream& out);
void render_report_html(const Report& report, std::ostream& out);

}  // namespace outcomes
