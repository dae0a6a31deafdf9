// The harnesses read and check; they never open a store. This stands in for the store
// factory that lib/workspace.cpp's init_workspace names, so the fuzz build need not
// compile the SQLite backend.
#include "error.h"
#include "store.h"

namespace outcomes {

std::unique_ptr<JourneyStore> create_store(const std::filesystem::path&, const Settings&) {
  throw Error("the fuzz build has no store");
}

}  // namespace outcomes
