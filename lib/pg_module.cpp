#include "pg_module.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include <filesystem>
#include <vector>

#include "error.h"

// The module's one entry point. Weak here: it is null unless the program itself links the
// module's code (as the unit tests do); the outcomes binary finds it in the module instead.
extern "C" const outcomes::PgBackend* outcomes_pg_backend() __attribute__((weak));

namespace outcomes {

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> module_candidates() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  const fs::path dir = exe.parent_path();
  return {dir / kPgModuleFile, dir / ".." / "lib" / "outcomes" / kPgModuleFile};
}

const PgBackend& checked(const PgBackend* backend, const std::string& where) {
  if (!backend || !backend->build || std::string_view(backend->build) != kPgModuleBuild)
    throw Error(fmt::format(
        "cannot use a store on PostgreSQL: {} comes from another build of outcomes ({}, "
        "this is {}); install the two together",
        where, backend && backend->build ? backend->build : "unknown", kPgModuleBuild));
  return *backend;
}

const PgBackend& load_module() {
  if (outcomes_pg_backend) return checked(outcomes_pg_backend(), "the linked-in backend");
  const auto candidates = module_candidates();
  for (const auto& path : candidates) {
    std::error_code ec;
    if (!fs::exists(path, ec)) continue;
    // Kept loaded for the rest of the process: the stores it opens live in its code.
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* why = dlerror();
      throw Error(fmt::format("cannot use a store on PostgreSQL: {} cannot be loaded: {}",
                              path.lexically_normal().string(), why ? why : "unknown error"));
    }
    using EntryPoint = const PgBackend* (*)();
    auto entry = reinterpret_cast<EntryPoint>(dlsym(handle, "outcomes_pg_backend"));
    if (!entry)
      throw Error(fmt::format("cannot use a store on PostgreSQL: {} is not the outcomes "
                              "PostgreSQL module",
                              path.lexically_normal().string()));
    return checked(entry(), path.lexically_normal().string());
  }
  std::string looked;
  for (const auto& path : candidates)
    looked += (looked.empty() ? "" : " or ") + path.lexically_normal().string();
  throw Error(fmt::format(
      "cannot use a store on PostgreSQL: this outcomes was installed without its module {} "
      "(looked for {})",
      kPgModuleFile, looked.empty() ? "it beside the program" : looked));
}

}  // namespace

const PgBackend& pg_backend() {
  static const PgBackend& backend = load_module();
  return backend;
}

}  // namespace outcomes
