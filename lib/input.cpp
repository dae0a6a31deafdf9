#include "input.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "error.h"
#include "output.h"

namespace outcomes {
namespace {

// The folder temporary copies go in: $TMPDIR, else /tmp.
std::string temporary_folder() {
  const char* dir = std::getenv("TMPDIR");
  return dir && *dir ? dir : "/tmp";
}

// An owner-only file in `dir` that no folder lists. Without O_TMPFILE support (some file
// systems) the file is made with a name and unlinked before a byte is written to it.
int create_unnamed(const std::string& dir) {
  int fd = create_unnamed_file(dir);
  if (fd >= 0 || errno != EOPNOTSUPP) return fd;
  std::string name = dir + "/.outcomes-input-XXXXXX";
  fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd >= 0) ::unlink(name.c_str());
  return fd;
}

// Copies `from` to its end into `to`; returns 0 or the errno of the failed read (as a
// negative number) or write.
int copy_all(int from, int to) {
  std::vector<char> buffer(1 << 16);
  for (;;) {
    ssize_t got = ::read(from, buffer.data(), buffer.size());
    if (got == 0) return 0;
    if (got < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    for (ssize_t done = 0; done < got;) {
      ssize_t n = ::write(to, buffer.data() + done, static_cast<size_t>(got - done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno;
      }
      done += n;
    }
  }
}

}  // namespace

RereadableInput::RereadableInput(const std::string& name) {
  const bool standard_input = name == "-";
  if (!standard_input) {
    struct stat st {};
    if (::stat(name.c_str(), &st) != 0)
      throw Error(errno == ENOENT
                      ? fmt::format("{}: no such file", name)
                      : fmt::format("{}: cannot open: {}", name, std::strerror(errno)));
    if (S_ISDIR(st.st_mode)) throw Error(fmt::format("{}: is a folder, not a file", name));
    if (S_ISREG(st.st_mode)) {
      path_ = name;
      return;
    }
  }
  const std::string shown = standard_input ? "standard input" : name;
  int from = standard_input ? STDIN_FILENO : ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
  if (from < 0) throw Error(fmt::format("{}: cannot open: {}", name, std::strerror(errno)));
  const std::string dir = temporary_folder();
  copy_fd_ = create_unnamed(dir);
  int error = copy_fd_ < 0 ? errno : copy_all(from, copy_fd_);
  if (!standard_input) ::close(from);
  if (error != 0) {
    if (copy_fd_ >= 0) ::close(copy_fd_);
    copy_fd_ = -1;
    if (error < 0)
      throw Error(fmt::format("{}: cannot read: {}", shown, std::strerror(-error)));
    throw Error(fmt::format("{}: cannot copy it into a temporary file in {}: {}", shown, dir,
                            std::strerror(error)));
  }
  path_ = fmt::format("/proc/self/fd/{}", copy_fd_);
}

RereadableInput::~RereadableInput() {
  if (copy_fd_ >= 0) ::close(copy_fd_);
}

}  // namespace outcomes
