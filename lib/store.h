// The journey store: an append-only log of entries behind a narrow interface, so that the
// storage behind it (SQLite today, lib/store_sqlite.h) can change without its callers.
#pragma once
#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "entry.h"

namespace outcomes {

struct Workspace;
struct Settings;

// Which entries to read. Results are ordered by person (code point order of the
// reference), then date, then seq (recording order, corrections in place).
struct EntryQuery {
  std::optional<std::vector<std::string>> people;  // only these people; nullopt = everyone
  std::optional<Date> from;                        // dated on or after
  std::optional<Date> to;                          // dated on or before
  bool include_superseded = false;                 // audit views only
  // Only entries of these kinds; nullopt = every kind. Enrolments, exits and attributes
  // alone are read through their own small index, without touching other entries; so are
  // contacts and notes alone of a period (from and to set) for many people.
  std::optional<std::vector<EntryKind>> kinds;
  // When set, only what assessing journeys needs is read, which is quicker: free text only
  // of entries of these kinds, and no worker, ref or correction reason (all left empty).
  // nullopt = every field.
  std::optional<std::vector<EntryKind>> text_kinds;
  // Entries of these kinds only when dated on or after `kinds_from` (entries of other kinds
  // at any date the bounds above allow); unused while `kinds_from` is unset. Contacts and
  // notes alone are skipped through their own index, without touching the entries skipped.
  std::vector<EntryKind> recent_kinds;
  std::optional<Date> kinds_from;
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

// One check of a store's own consistency: its name, and the problems found (none when
// it passed), each a sentence naming what is wrong and where.
struct StoreCheck {
  std::string name;
  std::vector<std::string> problems;
  std::string detail;  // what a passed check found, e.g. "version 3" ("" when nothing)
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

// The record of one erasure of a person (the right to erasure): when, by whom, why and how
// many entries went. It never holds the reference, only its keyed digest (lib/forget.h).
struct ErasureRecord {
  std::string erased_at;  // UTC timestamp of the erasure
  std::string by;         // who erased ("" when not given)
  std::string reason;     // why
  int64_t entries = 0;    // how many entries were erased
  std::string person_digest;
};

// What erasing a person removes (or removed): every entry naming them, superseded ones and
// corrections included, and the earlier versions of facts they corrected onto the person.
struct ErasurePlan {
  int64_t entries = 0;
  std::array<int64_t, kEntryKindCount> by_kind{};  // entries by EntryKind
  std::optional<Date> first;                       // the earliest and latest entry date
  std::optional<Date> last;
  int64_t writes = 0;   // writes (of the log of writes) holding some of these entries
  int64_t batches = 0;  // import batches holding some of these entries
};

// What a store holds besides its entries, as stored: read out (JourneyStore::records) and
// written into a new store (StoreTransaction::restore_records) to copy a whole store.
struct StoreRecords {
  struct Write {
    int64_t first_id = 0;  // the first entry id of the write
    std::string recorded_at;
  };
  std::vector<std::pair<std::string, std::string>> settings;  // key and value, by key
  std::vector<ImportBatch> batches;                           // by id
  std::vector<Write> writes;                                  // the log of writes, by first id
  std::vector<ErasureRecord> erasures;                        // oldest first
  std::vector<FrameworkVersion> framework_versions;           // as framework_versions()
};

// A write in progress: all writes go through one; nothing is ever updated or deleted but
// by an erasure (erase_person). The write is all-or-nothing: destroyed before commit(), it
// is rolled back.
class StoreTransaction {
 public:
  StoreTransaction() = default;
  StoreTransaction(const StoreTransaction&) = delete;
  StoreTransaction& operator=(const StoreTransaction&) = delete;
  // Rolls back unless committed.
  virtual ~StoreTransaction() = default;
  // Appends one entry and returns its id. `recorded_at` is the write's UTC timestamp.
  virtual int64_t append(const NewEntry& entry, const std::string& recorded_at,
                         int64_t batch = 0) = 0;
  // Appends entries in order (ids consecutive from the next one), as fast as the store
  // can: the fast path of a file import. Corrections are not allowed here.
  virtual void append_all(const std::vector<const NewEntry*>& entries,
                          const std::string& recorded_at, int64_t batch = 0) = 0;
  // Records an import batch and returns its id (set on the entries appended after it).
  virtual int64_t add_batch(const ImportBatch& batch) = 0;
  // Sets the row count and content hash of a batch added in this transaction (an import
  // knows them only at its end; until then they may be 0 and "").
  virtual void complete_batch(int64_t batch, int64_t rows, const std::string& content_hash) = 0;
  // Erases every entry of `person` (ErasurePlan says which), the person's row, and what
  // only those entries used (interned terms, writes of the log, import batches; a batch
  // that keeps other rows has its count lowered and its file digest cleared), then adds
  // `record` with its entry count set. The append-only guards stay in force for every
  // other write. Returns what was erased.
  virtual ErasurePlan erase_person(const std::string& person, ErasureRecord record) = 0;
  // Writes `records` into a store that holds nothing but what creating it made (Error
  // otherwise), its settings replaced by theirs: the first step of copying a whole store into
  // a new one (lib/store_migrate.h). Entries follow through restore_entries.
  virtual void restore_records(const StoreRecords& records) = 0;
  // Writes entries exactly as another store holds them (id, seq, batch, supersedes and every
  // field kept), in any order, each id not yet stored; only after restore_records in the
  // same transaction (Error otherwise). Their recorded_at must agree with the restored log
  // of writes, which is where it is read from. References between entries are checked when
  // the write commits.
  virtual void restore_entries(const std::vector<Entry>& entries) = 0;
  // Marks the store as moved to `where` (a description of the store it was copied into):
  // once committed, every later write to this store is refused with an error naming
  // `where`, so that a writer that was waiting while the store was copied does not write
  // to the old one.
  virtual void mark_moved(const std::string& where) = 0;
  // Makes every write of the transaction permanent.
  virtual void commit() = 0;
};

// The store of journey entries. Reads see the store as last committed, or, from the
// connection writing, with that write's own entries.
class JourneyStore {
 public:
  JourneyStore(const JourneyStore&) = delete;
  JourneyStore& operator=(const JourneyStore&) = delete;
  virtual ~JourneyStore() = default;

