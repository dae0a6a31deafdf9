// A person's timeline: their current entries read once into episodes, assessment occasions,
// status histories and needs, milestone runs, goals, signals and contacts. Every domain rule
// about what a sequence of entries means lives here, once; `assess`, `journey`, `report` and
// the import's checks read the timeline (or, for the import, the same small rules) instead
// of re-deriving it.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "date.h"
#include "entry.h"
#include "framework.h"

namespace outcomes {

// ---------------------------------------------------------------------------------------
// The rules, each in one place.

// Episodes of support. An `enrol` opens an episode unless one is open; an `exit` dated D
// closes the open episode at D (the person is not in an episode at D). Entries of one date
// apply in recording order. The other two outcomes are what the import refuses.
enum class EpisodeStep { Opened, Closed, EnrolWhileOpen, ExitWithoutEpisode };

class EpisodeRule {
 public:
  EpisodeStep enrol(Date date);
  EpisodeStep exit(Date date);
  bool open() const { return open_; }
  Date opened_on() const { return opened_; }               // the open (or last) episode's start
  std::optional<Date> last_closed() const { return closed_; }  // the last exit that closed one

 private:
  bool open_ = false;
  Date opened_{};
  std::optional<Date> closed_;
};

// Things that are opened and closed again by key: a need (by its trimmed text), a running
// milestone, an open goal. Opening what is open, or closing what is not, is refused (the
// import reports it; timelines ignore it).
template <class Key>
class OpenSet {
 public:
  struct Held {
    Key key;
    Date since;
    std::size_t slot;  // the caller's index of what was opened (e.g. a need in a list)
  };
  // Opens `key`; returns what already holds it (nothing is opened then), or nullptr.
  const Held* open(const Key& key, Date date, std::size_t slot = 0) {
    if (const Held* h = find(key)) return h;
    held_.push_back({key, date, slot});
    return nullptr;
  }
  // Closes `key`; returns what was open, or nullopt when nothing was.
  std::optional<Held> close(const Key& key) {
    for (auto it = held_.begin(); it != held_.end(); ++it)
      if (it->key == key) {
        Held h = *it;
        held_.erase(it);
        return h;
      }
    return std::nullopt;
  }
  const Held* find(const Key& key) const {
    for (const auto& h : held_)
      if (h.key == key) return &h;
    return nullptr;
  }
  const std::vector<Held>& held() const { return held_; }
  bool empty() const { return held_.empty(); }
  void clear() { held_.clear(); }

 private:
  std::vector<Held> held_;
};

// Need texts match exactly after trimming ASCII white space (case-sensitive).
std::string need_key(std::string_view text);

// One run of a milestone: a start and, possibly, its end.
struct MilestoneRun {
  Date start;
  std::optional<Date> end;
  bool sustained = false;            // lasted the sustain period (or there is none)
  std::optional<Date> sustained_on;  // the date the sustain period was reached
  std::optional<Date> due;           // when a running run not yet sustained will be
};

// Whether a run is sustained as of `as_of`: it is once start + sustain is reached while it
// runs; an `end` falling exactly on start + sustain counts. Without a sustain period a run is
// achieved when it starts.
void evaluate_run(MilestoneRun& run, const std::optional<Duration>& sustain, Date as_of);

enum class MilestoneState { Achieved, InProgress, Ended };
std::string_view to_string(MilestoneState);

// A milestone is achieved once any run was sustained; otherwise in progress while its last
// run runs, and ended when it stopped first.
MilestoneState milestone_state(const std::vector<MilestoneRun>& runs);

// What an occasion of a scale framework scores: every item present gives the total (the sum or
// weighted sum); with items missing, only a framework whose rule is to prorate scores it (up
// to its maximum of missing items), scaling the present items up to the whole weight. A
// conversion table then maps the whole raw total (rounded half away from zero) to the
// reported score; a total the table does not hold has no score.
struct OccasionScore {
  bool complete = false;  // with a total: it has a score; without: every item is present
  std::optional<double> score;
};

// ---------------------------------------------------------------------------------------
// Frameworks as the timeline reads them, worked out once.

struct PreparedFramework {
  const Framework* framework = nullptr;
  std::vector<const Measure*> items;  // scale items, in file order
  std::vector<const Measure*> statuses;
  std::vector<const Measure*> milestones;
  std::vector<const Measure*> signals;
  double total_weight = 0;

