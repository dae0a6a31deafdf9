#include "store_migrate.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <system_error>
#include <vector>

#include "error.h"
#include "hash.h"
#include "output.h"
#include "store_location.h"

namespace outcomes {

namespace {

// Entries copied per write to the new store: enough that each costs little, few enough that
// memory stays small whatever the store's size.
constexpr size_t kEntriesPerChunk = 10000;
// How often progress is told, in entries.
constexpr int64_t kProgressEvery = 10000;

// Every field, length-prefixed, so that no two different records digest alike.
void feed(Sha256& digest, std::string_view text) {
  digest.update(std::to_string(text.size()));
  digest.update(":");
  digest.update(text);
}
void feed(Sha256& digest, int64_t value) { feed(digest, std::to_string(value)); }

void digest_entry(Sha256& d, const Entry& e) {
  feed(d, "entry");
  feed(d, e.id);
  feed(d, e.seq);
  feed(d, e.person);
  feed(d, e.date.days);
  feed(d, static_cast<int64_t>(e.kind));
  feed(d, e.framework);
  feed(d, e.framework_hash);
  feed(d, e.framework_version);
  feed(d, e.measure);
  feed(d, e.value ? std::string("v").append(std::to_string(*e.value)) : std::string("-"));
  feed(d, e.status);
  feed(d, e.text);
  feed(d, e.by);
  feed(d, e.ref);
  feed(d, e.supersedes);
  feed(d, e.reason);
  feed(d, e.recorded_at);
  feed(d, e.batch);
  feed(d, e.superseded ? 1 : 0);
}

void digest_records(Sha256& d, const StoreRecords& r) {
  feed(d, "settings");
  for (const auto& [key, value] : r.settings) {
    feed(d, key);
    feed(d, value);
  }
  feed(d, "batches");
  for (const auto& b : r.batches) {
    feed(d, b.id);
    feed(d, b.source);
    feed(d, b.content_hash);
    feed(d, b.imported_at);
    feed(d, b.by);
    feed(d, b.rows);
  }
  feed(d, "writes");
  for (const auto& w : r.writes) {
    feed(d, w.first_id);
    feed(d, w.recorded_at);
  }
  feed(d, "erasures");
  for (const auto& e : r.erasures) {
    feed(d, e.erased_at);
    feed(d, e.by);
    feed(d, e.reason);
    feed(d, e.entries);
    feed(d, e.person_digest);
  }
  feed(d, "frameworks");
  for (const auto& v : r.framework_versions) {
    feed(d, v.id);
    feed(d, v.version);
    feed(d, v.content_hash);
    feed(d, v.entries);
  }
}

EntryQuery every_entry() {
  EntryQuery query;
  query.include_superseded = true;
  return query;
}

// Where a store is, as the user should read it.
std::string describe(const std::filesystem::path& root, const Settings& settings) {
  if (is_postgres_store(settings.store))
    return fmt::format("schema {} of {}", settings.service_id, settings.store);
  return store_path(root).string();
}

// The settings of the workspace once its store is where `options` say.
Settings target_settings(const Settings& settings, const MigrateOptions& options) {
  Settings target = settings;
  target.store = options.to;
  if (is_postgres_store(options.to)) {
    target.service_id = !options.service_id.empty()    ? options.service_id
                        : !settings.service_id.empty() ? settings.service_id
                                                       : service_id_from_name(settings.service_name);
  } else {
    target.service_id.clear();
  }
  return target;
}

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) throw Error(fmt::format("{}: cannot read it", file.string()));
  return text.str();
}

// Points outcomes.yaml at `target`'s store: the new text is written beside it, read back as
// settings, and only then renamed over it, so the file holds either the old store or the new.
void switch_settings(const std::filesystem::path& root, const Settings& target) {
  const std::filesystem::path file = root / "outcomes.yaml";
  const std::filesystem::path next = root / ".outcomes.yaml.migrating";
  const std::string text = with_store_settings(read_text(file), target);
  std::error_code ignored;
  try {
    write_output(next, [&](std::ostream& out) { out << text; });
    const Settings written = load_settings(next);
    if (written.store != target.store || written.service_id != target.service_id)
      throw Error(fmt::format(
          "{}: cannot change its store by itself; nothing was changed (set store: {} and "
          "service_id: {} by hand after migrating again)",
          file.string(), target.store, target.service_id));
    std::filesystem::permissions(next, std::filesystem::status(file).permissions());
    std::filesystem::rename(next, file);
  } catch (...) {
    std::filesystem::remove(next, ignored);
    throw;
  }
}

// Digests `records` and then every entry of `store` (superseded ones included, in the store's
// reading order) into one SHA-256, as hex, handing each entry to `visit` once it is digested;
// `entries` counts them and `progress` (may be empty) is told every kProgressEvery. A template,
// so that the visitor costs no call through a pointer per entry.
template <class Visit>
std::string walk_store(const JourneyStore& store, const StoreRecords& records, int64_t& entries,
                       const std::function<void(int64_t)>& progress, Visit&& visit) {
  Sha256 digest;
  digest_records(digest, records);
  entries = 0;
  store.for_each_entry(every_entry(), [&](const Entry& e) {
    digest_entry(digest, e);
    visit(e);
    if (++entries % kProgressEvery == 0 && progress) progress(entries);
  });
  return digest.hex();
}

// What copy_store read and wrote.
struct Copied {
  std::string digest;  // as store_digest gives it
  int64_t entries = 0;
  int64_t batches = 0;
  int64_t erasures = 0;
};

