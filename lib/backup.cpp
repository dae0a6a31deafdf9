#include "backup.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "error.h"

namespace outcomes {
namespace {

namespace fs = std::filesystem;

// True when `target` names the store's file or a file SQLite keeps beside it.
bool is_store_file(const fs::path& target, const fs::path& store_file) {
  if (store_file.empty()) return false;
  std::error_code ec;
  const fs::path a = fs::weakly_canonical(fs::absolute(target, ec), ec);
  const fs::path b = fs::weakly_canonical(fs::absolute(store_file, ec), ec);
  for (const char* suffix : {"", "-wal", "-shm", "-journal"})
    if (a == fs::path(b.string() + suffix)) return true;
  struct stat x {}, y {};
  return ::stat(target.c_str(), &x) == 0 && ::stat(store_file.c_str(), &y) == 0 &&
         x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

void sync_path(const fs::path& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// Moves `temp` to `path`; without `replace`, only when nothing is at `path` (atomically:
// a file made there meanwhile is never replaced).
void put_in_place(const std::string& temp, const fs::path& path, bool replace,
                  const std::string& shown) {
  if (replace) {
    if (::rename(temp.c_str(), path.c_str()) != 0)
      throw Error(fmt::format("{}: cannot put the backup in place: {}", shown, std::strerror(errno)));
    return;
  }
  int rc = ::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE);
  if (rc != 0 && (errno == EINVAL || errno == ENOSYS)) {
    // A file system without RENAME_NOREPLACE: a hard link is made only where no file is.
    rc = ::link(temp.c_str(), path.c_str());
    if (rc == 0) ::unlink(temp.c_str());
  }
  if (rc != 0) {
    if (errno == EEXIST)
      throw Error(fmt::format("{}: a file appeared there during the backup; not replacing it",
                              shown));
    throw Error(fmt::format("{}: cannot put the backup in place: {}", shown, std::strerror(errno)));
  }
}

}  // namespace

BackupResult backup_store(const JourneyStore& store, const fs::path& target,
                          const BackupOptions& options) {
  const std::string shown = target.string();
  const fs::path path = target.has_parent_path() ? target : fs::path(".") / target;
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (S_ISLNK(st.st_mode))
      throw Error(fmt::format("{}: a symbolic link; not writing through it (name the file itself)",
                              shown));
    if (S_ISDIR(st.st_mode))
      throw Error(fmt::format("{}: a folder; name the backup file to write", shown));
    if (!options.replace)
      throw Error(fmt::format("{}: a file is already there; give --force to replace it", shown));
  }
  if (is_store_file(path, options.store_file))
    throw Error(fmt::format("{}: that is the workspace's store itself; name another file", shown));
  if (::stat(path.parent_path().c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw Error(fmt::format("{}: cannot create a file in {}: no such folder", shown,
                            path.parent_path().string()));

  // mkstemps makes the file new (never an existing one) and owner-only.
  // Built with fmt rather than "." + string, which GCC 12 at -O2 misreads as an overlapping
  // copy (-Wrestrict).
  std::string temp =
      (path.parent_path() / fmt::format(".{}.XXXXXX.tmp", path.filename().string())).string();
  int fd = ::mkstemps(temp.data(), 4);
  if (fd < 0)
    throw Error(fmt::format("{}: cannot create a file in {}: {}", shown,
                            path.parent_path().string(), std::strerror(errno)));
  ::close(fd);
  BackupResult result;
  try {
    store.backup_to(temp);
    result.entries = open_store(fs::path(temp), /*read_only=*/true)->entry_count();
    sync_path(temp, O_RDONLY);
    put_in_place(temp, path, options.replace, shown);
  } catch (...) {
    ::unlink(temp.c_str());
    ::unlink((temp + "-journal").c_str());
    throw;
  }
  // The rename is durable once the folder is synced; the file is complete either way.
  sync_path(path.parent_path(), O_RDONLY | O_DIRECTORY);
  return result;
}

}  // namespace outcomes
