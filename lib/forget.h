// `forget PERSON`: the right to erasure. Every entry of a person is removed from the store in
// one write, the erasure is recorded without the reference (only its keyed digest), and the
// store's files are rewritten so that nothing erased can be read back from them.
#pragma once
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <unordered_map>

#include "hash.h"
#include "store.h"

namespace outcomes {

// What to forget, and the record to keep of it.
struct ForgetOptions {
  std::string person;     // the reference to erase
  std::string reason;     // why (required: clean text that does not name the person)
  std::string by;         // who erases ("" allowed)
  std::string erased_at;  // UTC timestamp of the erasure
  bool dry_run = false;   // say what would go; change nothing
};

struct ForgetResult {
  std::string person;
  ErasurePlan plan;     // what was (or, in a dry run, would be) erased
  bool dry_run = false;
  // Set when the person had been erased before and nothing of theirs was left: the date
  // (YYYY-MM-DD) of that erasure. The store's files were scrubbed again (not in a dry run).
  std::string erased_before;
};

// The keyed digest (HMAC-SHA-256 under the store's pseudonym secret) under which an
// erasure names its person; unlike export pseudonyms, it is never written anywhere else.
std::string erasure_digest(std::string_view secret, std::string_view person);

// The people a store has erased, recognised by their keyed digests: for refusing to record
// them again and for saying so when they are asked for. Holds no reference.
class ErasedPeople {
 public:
  // Reads the store's record of erasures (a store with none costs nothing later).
  explicit ErasedPeople(const JourneyStore& store);
  // True when no one has been erased.
  bool empty() const { return erased_on_.empty(); }
  // The date (YYYY-MM-DD) `person` was last erased on; nullopt when never.
  std::optional<std::string> erased_on(std::string_view person);

 private:
  std::optional<HmacSha256> mac_;
  std::unordered_map<std::string, std::string> erased_on_;  // digest -> date
};

// "the entries of 'P017' were erased on DATE …", for every command that meets the reference.
std::string erased_person_message(std::string_view person, std::string_view date);

// For the checks of new rows: the problem with recording `person` ("" when none) when
// they were erased; empty (no check needed) when the store has erased no one.
std::function<std::string(std::string_view)> refuse_erased_people(const JourneyStore& store);

// Erases `options.person` (see ForgetOptions): checks the options, takes the store's write
// lock, erases and records in one transaction, then scrubs the files. UsageError for an
// empty reason, a reason or worker naming the person, or a person the store never held
// (with the nearest reference); InvalidInput for text that cannot be stored; Error when the
// files could not be scrubbed (the erasure stands; running it again finishes the scrub).
ForgetResult forget_person(JourneyStore& store, const ForgetOptions& options);

// The summary line of a finished forget, e.g. "forgot P017: 42 entries erased (reason
// recorded)".
std::string forget_summary(const ForgetResult& result);

// What a dry run found: the entries by kind, their dates, the writes and batches touched.
void render_forget_plan(std::ostream& out, const ForgetResult& result);

}  // namespace outcomes