// Copies every record and entry of `source` into the transaction `into`.
Copied copy_store(const JourneyStore& source, StoreTransaction& into, int64_t total,
                  const MigrateOptions& options) {
  Copied copied;
  const StoreRecords records = source.records();
  copied.batches = static_cast<int64_t>(records.batches.size());
  copied.erasures = static_cast<int64_t>(records.erasures.size());
  into.restore_records(records);
  std::vector<Entry> chunk;
  chunk.reserve(kEntriesPerChunk);
  std::function<void(int64_t)> progress;
  if (options.progress)
    progress = [&](int64_t n) { options.progress({MigrateProgress::Phase::Copying, n, total}); };
  copied.digest = walk_store(source, records, copied.entries, progress, [&](const Entry& e) {
    chunk.push_back(e);
    if (chunk.size() == kEntriesPerChunk) {
      into.restore_entries(chunk);
      chunk.clear();
    }
  });
  into.restore_entries(chunk);
  return copied;
}

}  // namespace

std::string store_digest(const JourneyStore& store, int64_t& entries,
                         const std::function<void(int64_t)>& progress) {
  return walk_store(store, store.records(), entries, progress, [](const Entry&) {});
}

void check_migrate_options(const Settings& settings, const MigrateOptions& options) {
  if (auto why = store_value_problem(options.to))
    throw UsageError(fmt::format("--to: {}; nothing was changed", *why));
  const bool to_pg = is_postgres_store(options.to);
  if (!to_pg && !options.service_id.empty())
    throw UsageError("--service-id names a schema on PostgreSQL; give it with --to postgresql://…");
  const Settings target = target_settings(settings, options);
  if (to_pg) {
    if (auto why = service_id_problem(target.service_id))
      throw UsageError(fmt::format("--service-id: {}; nothing was changed", *why));
  }
  if (target.store == settings.store && target.service_id == settings.service_id)
    throw UsageError(fmt::format(
        "the workspace's store is already there ({}); give another place with --to",
        to_pg ? fmt::format("store: {}, service_id: {}", target.store, target.service_id)
              : std::string("store: sqlite")));
}

MigrateResult migrate_store(const std::filesystem::path& root, const Settings& settings,
                            JourneyStore& source, const MigrateOptions& options) {
  check_migrate_options(settings, options);
  const Settings target = target_settings(settings, options);
  MigrateResult result;
  result.from = describe(root, settings);
  result.to = describe(root, target);

  // The source's write lock, held until the workspace points at the copy: no process writes
  // to the source meanwhile. Only the mark that the store has moved is written through it.
  const auto lock = source.begin();
  const int64_t total = source.entry_count();

  if (!is_postgres_store(target.store) && std::filesystem::exists(store_path(root)))
    throw Error(fmt::format(
        "{}: a file is already there; a store is copied only into a new one (if it is an old "
        "copy of this store, move it away first); nothing was changed",
        store_path(root).string()));
  auto copy = create_store(root, target);
  std::unique_ptr<StoreTransaction> write;
  try {
    write = copy->begin();
    const Copied copied = copy_store(source, *write, total, options);
    auto mismatch = [&](const std::string& what) {
      return Error(fmt::format(
          "the copy in {} does not match the store in {} ({}); the copy was removed and "
          "nothing was changed",
          result.to, result.from, what));
    };
    if (copied.entries != total)
      throw mismatch(fmt::format("{} entries read of {}", copied.entries, total));
    // Read back through the writing connection before committing, then once more through a
    // new connection after: what a later command will read.
    auto check = [&](const JourneyStore& store) {
      int64_t read = 0;
      const std::string again = store_digest(store, read, [&](int64_t n) {
        if (options.progress) options.progress({MigrateProgress::Phase::Checking, n, total});
      });
      if (read != total || store.entry_count() != total)
        throw mismatch(fmt::format("{} entries of {}", read, total));
      if (again != copied.digest) throw mismatch("their digests differ");
    };
    check(*copy);
    write->commit();
    write.reset();
    check(*copy->open_reader());
    switch_settings(root, target);
    result.entries = total;
    result.batches = copied.batches;
    result.erasures = copied.erasures;
    result.digest = copied.digest;
  } catch (...) {
    write.reset();
    try {
      copy->discard_created();
    } catch (...) {
      // The failure that stopped the copy is what the user must see.
    }
    throw;
  }
  // The workspace now names the copy. A writer that was already waiting for the source's
  // lock would write there once it is let go, where nothing reads it any more: the source is
  // marked as moved, so that such a write is refused and can be run again. If the mark
  // cannot be written, the migration still stands (the workspace already uses the copy), and
  // the summary says so.
  try {
    lock->mark_moved(result.to);
    lock->commit();
  } catch (const Error& e) {
    result.not_marked = e.what();
  }
  return result;
}

std::string migrate_summary(const MigrateResult& r) {
  return fmt::format(
      "copied {} entr{}, {} import batch{} and {} erasure record{} to {} and checked them "
      "(digest {})\n"
      "the workspace's store is now {}\n"
      "{}: remove it when you are satisfied with the new one",
      r.entries, r.entries == 1 ? "y" : "ies", r.batches, r.batches == 1 ? "" : "es", r.erasures,
      r.erasures == 1 ? "" : "s", r.to, r.digest, r.to,
      r.not_marked.empty()
          ? fmt::format("the old store, marked as moved so that nothing more is written to it, "
                        "is left in {}",
                        r.from)
          : fmt::format("the old store is left in {} but could not be marked as moved ({}): "
                        "make sure nothing writes to it",
                        r.from, r.not_marked));
}

}  // namespace outcomes
