// The journey store in SQLite: integer-coded entries, append-only, versioned schema.
// This file opens and creates stores; see store_sqlite_impl.h for the others.
#include "store_errors.h"
#include "store_sqlite_impl.h"

namespace outcomes {

// A store error as the user should read it, naming the file.
Error store_error(const std::string& file, int code, const std::string& message) {
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return store_busy_error(file, message);
    case SQLITE_NOTADB:
      return Error(
          fmt::format("{}: not an outcomes store (the file is not an SQLite database)", file));
    case SQLITE_CORRUPT:
      return Error(
          fmt::format("{}: the store is damaged ({}); restore it from a backup", file, message));
    case SQLITE_CANTOPEN:
      return Error(fmt::format("{}: cannot open the store ({})", file, message));
    case SQLITE_READONLY:
      return Error(fmt::format("{}: the store cannot be written ({})", file, message));
    case SQLITE_FULL:
      return Error(fmt::format("{}: the disk is full; nothing was written ({})", file, message));
    case SQLITE_IOERR:
      return Error(fmt::format("{}: input/output error on the store ({})", file, message));
    default:
      return Error(fmt::format("{}: store error: {}", file, message));
  }
}

Error store_error(const std::string& file, const SQLite::Exception& e) {
  return store_error(file, e.getErrorCode(), e.what());
}

// True when a write failed because an entry with the same external ref is stored: another
// process stored it since this write checked (the write lock makes that rare, not impossible
// for a caller that checked outside its write).
bool is_ref_clash(const SQLite::Exception& e) {
  return e.getExtendedErrorCode() == SQLITE_CONSTRAINT_UNIQUE &&
         std::strstr(e.what(), "entries.ref") != nullptr;
}


// Turns off SQLite's memory statistics before its first use: they take a global mutex
// on every allocation, a tenth of a bulk import's time, and nothing here reads them.
const std::string& configured(const std::string& file) {
  static const bool once = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);  // SQLITE_MISUSE if already initialised
    return true;
  }();
  (void)once;
  return file;
}

