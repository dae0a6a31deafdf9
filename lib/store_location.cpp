#include "store_location.h"

#include <fmt/format.h>

#include "pg_module.h"

namespace outcomes {

namespace {

constexpr std::size_t kMaxIdentifier = 63;  // PostgreSQL's longest name

bool id_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

}  // namespace

bool is_postgres_store(std::string_view store) {
  return store.starts_with("postgresql://") || store.starts_with("postgres://");
}

std::optional<std::string> store_value_problem(std::string_view store) {
  if (store == kSqliteStore) return std::nullopt;
  if (!is_postgres_store(store))
    return fmt::format(
        "'{}' is not a store; give sqlite (the file outcomes.db here) or a PostgreSQL "
        "URI such as postgresql://db.example.org/outcomes",
        store);
  return pg_backend().conninfo_problem(store);
}

std::optional<std::string> service_id_problem(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdentifier || !(id[0] >= 'a' && id[0] <= 'z'))
    return fmt::format(
        "'{}' is not a service id: give 1 to {} lower-case letters, digits or _, starting "
        "with a letter",
        id, kMaxIdentifier);
  for (char c : id)
    if (!id_char(c))
      return fmt::format(
          "'{}' is not a service id: only lower-case letters, digits and _ may be used", id);
  if (id.starts_with("pg_") || id == "information_schema" || id == "public")
    return fmt::format("'{}' is a name PostgreSQL keeps for itself; choose another service id",
                       id);
  return std::nullopt;
}

std::string service_id_from_name(std::string_view name) {
  std::string id;
  bool gap = false;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      if (gap && !id.empty()) id += '_';
      gap = false;
      id += c;
    } else {
      gap = true;
    }
  }
  if (!id.empty() && id[0] >= '0' && id[0] <= '9') id.insert(0, "s_");
  if (id.size() > kMaxIdentifier) id.resize(kMaxIdentifier);
  while (!id.empty() && id.back() == '_') id.pop_back();
  if (id.empty() || service_id_problem(id)) id = "service";
  return id;
}

}  // namespace outcomes
