// The harnesses read and check; they never open a store. This stands in for the store
// factory that lib/workspace.cpp's init_workspace names, so the fuzz build need not
// compile the SQLite backend, and for the PostgreSQL module (lib/pg_module.h), of which
// only the check of a connection string is linked in.
#include "error.h"
#include "pg_module.h"
#include "store.h"
#include "store_pg.h"

namespace outcomes {

std::unique_ptr<JourneyStore> create_store(const std::filesystem::path&, const Settings&,
                                           const std::string&) {
  throw Error("the fuzz build has no store");
}

namespace {

std::unique_ptr<JourneyStore> no_open(const std::string&, const std::string&, bool,
                                      const WaitPolicy&) {
  throw Error("the fuzz build has no store");
}

std::unique_ptr<JourneyStore> no_create(const std::string&, const std::string&,
                                        const std::string&) {
  throw Error("the fuzz build has no store");
}

bool no_discard(const std::string&, const std::string&, const std::string&) {
  throw Error("the fuzz build has no store");
}

const PgBackend kFuzzBackend{OUTCOMES_PG_MODULE_BUILD, no_open, no_create, no_discard,
                             pg_conninfo_problem};

}  // namespace

}  // namespace outcomes

extern "C" const outcomes::PgBackend* outcomes_pg_backend() { return &outcomes::kFuzzBackend; }
