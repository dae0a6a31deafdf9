#include "output.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <random>
#include <streambuf>

#include "error.h"

namespace outcomes {
namespace {

// An output stream buffer over a file descriptor (so the file is written through the
// descriptor that created it, never reopened by name).
class FdBuffer : public std::streambuf {
 public:
  explicit FdBuffer(int fd) : fd_(fd) { setp(buffer_.data(), buffer_.data() + buffer_.size()); }
  int error() const { return error_; }

 protected:
  int_type overflow(int_type ch) override {
    if (!drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(ch, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(ch);
      pbump(1);
    }
    return traits_type::not_eof(ch);
  }
  int sync() override { return drain() ? 0 : -1; }

 private:
  bool drain() {
    const char* p = pbase();
    while (p < pptr()) {
      ssize_t n = ::write(fd_, p, static_cast<size_t>(pptr() - p));
      if (n < 0) {
        if (errno == EINTR) continue;
        error_ = errno;
        return false;
      }
      p += n;
    }
    setp(buffer_.data(), buffer_.data() + buffer_.size());
    return true;
  }

  int fd_;
  int error_ = 0;
  std::array<char, 1 << 16> buffer_;
};

// Creates a new file named after `path` in its folder, owner-only; returns its descriptor.
int create_temporary(const std::filesystem::path& path, std::string& name) {
  std::random_device random;
  for (int attempt = 0; attempt < 100; ++attempt) {
    name = (path.parent_path() / fmt::format(".{}.{:08x}.tmp", path.filename().string(),
                                             static_cast<unsigned>(random())))
               .string();
    int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) return fd;
    if (errno != EEXIST)
      throw Error(fmt::format("--output: cannot create a file in {}: {}",
                              path.parent_path().string(), std::strerror(errno)));
  }
  throw Error(fmt::format("--output: cannot create a file in {}", path.parent_path().string()));
}

}  // namespace

void write_output(const std::filesystem::path& target,
                  const std::function<void(std::ostream&)>& write) {
  const std::filesystem::path path =
      target.has_parent_path() ? target : std::filesystem::path(".") / target;
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode))
    throw Error(fmt::format("--output: {} is a symbolic link; not writing through it (name the "
                            "file itself)",
                            target.string()));
  if (::stat(path.parent_path().c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw Error(fmt::format("--output: cannot create a file in {}: no such folder",
                            path.parent_path().string()));

  std::string temp;
  int fd = create_temporary(path, temp);
  try {
    // The mode given to open() is narrowed by the umask, never widened; set it exactly.
    if (::fchmod(fd, 0600) != 0)
      throw Error(fmt::format("--output: cannot make {} owner-only: {}", temp,
                              std::strerror(errno)));
    FdBuffer buffer(fd);
    std::ostream out(&buffer);
    write(out);
    out.flush();
    if (!out)
      throw Error(fmt::format("--output: cannot write {}: {}", target.string(),
                              std::strerror(buffer.error() ? buffer.error() : EIO)));
    if (::fsync(fd) != 0)
      throw Error(fmt::format("--output: cannot write {}: {}", target.string(),
                              std::strerror(errno)));
    int closing = fd;
    fd = -1;
    if (::close(closing) != 0)
      throw Error(fmt::format("--output: cannot write {}: {}", target.string(),
                              std::strerror(errno)));
    if (::rename(temp.c_str(), path.c_str()) != 0)
      throw Error(fmt::format("--output: cannot replace {}: {}", target.string(),
                              std::strerror(errno)));
  } catch (...) {
    if (fd >= 0) ::close(fd);
    ::unlink(temp.c_str());
    throw;
  }
  // The rename is durable once the folder is synced; the file is complete either way.
  int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

}  // namespace outcomes
