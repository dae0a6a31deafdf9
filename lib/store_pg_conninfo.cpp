// Reading a libpq connection string the way the connection will, to refuse one that
// cannot be read or that holds a password. Part of the PostgreSQL module: it needs libpq.
#include <fmt/format.h>
#include <libpq-fe.h>

#include <memory>

#include "store_pg.h"

namespace outcomes {

std::optional<std::string> pg_conninfo_problem(std::string_view conninfo) {
  char* error = nullptr;
  const std::string text(conninfo);
  std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption*)> options(
      PQconninfoParse(text.c_str(), &error), PQconninfoFree);
  if (!options) {
    std::string why = error ? error : "out of memory";
    PQfreemem(error);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return fmt::format("cannot be read as a PostgreSQL connection: {}", why);
  }
  for (const PQconninfoOption* o = options.get(); o->keyword; ++o)
    if (std::string_view(o->keyword) == "password" && o->val && *o->val)
      return "holds a password, which would be kept in the workspace's settings and shown in "
             "process lists: remove it and let libpq find it in ~/.pgpass (or the file "
             "PGPASSFILE names) or a service file (PGSERVICE)";
  return std::nullopt;
}

}  // namespace outcomes
