// The journey store in PostgreSQL: a second JourneyStore backend, so that several services
// can share one database server. Each store is a schema of its own (named after the service)
// in a database; only the store's own code and its tests include this header.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store.h"

namespace outcomes {

// Tuning of a PostgreSQL store, fixed when it is opened.
struct PgOptions {
  // How a write waits for another connection's write to the same store to finish.
  WaitPolicy wait;
  // Rows fetched from the server at a time while entries are read.
  int fetch_rows = 10000;
};

class PgStore final : public JourneyStore {
 public:
  // Creates a new, empty store in schema `schema` of the database `conninfo` names (a libpq
  // connection string or postgresql:// URL), marked with `claim` (hex digits; "" for none)
  // when it is made for an init that may be stopped; Error if the schema exists or the
  // connection string holds a password.
  static PgStore create(const std::string& conninfo, const std::string& schema,
                        PgOptions options = {}, const std::string& claim = {});
  // Drops schema `schema` when it is a store created with `claim` that holds nothing recorded
  // and nothing but the store's own tables (what an init stopped before it finished leaves);
  // returns whether it did. Leaves any other schema alone; Error when it carries `claim`
  // but holds something.
  static bool discard_unused_claimed(const std::string& conninfo, const std::string& schema,
                                     const std::string& claim);
  // Opens the store in `schema`, migrating it forward unless `read_only`; Error if the schema
  // is missing, not a store, or newer than this code.
  static PgStore open(const std::string& conninfo, const std::string& schema,
                      bool read_only = false, PgOptions options = {});

  PgStore(PgStore&&) noexcept;
  PgStore& operator=(PgStore&&) noexcept;
  ~PgStore() override;

  // The schema version this code writes (the store_version table).
  static int schema_version();
  // How errors name the store: "postgresql:DATABASE/SCHEMA".
  const std::string& name() const;

  std::unique_ptr<StoreTransaction> begin(bool bulk = false) override;
  void for_each_entry(const EntryQuery& query,
                      const std::function<void(const Entry&)>& visit) const override;
  std::optional<Entry> entry(int64_t id) const override;
  bool has_ref(const std::string& ref) const override;
  std::vector<std::string> existing_refs(const std::vector<std::string>& refs) const override;
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
  // Not yet supported for PostgreSQL: Error telling to use pg_dump.
  void backup_to(const std::filesystem::path& file) const override;
  // Rewrites every table of the store's schema (VACUUM FULL), so no erased row stays on disk.
  void scrub() override;
  std::vector<StoreCheck> check_store() const override;
  // Drops the schema this object created, with everything in it.
  void discard_created() override;

  struct Impl;

 private:
  explicit PgStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// What is wrong with a libpq connection string (a URI or key=value pairs), or nullopt: it
// cannot be parsed, or it holds a password.
std::optional<std::string> pg_conninfo_problem(std::string_view conninfo);

namespace store_detail {
// Error when `conninfo` cannot be parsed or embeds a password (a `password` key, or
// user:password@ in a URL): passwords belong in ~/.pgpass, PGPASSFILE or a PGSERVICE entry.
void check_pg_conninfo(const std::string& conninfo);
}  // namespace store_detail

}  // namespace outcomes
