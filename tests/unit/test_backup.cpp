#include <SQLiteCpp/SQLiteCpp.h>
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "backup.h"
#include "error.h"
#include "store_sqlite.h"
#include "test_support.h"

using namespace outcomes;
namespace fs = std::filesystem;
using outcomes::testing::make;
using outcomes::testing::TempDir;
using outcomes::testing::error_of;

namespace {

const std::string kWhen = "2026-11-15T10:00:00Z";

// Appends `n` contacts of P1 in one committed write.
void add_contacts(JourneyStore& store, int n) {
  auto tx = store.begin();
  for (int i = 0; i < n; ++i) tx->append(make("P1", "2026-02-01", EntryKind::Contact, "attended"), kWhen);
  tx->commit();
}

// The files in `dir`, by name.
std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_CASE("a backup is an owner-only, self-contained copy that opens as a store") {
  TempDir dir;
  auto store = create_store(dir / "outcomes.db");
  add_contacts(*store, 3);
  fs::create_directory(dir / "saved");
  const mode_t old_mask = ::umask(0);
  BackupResult result;
  try {
    result = backup_store(*store, dir / "saved" / "copy.db", {false, dir / "outcomes.db"});
  } catch (...) {
    ::umask(old_mask);
    throw;
  }
  ::umask(old_mask);
  CHECK(result.entries == 3);
  struct stat st {};
  REQUIRE(::stat((dir / "saved" / "copy.db").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(names_in(dir / "saved") == std::vector<std::string>{"copy.db"});
  auto copy = open_store(dir / "saved" / "copy.db", true);
  CHECK(copy->entry_count() == 3);
  CHECK(copy->setting("pseudonym_secret") == store->setting("pseudonym_secret"));
  SQLite::Database db((dir / "saved" / "copy.db").string());
  CHECK(db.execAndGet("PRAGMA journal_mode").getString() == "delete");
}

TEST_CASE("a backup has all or none of a write in progress on another connection") {
  TempDir dir;
  auto writer = create_store(dir / "outcomes.db");
  add_contacts(*writer, 2);
  auto reader = open_store(dir / "outcomes.db", true);

  auto tx = writer->begin(true);
  tx->append(make("P2", "2026-03-01", EntryKind::Enrol), kWhen);
  tx->append(make("P2", "2026-03-02", EntryKind::Contact, "attended"), kWhen);
  CHECK(backup_store(*reader, dir / "during.db", {}).entries == 2);
  tx->commit();
  CHECK(backup_store(*reader, dir / "after.db", {}).entries == 4);
  CHECK(open_store(dir / "during.db", true)->people() == std::vector<std::string>{"P1"});
  CHECK(open_store(dir / "after.db", true)->people() == std::vector<std::string>{"P1", "P2"});
}

TEST_CASE("a backup never replaces a file unless asked, nor writes through a link, nor the store") {
  TempDir dir;
  auto store = create_store(dir / "outcomes.db");
  add_contacts(*store, 1);
  const BackupOptions keep{false, dir / "outcomes.db"};
  const BackupOptions replace{true, dir / "outcomes.db"};
  { std::ofstream(dir / "old.db") << "keep"; }
  CHECK(error_of([&] { backup_store(*store, dir / "old.db", keep); })
            .find("a file is already there; give --force") != std::string::npos);
  {
    std::ifstream in(dir / "old.db");
    std::string text;
    in >> text;
    CHECK(text == "keep");
  }
  CHECK(backup_store(*store, dir / "old.db", replace).entries == 1);

  fs::create_symlink(dir / "target.db", dir / "link.db");
  CHECK(error_of([&] { backup_store(*store, dir / "link.db", replace); })
            .find("symbolic link") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "target.db"));
  for (const char* name : {"outcomes.db", "outcomes.db-wal", "outcomes.db-shm"})
    CHECK(error_of([&] { backup_store(*store, dir / name, replace); })
              .find("the workspace's store itself") != std::string::npos);
  CHECK(error_of([&] { backup_store(*store, dir / "no" / "copy.db", keep); })
            .find("no such folder") != std::string::npos);
  for (const auto& name : names_in(dir.path)) CHECK(name.find(".tmp") == std::string::npos);
}

TEST_CASE("backup_to refuses a file with content, and a store that is writing") {
  TempDir dir;
  auto store = SqliteStore::create(dir / "outcomes.db");
  { std::ofstream(dir / "full.db") << "data"; }
  CHECK(error_of([&] { store.backup_to(dir / "full.db"); }).find("already there") !=
        std::string::npos);
  auto tx = store.begin();
  CHECK(error_of([&] { store.backup_to(dir / "copy.db"); }).find("while this process writes") !=
        std::string::npos);
}