  // --- writing
  // Starts a write. A bulk write (a file import) may skip per-row checks of ids that the
  // store itself makes in the same write. Error when the store was opened read-only or a
  // write is already in progress on it.
  virtual std::unique_ptr<StoreTransaction> begin(bool bulk = false) = 0;

  // --- reading
  // Calls `visit` for each entry the query selects, in the query's order.
  virtual void for_each_entry(const EntryQuery& query,
                              const std::function<void(const Entry&)>& visit) const = 0;
  // The entries the query selects, in order.
  std::vector<Entry> entries(const EntryQuery& query) const;
  // The entry with this id, superseded or not.
  virtual std::optional<Entry> entry(int64_t id) const = 0;
  // True when an entry with this external ref is stored.
  virtual bool has_ref(const std::string& ref) const = 0;
  // Existing refs among `refs`, each once, in the order given. A store that answers over a
  // connection looks them up in one request.
  // (Defined here, so that the class keeps no out-of-line virtual function: builds that
  // leave out lib/store.cpp, such as the fuzz harnesses, still get its type information.)
  virtual std::vector<std::string> existing_refs(const std::vector<std::string>& refs) const {
    std::vector<std::string> found;
    std::unordered_set<std::string> seen;
    for (const auto& ref : refs)
      if (!ref.empty() && !seen.count(ref) && has_ref(ref)) {
        seen.insert(ref);
        found.push_back(ref);
      }
    return found;
  }
  // The first batch recorded with this content hash, if any.
  virtual std::optional<ImportBatch> batch_with_hash(const std::string& content_hash) const = 0;
  // True when some batch holds a legacy digest (kLegacyDigestPrefix in lib/hash.h): the
  // store has files imported before digests were SHA-256.
  virtual bool has_legacy_batches() const = 0;
  // Every person reference, in code point order.
  virtual std::vector<std::string> people() const = 0;
  // Framework versions with their entry counts, ordered by id then first use.
  virtual std::vector<FrameworkVersion> framework_versions() const = 0;
  // The number of entries stored, superseded ones included.
  virtual int64_t entry_count() const = 0;
  // What erase_person(person) would erase now (no entries when none are stored).
  virtual ErasurePlan erasure_plan(const std::string& person) const = 0;
  // Every erasure recorded, oldest first.
  virtual std::vector<ErasureRecord> erasures() const = 0;
  // A value from the store's settings (e.g. "pseudonym_secret", made on create).
  virtual std::optional<std::string> setting(const std::string& key) const = 0;
  // Every record of the store besides its entries (StoreRecords), read in one snapshot.
  virtual StoreRecords records() const = 0;
  // A second, read-only view of the same store that sees it as last committed, whatever
  // this one is writing.
  virtual std::unique_ptr<JourneyStore> open_reader() const = 0;

