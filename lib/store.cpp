// What every journey store shares, and the choice of backend when a store is opened.
#include "store.h"

#include <fmt/format.h>

#include "error.h"
#include "pg_module.h"
#include "store_location.h"
#include "store_sqlite.h"
#include "workspace.h"

namespace outcomes {

std::vector<Entry> JourneyStore::entries(const EntryQuery& query) const {
  std::vector<Entry> out;
  for_each_entry(query, [&](const Entry& e) { out.push_back(e); });
  return out;
}

std::unique_ptr<JourneyStore> open_store(const Workspace& workspace, bool read_only,
                                         const WaitPolicy& wait) {
  return open_store(workspace.root, workspace.settings, read_only, wait);
}

std::unique_ptr<JourneyStore> open_store(const std::filesystem::path& root,
                                         const Settings& settings, bool read_only,
                                         const WaitPolicy& wait) {
  if (is_postgres_store(settings.store)) {
    return pg_backend().open(settings.store, settings.service_id, read_only, wait);
  }
  return open_store(store_path(root), read_only, wait);
}

std::unique_ptr<JourneyStore> open_store(const std::filesystem::path& file, bool read_only,
                                         const WaitPolicy& wait) {
  SqliteOptions options;
  options.wait = wait;
  return std::make_unique<SqliteStore>(SqliteStore::open(file, read_only, options));
}

std::unique_ptr<JourneyStore> create_store(const std::filesystem::path& file) {
  return std::make_unique<SqliteStore>(SqliteStore::create(file));
}

std::unique_ptr<JourneyStore> create_store(const std::filesystem::path& root,
                                           const Settings& settings, const std::string& claim) {
  if (is_postgres_store(settings.store))
    return pg_backend().create(settings.store, settings.service_id, claim);
  return create_store(store_path(root));
}

}  // namespace outcomes
