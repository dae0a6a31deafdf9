// The entry point of the PostgreSQL module (outcomes-pg.so): the table of functions that
// lib/pg_module.cpp looks up when a workspace's store is on a server.
#include <memory>

#include "pg_module.h"
#include "store_pg.h"

namespace outcomes {

namespace {

std::unique_ptr<JourneyStore> open_pg(const std::string& conninfo, const std::string& schema,
                                      bool read_only, const WaitPolicy& wait) {
  PgOptions options;
  options.wait = wait;
  return std::make_unique<PgStore>(PgStore::open(conninfo, schema, read_only, options));
}

std::unique_ptr<JourneyStore> create_pg(const std::string& conninfo, const std::string& schema,
                                        const std::string& claim) {
  return std::make_unique<PgStore>(PgStore::create(conninfo, schema, {}, claim));
}

const PgBackend kBackend{OUTCOMES_PG_MODULE_BUILD, open_pg, create_pg,
                         PgStore::discard_unused_claimed, pg_conninfo_problem};

}  // namespace

}  // namespace outcomes

extern "C" __attribute__((visibility("default"))) const outcomes::PgBackend*
outcomes_pg_backend() {
  return &outcomes::kBackend;
}