namespace {

// What the first 100 bytes of a file (SQLite's database header) say it is.
enum class StoreHeader { Store, Empty, NotSqlite, OtherSqlite, Unsure };

std::uint32_t big_endian(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

// Reads the header without SQL, which would take an empty file for an empty database and
// would write to a foreign one (journal mode, schema) before its pragmas could be asked.
// user_version is at offset 60 and application_id at 68, both big-endian. A database in WAL
// mode (offset 18 holds 2) may have newer pages, its header among them, in its -wal file:
// then the header read here may be stale, and only SQLite can say (Unsure).
// The bytes are read through SQLite's own file layer, not open(2)/close(2): closing a
// descriptor of the file would drop every POSIX lock this process holds on it, those of
// a connection already open to the store among them (an import opens a reader while it
// writes), and another process could then take that connection for gone.
StoreHeader read_store_header(const std::string& file) {
  configured(file);  // before SQLite's first use
  sqlite3_vfs* vfs = sqlite3_vfs_find(nullptr);
  if (!vfs) throw Error(fmt::format("{}: cannot open the store: no SQLite file layer", file));
  std::vector<unsigned char> handle(static_cast<std::size_t>(vfs->szOsFile));
  auto* f = reinterpret_cast<sqlite3_file*>(handle.data());
  int flags = 0;
  if (vfs->xOpen(vfs, file.c_str(), f, SQLITE_OPEN_READONLY | SQLITE_OPEN_MAIN_DB, &flags) !=
      SQLITE_OK) {
    if (f->pMethods) f->pMethods->xClose(f);
    throw Error(fmt::format("{}: cannot open the store: {}", file, std::strerror(errno)));
  }
  sqlite3_int64 size = 0;
  const bool sized = f->pMethods->xFileSize(f, &size) == SQLITE_OK;
  unsigned char header[100] = {};
  // A short read fills the rest with zeros and says so; the size tells how much was there.
  const int rc = f->pMethods->xRead(f, header, sizeof header, 0);
  f->pMethods->xClose(f);
  if (!sized || (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ))
    throw Error(fmt::format("{}: cannot read the store", file));
  const std::size_t got = static_cast<std::size_t>(std::min<sqlite3_int64>(size, sizeof header));
  if (got == 0) return StoreHeader::Empty;
  static constexpr char kMagic[] = "SQLite format 3";  // with its NUL: 16 bytes
  if (got < sizeof header || std::memcmp(header, kMagic, sizeof kMagic) != 0)
    return StoreHeader::NotSqlite;
  if (big_endian(header + 68) == static_cast<std::uint32_t>(kApplicationId) &&
      big_endian(header + 60) != 0)
    return StoreHeader::Store;
  std::error_code ec;
  if (header[18] == 2 && std::filesystem::file_size(file + "-wal", ec) > 0 && !ec)
    return StoreHeader::Unsure;
  return StoreHeader::OtherSqlite;
}

Error not_a_store(const std::string& file, StoreHeader header) {
  switch (header) {
    case StoreHeader::Empty:
      return Error(fmt::format("{}: not an outcomes store (the file is empty)", file));
    case StoreHeader::NotSqlite:
      return Error(
          fmt::format("{}: not an outcomes store (the file is not an SQLite database)", file));
    default:
      return Error(fmt::format(
          "{}: not an outcomes store (an SQLite database made by something else)", file));
  }
}

// True when SQLite's connection holds an outcomes store (any schema version).
bool holds_store(SQLite::Database& db) {
  return db.execAndGet("PRAGMA user_version").getInt() != 0 &&
         db.execAndGet("PRAGMA application_id").getInt() == kApplicationId;
}

// A file: URI naming `file`, every byte outside the unreserved set percent-encoded.
std::string file_uri(const std::string& file) {
  std::string uri = "file:";
  for (unsigned char c : file) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~')
      uri += static_cast<char>(c);
    else
      uri += fmt::format("%{:02X}", c);
  }
  return uri;
}

// How a read-only connection opens `file`. A store in WAL mode is read through its -shm
// file, which SQLite makes beside it when missing; in a folder this process may not write
// (a read-only share, a copied backup), with no -wal file holding pages not yet copied
// into the store, the store is opened as immutable instead: read as it is, with no -shm.
// Returns "" for an ordinary open.
std::string read_only_uri(const std::string& file) {
  std::filesystem::path folder = std::filesystem::path(file).parent_path();
  if (folder.empty()) folder = ".";
  if (::access(folder.c_str(), W_OK) == 0) return {};
  std::error_code ec;
  if (std::filesystem::exists(file + "-shm", ec)) return {};
  const auto wal = std::filesystem::file_size(file + "-wal", ec);
  if (!ec && wal > 0)
    throw Error(fmt::format(
        "{}: the store's log ({}-wal) holds changes not yet in the store, and the folder "
        "cannot be written to read them; open it once where it can be written",
        file, file));
  return file_uri(file) + "?immutable=1";
}

void apply_pragmas(SQLite::Database& db, bool read_only) {
  db.exec("PRAGMA foreign_keys = ON");
  if (!read_only) {
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
  }
  // A larger page cache keeps the index pages of a big import in memory.
  db.exec("PRAGMA cache_size = -32768");
  sort_in_files(db, false);
  // Pages are read through read(2) into that cache, not mapped: a mapped store counts
  // against the process's memory page by page as it is read (a whole-store read of a 10M
  // entry store would show 600 MB more), and mapping saved a tenth of the time at most.
  db.exec("PRAGMA mmap_size = 0");
}


}  // namespace

