// The PostgreSQL store as the core sees it. Its code (lib/store_pg*.cpp) is built into a
// module of its own, outcomes-pg.so, loaded only when a workspace's store is on a server:
// libpq needs some twenty more shared libraries (Kerberos, LDAP, TLS, ...), and loading
// them in every command would slow every command on a workspace that keeps its store in
// SQLite.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "store.h"

namespace outcomes {

// What the module provides: a table of functions, the same in every build of one version.
struct PgBackend {
  // The build the module belongs to (kPgModuleBuild when it was compiled); a module from
  // another build is refused, since it calls into the core of the build it came from.
  const char* build;
  // Opens the store in schema `schema` of the database `conninfo` names (PgStore::open).
  std::unique_ptr<JourneyStore> (*open)(const std::string& conninfo, const std::string& schema,
                                        bool read_only, const WaitPolicy& wait);
  // Creates a new, empty store there, marked with `claim` ("" for none) (PgStore::create).
  std::unique_ptr<JourneyStore> (*create)(const std::string& conninfo, const std::string& schema,
                                          const std::string& claim);
  // Drops the store there when it was created with `claim` and holds nothing recorded;
  // returns whether it did (PgStore::discard_unused_claimed).
  bool (*discard_unused_claimed)(const std::string& conninfo, const std::string& schema,
                                 const std::string& claim);
  // What is wrong with a libpq connection string (a URI or key=value pairs), or nullopt:
  // it cannot be parsed, or it holds a password.
  std::optional<std::string> (*conninfo_problem)(std::string_view conninfo);
};

// Names the build a module must come from: the version, and the layout of PgBackend.
#define OUTCOMES_PG_MODULE_BUILD OUTCOMES_VERSION "/pg-backend-2"
inline constexpr std::string_view kPgModuleBuild = OUTCOMES_PG_MODULE_BUILD;

// The module's file name: found beside the executable (a build folder) or in
// ../lib/outcomes/ from it (an installed tree).
inline constexpr std::string_view kPgModuleFile = "outcomes-pg.so";

// The PostgreSQL backend, loaded on first use (once per process). A program that links
// the module's code itself (the unit tests) uses that. Error when the module cannot be
// found or loaded, or comes from another build.
const PgBackend& pg_backend();

}  // namespace outcomes
