// The errors every journey store backend raises in the same words. `store` names the store
// as its backend does (a file, or postgresql:DATABASE/SCHEMA).
#pragma once
#include <fmt/format.h>

#include <string>

#include "error.h"

namespace outcomes {

// The store's schema is newer than the `known` version this code writes.
inline Error newer_store_error(const std::string& store, int version, int known) {
  return Error(fmt::format(
      "{}: the store has schema version {}, newer than this version of outcomes knows ({}); "
      "upgrade outcomes to use it",
      store, version, known));
}

// The store's schema is older than `target`, and it was opened read-only so cannot migrate.
inline Error store_needs_upgrade_error(const std::string& store, int version, int target) {
  return Error(fmt::format(
      "{}: the store has schema version {} and needs upgrading to {}; run a command that "
      "writes (e.g. 'outcomes record') first",
      store, version, target));
}

// A write waited for another's longer than its WaitPolicy allows; `cause` ("" for none) is
// what the backend said.
inline Error store_busy_error(const std::string& store, const std::string& cause = "") {
  return Error(fmt::format(
      "{}: the store is busy: another process has been writing to it for longer than this "
      "command waits (set by OUTCOMES_WAIT, in seconds); nothing was written. Try again when "
      "it has finished{}",
      store, cause.empty() ? "" : " (" + cause + ")"));
}

// The setting that marks a store as moved elsewhere (StoreTransaction::mark_moved); its value
// says where to.
inline constexpr const char* kMovedToSetting = "moved_to";

// A write was begun on a store marked as moved to `where`.
inline Error store_moved_error(const std::string& store, const std::string& where) {
  return Error(fmt::format(
      "{}: this store was moved to {} by 'outcomes store migrate' (while this command waited, "
      "or the workspace still names the old store); nothing was written. Run the command "
      "again: it writes to the workspace's store as outcomes.yaml now names it",
      store, where));
}

// A copy of a whole store was begun into a store that already holds records.
inline Error restore_into_used_store_error(const std::string& store) {
  return Error(fmt::format(
      "{}: the store already holds records; a whole store is copied only into a new one", store));
}

// Entries of a copy came before its other records.
inline Error restore_out_of_order_error(const std::string& store) {
  return Error(
      fmt::format("{}: a copied store's entries must follow its other records", store));
}

// discard_created was asked of a store that was opened, not created.
inline Error discard_opened_store_error(const std::string& store) {
  return Error(fmt::format("{}: only a store just created can be discarded", store));
}

}  // namespace outcomes