  explicit PreparedFramework(const Framework& f);
  double weight_of(const Measure& item) const;
  int item_index(std::string_view id) const;  // -1 when not an item
  // The score of an occasion holding `values` (one per item, nullopt = missing).
  OccasionScore score(const std::vector<std::optional<int>>& values) const;
};

// The frameworks a timeline interprets (in id order). Entries of other frameworks are listed
// as unknown and otherwise left out.
class PreparedFrameworks {
 public:
  explicit PreparedFrameworks(const std::vector<const Framework*>& frameworks);
  // The frameworks among `frameworks` whose id is in `only` (all of them when it is empty).
  explicit PreparedFrameworks(const std::vector<Framework>& frameworks,
                              const std::vector<std::string>& only = {});
  const PreparedFramework* find(std::string_view id) const;
  const std::vector<PreparedFramework>& all() const { return list_; }

 private:
  std::vector<PreparedFramework> list_;
};

// ---------------------------------------------------------------------------------------
// The timeline.

struct Episode {
  Date start;
  std::optional<Date> end;
  const Entry* enrol = nullptr;
  const Entry* exit = nullptr;  // nullptr while open
};

// An assessment occasion: all item entries of one framework on one date.
struct Occasion {
  Date date;
  std::vector<std::optional<int>> values;  // one per framework item (nullopt = missing)
  bool complete = false;
  std::optional<double> score;  // frameworks with a total: the occasion's score
  const Band* band = nullptr;   // the band of the score, nullptr when none holds it
};

struct Need {
  std::string text;  // trimmed
  Date opened;
  std::optional<Date> met;
};

struct StatusTrack {
  const Measure* measure = nullptr;
  std::vector<const Entry*> history;  // status entries, in order
  std::vector<Need> needs;            // in the order identified
  std::optional<Date> last_need;      // date of the last need entry (open or met)
  std::string current;                // status id, or "not_assessed"
};

struct MilestoneTrack {
  const Measure* measure = nullptr;
  std::vector<MilestoneRun> runs;  // evaluated as of the timeline's date
  MilestoneState state = MilestoneState::Ended;
};

struct Goal {
  std::string key;
  const Entry* set = nullptr;
  int baseline = 0;
  int attainment = 0;  // the latest review's (the baseline until reviewed)
  bool open = true;
  std::vector<const Entry*> reviews;  // reviews and the close, in order
};

struct SignalTrack {
  const Measure* measure = nullptr;
  std::vector<Date> dates;
};

struct FrameworkTimeline {
  const PreparedFramework* prepared = nullptr;
  std::vector<Occasion> occasions;         // in date order, complete or not
  std::vector<StatusTrack> statuses;       // every status measure, file order
  std::vector<MilestoneTrack> milestones;  // milestones with at least one run, file order
  std::vector<Goal> goals;                 // in the order set (a key may be set again)
  std::vector<SignalTrack> signals;        // every signal measure, file order

  explicit FrameworkTimeline(const PreparedFramework& p);
  const Framework& framework() const { return *prepared->framework; }
  // The latest goal of each key, ordered by key (what goal attainment summarises).
  std::vector<const Goal*> current_goals() const;
};

struct Timeline {
  std::string person;
  Date as_of;
  std::vector<Episode> episodes;
  std::vector<const Entry*> contacts;    // in order
  std::vector<const Entry*> attributes;  // the latest entry of each attribute, by first use
  std::vector<FrameworkTimeline> frameworks;  // frameworks with entries, by id
  std::vector<std::string> unknown_frameworks;  // ids not among the prepared ones, sorted

  bool in_open_episode() const { return !episodes.empty() && !episodes.back().end; }
  const FrameworkTimeline* find(std::string_view framework) const;
  // The date of the person's last occasion of any framework, complete or not.
  std::optional<Date> last_occasion() const;
};

// Builds the timeline of one person's current (non-superseded) entries ordered by date then
// recording order, as of `as_of` (later entries are left out). The timeline points into
// `entries`, which must outlive it.
Timeline build_timeline(std::span<const Entry> entries, const PreparedFrameworks& frameworks,
                        Date as_of);

}  // namespace outcomes
