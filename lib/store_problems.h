// What every backend's check_store shares: the list of a check's problems, capped.
#pragma once
#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "store.h"

namespace outcomes {

// At most this many problems are listed per check; the rest are counted.
inline constexpr std::size_t kProblemsListed = 10;

// Collects a check's problems, listing the first kProblemsListed and counting the rest in a
// last line.
class ProblemList {
 public:
  explicit ProblemList(StoreCheck& check) : check_(check) {}
  ~ProblemList() {
    if (more_ > 0)
      check_.problems.push_back(
          fmt::format("… and {} more problem{} of this kind", more_, more_ == 1 ? "" : "s"));
  }
  ProblemList(const ProblemList&) = delete;
  ProblemList& operator=(const ProblemList&) = delete;
  void add(std::string problem) {
    if (check_.problems.size() < kProblemsListed)
      check_.problems.push_back(std::move(problem));
    else
      ++more_;
  }

 private:
  StoreCheck& check_;
  std::size_t more_ = 0;
};

// The checks of references between a store's records, as SQL both backends run. Each orphan
// query's rows are (entry id, missing id): "entry N names WHAT M, which is not stored".
struct OrphanQuery {
  const char* what;
  const char* sql;
};
inline constexpr OrphanQuery kOrphanQueries[] = {
    {"person",
     "SELECT e.id, e.person FROM entries AS e WHERE NOT EXISTS "
     "(SELECT 1 FROM people AS p WHERE p.id = e.person) ORDER BY e.id"},
    {"framework version",
     "SELECT e.id, e.framework FROM entries AS e WHERE e.framework IS NOT NULL "
     "AND NOT EXISTS (SELECT 1 FROM frameworks_seen AS f WHERE f.id = e.framework) "
     "ORDER BY e.id"},
    {"measure",
     "SELECT e.id, e.measure FROM entries AS e WHERE e.measure IS NOT NULL AND "
     "NOT EXISTS (SELECT 1 FROM terms AS t WHERE t.id = e.measure) ORDER BY e.id"},
    {"status",
     "SELECT e.id, e.status FROM entries AS e WHERE e.status IS NOT NULL AND "
     "NOT EXISTS (SELECT 1 FROM terms AS t WHERE t.id = e.status) ORDER BY e.id"},
    {"batch",
     "SELECT e.id, e.batch FROM entries AS e WHERE e.batch IS NOT NULL AND NOT "
     "EXISTS (SELECT 1 FROM batches AS b WHERE b.id = e.batch) ORDER BY e.id"},
};
// Rows (entry id, corrected id) of corrections of entries not stored.
inline constexpr const char* kLostCorrectionsSql =
    "SELECT e.id, e.supersedes FROM entries AS e WHERE e.supersedes IS NOT NULL AND "
    "NOT EXISTS (SELECT 1 FROM entries AS o WHERE o.id = e.supersedes) ORDER BY e.id";
// Rows (entry id, corrections) of entries corrected more than once.
inline constexpr const char* kCorrectedTwiceSql =
    "SELECT supersedes, COUNT(*) FROM entries WHERE supersedes IS NOT NULL "
    "GROUP BY supersedes HAVING COUNT(*) > 1 ORDER BY supersedes";
// Rows (entry id) of entries before the first write of the log of writes.
inline constexpr const char* kUnloggedSql =
    "SELECT id FROM entries WHERE id < (SELECT coalesce(min(first_id), "
    "9223372036854775807) FROM writes) ORDER BY id";
// Rows (batch, entries) of the entries of each batch.
inline constexpr const char* kBatchEntriesSql =
    "SELECT batch, COUNT(*) FROM entries WHERE batch IS NOT NULL GROUP BY batch";
// Rows (batch, rows recorded) of every batch.
inline constexpr const char* kBatchRowsSql = "SELECT id, \"rows\" FROM batches ORDER BY id";

// The problems of the append-only guards: `trigger` guards `rows` ("entries") against
// `event` ("UPDATE", "DELETE", "TRUNCATE").
inline std::string missing_guard_problem(std::string_view trigger, std::string_view rows,
                                         std::string_view event) {
  std::string verb;
  for (char c : event) verb += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (!verb.empty() && verb.back() == 'e') verb.pop_back();
  return fmt::format("the trigger {} is missing: {} could be {}ed", trigger, rows, verb);
}
inline std::string weak_guard_problem(std::string_view trigger, std::string_view rows,
                                      std::string_view event) {
  return fmt::format("the trigger {} no longer refuses every {} of {}", trigger, event, rows);
}

// The problems the reference checks name, one sentence each.
inline std::string orphan_problem(int64_t entry, const char* what, int64_t missing) {
  return fmt::format("entry {} names {} {}, which is not stored", entry, what, missing);
}
inline std::string lost_correction_problem(int64_t entry, int64_t corrected) {
  return fmt::format("entry {} corrects entry {}, which is not stored", entry, corrected);
}
inline std::string corrected_twice_problem(int64_t entry, int64_t corrections) {
  return fmt::format(
      "entry {} is corrected by {} entries; a correction replaces the current version only", entry,
      corrections);
}
inline std::string unknown_kind_problem(int64_t entry, int64_t kind) {
  return fmt::format("entry {} has unknown kind {}", entry, kind);
}
inline std::string unlogged_problem(int64_t entry) {
  return fmt::format("entry {} is missing from the log of writes", entry);
}
// Rows (entry id, kind) of entries of a kind this code does not know.
inline std::string unknown_kinds_sql() {
  return fmt::format("SELECT id, kind FROM entries WHERE kind < 0 OR kind >= {} ORDER BY id",
                     kEntryKindCount);
}

// The problem of a batch whose recorded row count is not its number of entries ("" if none).
inline std::string batch_count_problem(int64_t batch, int64_t recorded, int64_t found) {
  if (recorded == found) return "";
  return fmt::format("batch {} records {} row{} but {} entr{} belong to it", batch, recorded,
                     recorded == 1 ? "" : "s", found, found == 1 ? "y" : "ies");
}

}  // namespace outcomes
