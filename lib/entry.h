// Journey log entries: the kinds of fact a service records about a person.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "date.h"

namespace outcomes {

enum class EntryKind {
  Enrol,
  Exit,
  Contact,
  Assessment,
  Status,
  Need,
  Milestone,
  Signal,
  Goal,
  Note,
  Attribute,
};
inline constexpr int kEntryKindCount = 11;

// "enrol", "exit", … as written in the entries CSV.
std::string_view to_string(EntryKind kind);
std::optional<EntryKind> parse_entry_kind(std::string_view text);

// The statuses of entry kinds whose status column is a fixed set.
inline constexpr std::string_view kContactStatuses[] = {"attended", "missed", "self_initiated",
                                                        "outreach"};
inline constexpr std::string_view kNeedStatuses[] = {"open", "met"};
inline constexpr std::string_view kMilestoneStatuses[] = {"start", "end"};
inline constexpr std::string_view kGoalStatuses[] = {"set", "review", "close"};
inline constexpr std::string_view kNoteStatuses[] = {"shareable", "private"};

// An entry to be appended (already validated by the caller).
struct NewEntry {
  std::string person;
  Date date;
  EntryKind kind = EntryKind::Note;
  std::string framework;       // framework id, "" when the kind has none
  std::string framework_hash;  // content hash of the framework version recorded under
  std::string framework_version;  // the framework's version label
  std::string measure;         // measure id, item id, goal key or attribute name
  std::optional<int> value;    // item score or goal attainment
  std::string status;          // contact type, status id, need/milestone/goal state, note consent, exit reason, attribute value
  std::string text;            // evidence, need text, goal words, note story
  std::string by;              // who recorded it
  std::string ref;             // external id making re-imports idempotent; "" when none
  int64_t supersedes = 0;      // id of the entry this corrects; 0 when none
  std::string reason;          // why the correction was made
};

// An entry as stored.
struct Entry : NewEntry {
  int64_t id = 0;
  // Orders entries of one person and date: the id of the first entry in a correction
  // chain, so a correction keeps the place of what it corrects.
  int64_t seq = 0;
  std::string recorded_at;  // UTC timestamp "YYYY-MM-DDTHH:MM:SSZ" of the write
  int64_t batch = 0;        // import batch id; 0 for single entries
  bool superseded = false;  // true when a later correction replaced it
};

}  // namespace outcomes
