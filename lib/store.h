// The journey store: an append-only log of entries in SQLite, behind a narrow interface.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "entry.h"

namespace SQLite {
class Database;
}

namespace outcomes {

// Which entries to read. Results are ordered by person (code point order of the
// reference), then date, then seq (recording order, corrections in place).
struct EntryQuery {
  std::optional<std::vector<std::string>> people;  // only these people; nullopt = everyone
  std::optional<Date> from;                        // dated on or after
  std::optional<Date> to;                          // dated on or before
  bool include_superseded = false;                 // audit views only
  // Only entries of these kinds; nullopt = every kind. Enrolments, exits and attributes
  // alone are read through their own small index, without touching other entries.
  std::optional<std::vector<EntryKind>> kinds;
  // Only entries recorded in [recorded_from, recorded_to] (UTC timestamps as stored,
  // e.g. "2026-10-01T00:00:00Z"); found through the log of writes, not a table scan.
  std::optional<std::string> recorded_from;
  std::optional<std::string> recorded_to;
};

// A framework version seen in the store (recorded under at least once).
struct FrameworkVersion {
  std::string id;
  std::string version;
  std::string content_hash;
  int64_t entries = 0;
};

// A record of one batch import.
struct ImportBatch {
  int64_t id = 0;
  std::string source;        // file name as given
  std::string content_hash;  // SHA-256 of the file's bytes, or a legacy digest (lib/hash.h)
  std::string imported_at;
  std::string by;
  int64_t rows = 0;
};

class JourneyStore {
 public:
  // Creates a new, empty store file readable by its owner only (mode 0600); Error if it exists.
  static JourneyStore create(const std::filesystem::path& file);
  // Opens an existing store, migrating its schema forward; Error if missing or not a store.
  static JourneyStore open(const std::filesystem::path& file, bool read_only = false);

  JourneyStore(JourneyStore&&) noexcept;
  JourneyStore& operator=(JourneyStore&&) noexcept;
  ~JourneyStore();

  // The schema version (PRAGMA user_version) this code writes.
  static int schema_version();

  // --- writing: all writes go through a Transaction; nothing is ever updated or deleted.
  class Transaction {
   public:
    // A bulk write (a file import) skips SQLite's per-row foreign key checks: every id it
    // writes comes from the store's own tables in the same transaction.
    explicit Transaction(JourneyStore& store, bool bulk = false);
    Transaction(const Transaction&) = delete;
    ~Transaction();  // rolls back unless committed
    // Appends one entry and returns its id. `recorded_at` is the write's UTC timestamp.
    int64_t append(const NewEntry& entry, const std::string& recorded_at, int64_t batch = 0);
    // Appends entries in order (ids consecutive from the next one), many rows a statement:
    // the fast path of a file import. Corrections are not allowed here.
    void append_all(const std::vector<const NewEntry*>& entries, const std::string& recorded_at,
                    int64_t batch = 0);
    // Records an import batch and returns its id (set on the entries appended after it).
    int64_t add_batch(const ImportBatch& batch);
    // Sets the row count and content hash of a batch added in this transaction (an import
    // knows them only at its end; until then they may be 0 and "").
    void complete_batch(int64_t batch, int64_t rows, const std::string& content_hash);
    void commit();

   private:
    void finish();
    JourneyStore& store_;
    bool done_ = false;
    bool bulk_ = false;
  };

  // The path of the store file (to open a second, read-only connection to it).
  const std::string& file() const;

  // --- reading
  void for_each_entry(const EntryQuery& query,
                      const std::function<void(const Entry&)>& visit) const;
  std::vector<Entry> entries(const EntryQuery& query) const;
  std::optional<Entry> entry(int64_t id) const;
  // True when an entry with this external ref is stored.
  bool has_ref(const std::string& ref) const;
  // Existing refs among `refs`.
  std::vector<std::string> existing_refs(const std::vector<std::string>& refs) const;
  // The first batch recorded with this content hash, if any.
  std::optional<ImportBatch> batch_with_hash(const std::string& content_hash) const;
  // True when some batch holds a legacy digest (kLegacyDigestPrefix in lib/hash.h): the
  // store has files imported before digests were SHA-256.
  bool has_legacy_batches() const;
  // Every person reference, in code point order.
  std::vector<std::string> people() const;
  // Framework versions with their entry counts, ordered by id then first use.
  std::vector<FrameworkVersion> framework_versions() const;
  int64_t entry_count() const;
  // A value from the store's settings table (e.g. "pseudonym_secret", made on create).
  std::optional<std::string> setting(const std::string& key) const;

  struct Impl;

 private:
  explicit JourneyStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// SQLite backend internals, exposed for the store's tests.
namespace store_detail {
// One schema step: upgrades a store by one version inside the migrating transaction.
using Migration = std::function<void(SQLite::Database&)>;
// The built-in steps; step i upgrades PRAGMA user_version i to i+1.
const std::vector<Migration>& migrations();
// Applies the steps beyond the store's user_version in one transaction and returns the
// new version; Error naming `file` when the store is newer than the steps know.
int migrate(SQLite::Database& db, const std::vector<Migration>& steps, const std::string& file);
// Entries held in memory per pass of a whole-store read (tests lower it to force passes).
extern int64_t rows_per_pass;
}  // namespace store_detail

}  // namespace outcomes
