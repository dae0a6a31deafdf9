// What erasing one person removes, worked out the same way by every backend from a few
// lookups of its own (collect_erasure).
#pragma once
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "store.h"

namespace outcomes {

// The entries an erasure of one person removes, and what they leave behind.
struct ErasureSet {
  int64_t person = 0;                                // people.id; 0 when not stored
  std::vector<int64_t> erased;                       // ascending
  std::vector<int64_t> unlinked;                     // surviving corrections of erased entries
  std::vector<int64_t> writes;                       // first_id of each write holding them
  std::vector<std::pair<int64_t, int64_t>> batches;  // batch id, entries erased from it
  std::vector<int64_t> terms;                        // terms the erased entries name
  ErasurePlan plan;
};

// The columns of one entry an erasure needs (0 where a reference is NULL).
struct ErasureRow {
  int64_t supersedes = 0;
  int64_t kind = 0;
  int32_t day = 0;
  int64_t batch = 0;
  int64_t measure = 0;
  int64_t status = 0;
};

// Every entry naming `ref`, and every earlier version of each (a fact corrected onto the
// person from another reference was theirs all along). A later version under another
// reference survives as that person's entry, no longer marked as a correction.
// `store` answers: person_id(ref) -> optional id; entries_of(person) -> ids;
// row(id) -> optional<ErasureRow>; corrections_of(id) -> ids of entries correcting it;
// write_of(id) -> first id of the write holding it; damaged(what) throws.
template <class Store>
ErasureSet collect_erasure(const std::string& ref, Store& store) {
  ErasureSet set;
  const std::optional<int64_t> person = store.person_id(ref);
  if (!person) return set;
  set.person = *person;
  std::vector<int64_t> todo = store.entries_of(set.person);
  std::unordered_set<int64_t> ids;
  std::unordered_map<int64_t, int64_t> batch_rows;
  std::unordered_set<int64_t> terms;
  while (!todo.empty()) {
    const int64_t id = todo.back();
    todo.pop_back();
    if (!ids.insert(id).second) continue;
    const std::optional<ErasureRow> row = store.row(id);
    if (!row) store.damaged(fmt::format("entry {} is corrected but not stored", id));
    if (row->supersedes != 0) todo.push_back(row->supersedes);
    if (row->kind < 0 || row->kind >= kEntryKindCount)
      store.damaged(fmt::format("entry {} has unknown kind {}", id, row->kind));
    ++set.plan.by_kind[static_cast<size_t>(row->kind)];
    const Date day{row->day};
    if (!set.plan.first || day < *set.plan.first) set.plan.first = day;
    if (!set.plan.last || *set.plan.last < day) set.plan.last = day;
    if (row->batch != 0) ++batch_rows[row->batch];
    for (int64_t term : {row->measure, row->status})
      if (term != 0) terms.insert(term);
  }
  set.erased.assign(ids.begin(), ids.end());
  std::sort(set.erased.begin(), set.erased.end());
  set.plan.entries = static_cast<int64_t>(set.erased.size());
  for (int64_t id : set.erased)
    for (int64_t later : store.corrections_of(id))
      if (!ids.count(later)) set.unlinked.push_back(later);
  for (int64_t id : set.erased) {
    const int64_t first = store.write_of(id);
    if (set.writes.empty() || set.writes.back() != first) set.writes.push_back(first);
  }
  set.plan.writes = static_cast<int64_t>(set.writes.size());
  set.batches.assign(batch_rows.begin(), batch_rows.end());
  std::sort(set.batches.begin(), set.batches.end());
  set.plan.batches = static_cast<int64_t>(set.batches.size());
  set.terms.assign(terms.begin(), terms.end());
  std::sort(set.terms.begin(), set.terms.end());
  return set;
}

}  // namespace outcomes
