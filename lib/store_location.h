// Where a workspace keeps its journey store: the SQLite file beside outcomes.yaml (the
// default), or a schema of its own in a PostgreSQL database shared by several services.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace outcomes {

// The `store:` value meaning the SQLite file in the workspace folder.
inline constexpr std::string_view kSqliteStore = "sqlite";

// True when a `store:` value names a PostgreSQL server (a postgresql:// or postgres:// URI).
bool is_postgres_store(std::string_view store);

// What is wrong with a `store:` value, or nullopt when it is usable: "sqlite", or a
// PostgreSQL URI libpq can read that holds no password. Passwords are never kept in
// outcomes.yaml: libpq finds them itself in ~/.pgpass (or PGPASSFILE), a service file
// (PGSERVICE) or the environment. A URI is read by libpq itself, through the PostgreSQL
// module (lib/pg_module.h): Error when that module cannot be loaded.
std::optional<std::string> store_value_problem(std::string_view store);

// What is wrong with a service id, or nullopt: it names the service's PostgreSQL schema, so
// it is 1 to 63 of a-z, 0-9 and _, starting with a letter, and not a name PostgreSQL keeps
// for itself (pg_…, information_schema, public).
std::optional<std::string> service_id_problem(std::string_view id);

// A service id made from a service's name: lower-case letters and digits, other runs of
// characters as one _, starting with a letter ("s_" put before a digit), at most 63 long;
// "service" when nothing usable is left.
std::string service_id_from_name(std::string_view name);

}  // namespace outcomes
