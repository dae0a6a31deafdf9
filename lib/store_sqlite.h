// The journey store in SQLite: the one JourneyStore backend today. Only the store's own
// code and its tests include this header; everything else goes through lib/store.h.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store.h"

namespace SQLite {
class Database;
}

namespace outcomes {

// Tuning of an SQLite store, fixed when it is opened.
struct SqliteOptions {
  // Entries held in memory per pass of a whole-store read: about 100 bytes a row, so a
  // pass of a million rows needs about 100 MB (tests lower it to force several passes).
  int64_t rows_per_pass = int64_t{1} << 20;
  // A scan of at least this many entries (a whole-store read, or the writes of a period),
  // and a read of many selected people from a table holding at least this many, shares its
  // work with a second connection on a second thread when the machine has two cores (0:
  // never; tests lower it to cover that path on small stores).
  int64_t parallel_scan_rows = int64_t{1} << 18;
  // How a write waits for another process's write to finish.
  WaitPolicy wait;
  // A bulk write that has appended this many entries, and at least as many as the store
  // held before it, drops the indexes many of its rows enter and builds them again before
  // it commits (tests lower it to cover that path on small stores). Keeping five indexes
  // row by row makes the writing thread, not the reading one, the bound of an import while
  // it lasts: into an empty store, 10M rows took 25.3 s dropping them at 256k rows against
  // 28.5 s at 2M, and 1M rows 2.00 s against 1.92 s.
  int64_t rebuild_indexes_after = int64_t{1} << 18;
};

class SqliteStore final : public JourneyStore {
 public:
  // Creates a new, empty store file readable by its owner only (mode 0600); Error if it exists.
  static SqliteStore create(const std::filesystem::path& file, SqliteOptions options = {});
  // Opens an existing store, migrating its schema forward; Error if missing or not a store.
  static SqliteStore open(const std::filesystem::path& file, bool read_only = false,
                          SqliteOptions options = {});

  SqliteStore(SqliteStore&&) noexcept;
  SqliteStore& operator=(SqliteStore&&) noexcept;
  ~SqliteStore() override;

  // The schema version (PRAGMA user_version) this code writes.
  static int schema_version();
  // The path of the store file.
  const std::string& file() const;

  std::unique_ptr<StoreTransaction> begin(bool bulk = false) override;
  void for_each_entry(const EntryQuery& query,
                      const std::function<void(const Entry&)>& visit) const override;
  std::optional<Entry> entry(int64_t id) const override;
  bool has_ref(const std::string& ref) const override;
  std::optional<ImportBatch> batch_with_hash(const std::string& content_hash) const override;
  bool has_legacy_batches() const override;
  std::vector<std::string> people() const override;
  std::vector<FrameworkVersion> framework_versions() const override;
  int64_t entry_count() const override;
  ErasurePlan erasure_plan(const std::string& person) const override;
  std::vector<ErasureRecord> erasures() const override;
  std::optional<std::string> setting(const std::string& key) const override;
  StoreRecords records() const override;
  std::unique_ptr<JourneyStore> open_reader() const override;
  void backup_to(const std::filesystem::path& file) const override;
  void scrub() override;
  std::vector<StoreCheck> check_store() const override;
  void discard_created() override;

  struct Impl;

 private:
  explicit SqliteStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The schema steps, exposed for the store's tests.
namespace store_detail {
// One schema step: upgrades a store by one version inside the migrating transaction.
using Migration = std::function<void(SQLite::Database&)>;
// The built-in steps; step i upgrades PRAGMA user_version i to i+1.
const std::vector<Migration>& migrations();
// Applies the steps beyond the store's user_version in one transaction and returns the
// new version; Error naming `file` when the store is newer than the steps know.
int migrate(SQLite::Database& db, const std::vector<Migration>& steps, const std::string& file);
// The SQL creating the two triggers that make `table` append-only, TABLE_no_update and
// TABLE_no_delete: each aborts an UPDATE or a DELETE of its rows with `message` (which holds
// no single quote). Stores keep this text as written (sqlite_master), so it never changes.
std::string append_only_triggers(std::string_view table, std::string_view message);
}  // namespace store_detail

}  // namespace outcomes
