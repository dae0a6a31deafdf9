// A person's journey: everything recorded about one person, gathered into one plain model
// for reviews and handovers (so nobody has to retell their story). Renderers: journey_render.h.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "assess.h"
#include "date.h"
#include "entry.h"
#include "framework.h"
#include "workspace.h"

namespace outcomes {

class JourneyStore;

// What to gather.
struct JourneyOptions {
  Date as_of;                    // entries dated after this are left out
  bool include_private = false;  // show private notes (otherwise only shareable ones)
  bool audit = false;            // also list every entry, superseded ones included
};

// One episode of support: an enrolment and the exit that ended it (if any).
struct JourneyEpisode {
  int number = 1;  // 1 for the first enrolment; 2+ are re-engagements
  Date start;
  std::optional<Date> end;
  std::string exit_reason;       // exit reason id; "" while open
  std::string exit_reason_name;  // its name from outcomes.yaml (the id when unknown)
  std::string enrol_text;
  std::string exit_text;
  int days = 0;  // length up to the exit, or up to as_of while open
};

// Contacts of one calendar month ("YYYY-MM").
struct ContactCounts {
  int attended = 0;
  int missed = 0;
  int self_initiated = 0;
  int outreach = 0;
  int total() const { return attended + missed + self_initiated + outreach; }
};

struct JourneyContacts {
  ContactCounts all;
  std::optional<Date> first;
  std::optional<Date> last;
  // Every month from the first contact's to the last contact's, empty months included.
  std::vector<std::pair<std::string, ContactCounts>> months;
};

// One assessment occasion of a scale framework.
struct JourneyOccasion {
  Date date;
  std::map<std::string, int> items;  // item id -> score (the items present)
  bool complete = false;             // every item present (or within the pro-rating rule)
  std::optional<double> score;      // the total score, where the framework has one and it is scored
  std::optional<std::string> band;  // the band name of the score
};

// One scale item's values over the framework's occasions.
struct JourneyItemSeries {
  std::string id;
  std::string name;
  int min = 0;
  int max = 0;
  std::vector<std::optional<int>> values;  // one per occasion of the framework (nullopt = missing)
  std::optional<int> first;                // first and last recorded values
  std::optional<int> last;
};

// A scale framework's scores over time.
struct JourneyScale {
  std::string framework;
  std::string name;
  std::string notice;  // copyright notice to print wherever its scores are shown
  bool has_total = false;
  int item_count = 0;  // the framework's number of items
  Direction direction = Direction::HigherIsBetter;
  double score_min = 0;  // the range of the total score (for sparklines)
  double score_max = 0;
  std::vector<JourneyOccasion> occasions;  // in date order
  std::vector<JourneyItemSeries> items;    // framework item order, only items with data
  // Headline figures from assess_person.
  std::optional<DatedScore> baseline;
  std::optional<DatedScore> latest;
  std::optional<double> change;
  ReliableChange reliable_change = ReliableChange::InsufficientData;
  int complete_occasions = 0;
  int incomplete_occasions = 0;
  int setbacks = 0;
};

// One dated status entry of a status measure.
struct JourneyStatusEntry {
  Date date;
  std::string status;
  std::string status_name;
  std::string text;
};

// A need identified for a status measure, in the worker's words.
struct JourneyNeed {
  std::string text;
  Date opened;
  std::optional<Date> met;
};

struct JourneyStatus {
  std::string framework;
  std::string framework_name;
  std::string measure;
  std::string name;
  std::string current;       // status id, or "not_assessed"
  std::string current_name;  // its name
  std::vector<JourneyStatusEntry> history;
  std::vector<JourneyNeed> needs;  // in the order identified
};

struct JourneyMilestone {
  std::string framework;
  std::string measure;
  std::string name;
  std::optional<Duration> sustain;
  std::string state;  // achieved | in_progress | ended
  std::vector<MilestoneRun> runs;
};

struct JourneyGoalReview {
  Date date;
  int attainment = 0;
  bool close = false;
  std::string text;
  std::string label;  // the goal scale's words for the attainment, "" if none
};

// A person-led goal, in their own words.
struct JourneyGoal {
  std::string framework;
  std::string key;
  std::string text;
  Date set_on;
  int baseline = -1;
  int attainment = -1;           // the latest review's (the baseline until reviewed)
  std::string attainment_label;  // the goal scale's words for it, "" if none
  bool open = true;
  std::vector<JourneyGoalReview> reviews;
};

struct JourneySignal {
  std::string framework;
  std::string measure;
  std::string name;
  int total = 0;
  int last_90_days = 0;
  std::vector<Date> dates;
};

struct JourneyNote {
  Date date;
  std::string text;
  std::string by;
  bool is_private = false;
};

struct JourneyWorker {
  std::string by;
  int entries = 0;
  Date first;
  Date last;
};

struct JourneyAttribute {
  std::string id;
  std::string name;
  std::string value;
  Date date;
};

// The goal T-score of one goal framework.
struct JourneyGoalSummary {
  std::string framework;
  std::string name;
  std::optional<double> t_score;  // unrounded
};

// The whole journey of one person as of a date.
struct Journey {
  std::string person;
  std::string service;
  Date as_of;
  bool include_private = false;
  bool audit = false;
  std::vector<JourneyEpisode> episodes;
  bool in_open_episode = false;
  std::vector<JourneyAttribute> attributes;  // settings order, then unknown ones by id
  JourneyContacts contacts;
  std::vector<JourneyScale> scales;     // by framework id
  std::vector<JourneyStatus> statuses;  // framework id, then measure file order
  std::vector<JourneyMilestone> milestones;
  std::vector<JourneyGoal> goals;  // framework id, then set date, then key
  std::vector<JourneyGoalSummary> goal_summaries;
  std::vector<JourneySignal> signals;
  std::vector<JourneyNote> notes;  // in date order
  int private_notes_hidden = 0;
  std::vector<JourneyWorker> workers;  // by name
  std::vector<Entry> audit_entries;    // every entry, superseded included (audit only)
};

// Builds the journey from one person's entries (any order; `include_superseded` rows are
// used only for the audit list) and the workspace's settings and frameworks.
Journey build_journey(const std::string& person, const std::vector<Entry>& entries,
                      const Workspace& workspace, const JourneyOptions& options);

// Reads the person's entries from the store and builds their journey. UsageError when the
// store holds no such person (with "did you mean …?").
Journey load_journey(const JourneyStore& store, const Workspace& workspace,
                     const std::string& person, const JourneyOptions& options);

}  // namespace outcomes
