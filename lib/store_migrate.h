// Moving a workspace's journey store to another backend (the SQLite file outcomes.db, or a
// schema on PostgreSQL): every record copied exactly into a new store, checked, and only then
// the workspace's outcomes.yaml switched to it.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "store.h"
#include "workspace.h"

namespace outcomes {

// How far a migration has got: entries copied, then entries read back to check them.
struct MigrateProgress {
  enum class Phase { Copying, Checking };
  Phase phase = Phase::Copying;
  int64_t entries = 0;  // done so far in this phase
  int64_t total = 0;    // entries in the store
};

struct MigrateOptions {
  // Where the store goes: "sqlite" (outcomes.db in the workspace folder) or a PostgreSQL URI.
  std::string to;
  // With a PostgreSQL target: the schema's name ("" = the workspace's service_id, else one
  // made from the service's name).
  std::string service_id;
  // Told now and then how far the copy has got (from the calling thread); may be empty.
  std::function<void(const MigrateProgress&)> progress;
};

// What a migration did.
struct MigrateResult {
  std::string from;  // where the store was (and its copy still is), for the user
  std::string to;    // where it is now
  int64_t entries = 0;
  int64_t batches = 0;
  int64_t erasures = 0;
  std::string digest;  // SHA-256 over every entry and record, the same on both sides
  std::string not_marked;  // why the old store could not be marked as moved; "" when it was
};

// What is wrong with `options` for the workspace `settings`, as a UsageError: an unusable
// target or service id, a service id for an SQLite target, or the store's own place.
void check_migrate_options(const Settings& settings, const MigrateOptions& options);

// Copies the workspace's store, `source` (opened to write), into a new store where `options`
// say, in one transaction, while holding the source's write lock so nothing is written to it
// meanwhile; checks the copy (entry count and a digest of every entry and record, read back
// from both sides); then switches the workspace's outcomes.yaml (store: and service_id:) to it,
// atomically; only then is the source marked as moved (StoreTransaction::mark_moved), so that
// a write still waiting for it is refused, and nothing else in it changes. Error when the
// target already holds a store (or a file is there); on any failure the new store is removed
// and outcomes.yaml left as it was.
MigrateResult migrate_store(const std::filesystem::path& root, const Settings& settings,
                            JourneyStore& source, const MigrateOptions& options);

// The SHA-256 over every entry (every field, superseded ones and corrections included, in the
// store's reading order) and every other record of `store`, as hex; `entries` is set to the
// number of entries read and `progress` (may be empty) told as they are.
std::string store_digest(const JourneyStore& store, int64_t& entries,
                         const std::function<void(int64_t)>& progress = {});

// The lines telling the user what a migration did and where the old store still is.
std::string migrate_summary(const MigrateResult& result);

}  // namespace outcomes