std::unique_ptr<SQLite::Database> SqliteStore::Impl::open_reader() const {
  auto reader = std::make_unique<SQLite::Database>(
      uri.empty() ? file : uri,
      SQLite::OPEN_READONLY | SQLite::OPEN_NOMUTEX | (uri.empty() ? 0 : SQLite::OPEN_URI));
  sqlite3_busy_timeout(reader->getHandle(),
                       static_cast<int>(std::min<int64_t>(options.wait.limit.count(), INT32_MAX)));
  apply_pragmas(*reader, true);
  return reader;
}

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteStore::SqliteStore(SqliteStore&&) noexcept = default;
SqliteStore& SqliteStore::operator=(SqliteStore&&) noexcept = default;
SqliteStore::~SqliteStore() = default;

int SqliteStore::schema_version() {
  return static_cast<int>(store_detail::migrations().size());
}

SqliteStore SqliteStore::create(const std::filesystem::path& file, SqliteOptions options) {
  const std::string name = file.string();
  // Owner-only from the first byte: the file exists with mode 0600 before SQLite opens
  // it, and the umask covers the -wal and -shm files SQLite makes beside it.
  UmaskGuard umask_guard(077);
  int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST)
      throw Error(fmt::format("{}: a file is already there; refusing to replace it", name));
    throw Error(fmt::format("{}: cannot create the store: {}", name, std::strerror(errno)));
  }
  ::close(fd);
  try {
    auto impl = std::make_unique<Impl>(file, SQLite::OPEN_READWRITE, options);
    impl->guard([&] {
      // 16 KiB pages (set before anything is written): a bulk import spends a fifth less
      // time in SQLite than with 4 KiB pages, and a person's entries span fewer pages.
      impl->db.exec("PRAGMA page_size = 16384");
      apply_pragmas(impl->db, false);
      store_detail::migrate(impl->db, store_detail::migrations(), name);
    });
    impl->created = true;
    return SqliteStore(std::move(impl));
  } catch (const SQLite::Exception& e) {
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(name + suffix, ignored);
    throw store_error(name, e);
  } catch (...) {
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(name + suffix, ignored);
    throw;
  }
}

SqliteStore SqliteStore::open(const std::filesystem::path& file, bool read_only,
                              SqliteOptions options) {
  const std::string name = file.string();
  std::error_code ec;
  if (!std::filesystem::exists(file, ec))
    throw Error(
        fmt::format("{}: no journey store here (a workspace's store is made by "
                    "'outcomes init')",
                    name));
  if (std::filesystem::is_directory(file, ec))
    throw Error(fmt::format("{}: not an outcomes store (it is a folder)", name));
  // Nothing is written to a file (not even the journal mode) until it is known to be
  // a store.
  StoreHeader header = read_store_header(name);
  if (header != StoreHeader::Store && header != StoreHeader::Unsure)
    throw not_a_store(name, header);
  UmaskGuard umask_guard(077);
  try {
    if (header == StoreHeader::Unsure) {
      Impl probe(file, SQLite::OPEN_READONLY, options);
      if (!holds_store(probe.db)) throw not_a_store(name, StoreHeader::OtherSqlite);
    }
    auto impl = std::make_unique<Impl>(
        file, read_only ? SQLite::OPEN_READONLY : SQLite::OPEN_READWRITE, options,
        read_only ? read_only_uri(name) : std::string());
    auto& db = impl->db;
    if (!holds_store(db)) throw not_a_store(name, StoreHeader::OtherSqlite);
    apply_pragmas(db, read_only);
    int version = db.execAndGet("PRAGMA user_version").getInt();
    if (version > schema_version())
      throw newer_store_error(name, version, schema_version());
    if (version < schema_version()) {
      if (read_only)
        throw store_needs_upgrade_error(name, version, schema_version());
      // A step may make an index over every entry (the umask above keeps SQLite's
      // temporary files owner-only).
      sort_in_files(db, true);
      store_detail::migrate(db, store_detail::migrations(), name);
      sort_in_files(db, false);
    }
    return SqliteStore(std::move(impl));
  } catch (const SQLite::Exception& e) {
    throw store_error(name, e);
  }
}
}  // namespace outcomes
