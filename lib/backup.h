// `outcomes backup FILE`: a checked, owner-only copy of a workspace's store, put in place
// only once complete.
#pragma once
#include <cstdint>
#include <filesystem>

#include "store.h"

namespace outcomes {

struct BackupOptions {
  bool replace = false;              // replace an existing FILE (--force)
  std::filesystem::path store_file;  // the store's own file: never replaced, nor its companions
};

struct BackupResult {
  int64_t entries = 0;  // entries in the copy, superseded ones included
};

// Copies `store` into `target` through JourneyStore::backup_to: into a new owner-only
// temporary file beside `target`, which must open as an outcomes store, is synced to
// disk, then renamed to `target`. Error (nothing replaced, the temporary file removed)
// when `target` is a symbolic link or a folder, is there already and !options.replace,
// is the store's file or one SQLite keeps beside it, or when the copy fails its checks.
BackupResult backup_store(const JourneyStore& store, const std::filesystem::path& target,
                          const BackupOptions& options);

}  // namespace outcomes
