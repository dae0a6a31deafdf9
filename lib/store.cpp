// What every journey store shares, and the choice of backend when a store is opened.
#include "store.h"

#include <unordered_set>

#include <fmt/format.h>

#include "error.h"
#include "store_sqlite.h"
#include "workspace.h"

namespace outcomes {

std::vector<Entry> JourneyStore::entries(const EntryQuery& query) const {
  std::vector<Entry> out;
  for_each_entry(query, [&](const Entry& e) { out.push_back(e); });
  return out;
}

std::vector<std::string> JourneyStore::existing_refs(const std::vector<std::string>& refs) const {
  std::vector<std::string> found;
  std::unordered_set<std::string> seen;
  for (const auto& ref : refs)
    if (!ref.empty() && !seen.count(ref) && has_ref(ref)) {
      seen.insert(ref);
      found.push_back(ref);
    }
  return found;
}

std::unique_ptr<JourneyStore> open_store(const Workspace& workspace, bool read_only,
                                         const WaitPolicy& wait) {
  if (is_postgres_store(workspace.settings.store))
    throw Error(fmt::format("{}: this build of outcomes cannot open a store on PostgreSQL yet",
                            workspace.settings_path().string()));
  return open_store(workspace.db_path(), read_only, wait);
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

}  // namespace outcomes