  // --- administration
  // Writes a consistent copy of the store as last committed into `file`, which must be
  // absent or empty (Error otherwise), readable by its owner only; others may write to
  // the store meanwhile. The copy is checked to be intact before this returns; on any
  // failure Error, and what was written to `file` is left for the caller to remove.
  virtual void backup_to(const std::filesystem::path& file) const = 0;
  // After an erasure is committed, rewrites the store's files so that nothing deleted can
  // be read from them: every page rebuilt, and the log of pages beside the store emptied.
  // Error when it cannot finish (another process kept reading); the erasure stands, and
  // scrubbing again completes it.
  virtual void scrub() = 0;
  // Checks the store's own consistency (file integrity, schema, append-only guards,
  // references between its records), in a fixed order; damage is reported, never repaired.
  virtual std::vector<StoreCheck> check_store() const = 0;
  // Removes a store this object created (create_store) with everything written to it since:
  // a new store that a copy failed to fill. The object must not be used afterwards. Error for
  // a store that was opened rather than created.
  virtual void discard_created() = 0;

 protected:
  JourneyStore() = default;
  JourneyStore(JourneyStore&&) = default;
  JourneyStore& operator=(JourneyStore&&) = default;
};

// How a write waits while another process is writing to the same store. Writes queue:
// an import may hold the store for minutes while it checks a large file, and a single
// record waits its turn rather than failing.
struct WaitPolicy {
  // How long to wait before giving up with an Error that says the store is busy.
  std::chrono::milliseconds limit = std::chrono::hours(1);
  // Told, from the waiting thread, that the write is waiting: about once a second once
  // it has waited a second (`done` false), and once more when the wait ends (`done` true).
  std::function<void(std::chrono::milliseconds waited, bool done)> on_wait;
};

// Opens the workspace's journey store, migrating its schema forward unless `read_only`;
// Error if it is missing, not a store, or newer than this code.
std::unique_ptr<JourneyStore> open_store(const Workspace& workspace, bool read_only = false,
                                         const WaitPolicy& wait = {});
// Opens the journey store `settings` name for the workspace folder `root`, as
// open_store(workspace) does (for commands that do not load the workspace's frameworks).
std::unique_ptr<JourneyStore> open_store(const std::filesystem::path& root,
                                         const Settings& settings, bool read_only = false,
                                         const WaitPolicy& wait = {});
// Opens the journey store kept in `file`, as open_store(workspace) does.
std::unique_ptr<JourneyStore> open_store(const std::filesystem::path& file,
                                         bool read_only = false, const WaitPolicy& wait = {});
// Creates a new, empty store in `file`, readable by its owner only; Error if a file is
// already there.
std::unique_ptr<JourneyStore> create_store(const std::filesystem::path& file);
// Creates the new, empty store `settings` name for the workspace folder `root`: the file
// outcomes.db there, or the service's schema on PostgreSQL (marked with `claim`, hex digits
// or "" for none, so that an init stopped after making it can clear it); Error if it is
// already there.
std::unique_ptr<JourneyStore> create_store(const std::filesystem::path& root,
                                           const Settings& settings, const std::string& claim = {});

}  // namespace outcomes
