#include "output.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <string_view>
#include <cerrno>
#include <cstdlib>
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

// Gives a file a new hidden name beside `path`, made by `make` (which returns false with
// errno EEXIST when the name is taken, to try another); returns the name.
std::string hidden_name(const std::filesystem::path& path,
                        const std::function<bool(const std::string&)>& make) {
  std::random_device random;
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string name = (path.parent_path() / fmt::format(".{}.{:08x}.tmp", path.filename().string(),
                                                         static_cast<unsigned>(random())))
                           .string();
    if (make(name)) return name;
    if (errno != EEXIST)
      throw Error(fmt::format("--output: cannot create a file in {}: {}",
                              path.parent_path().string(), std::strerror(errno)));
  }
  throw Error(fmt::format("--output: cannot create a file in {}", path.parent_path().string()));
}

// Creates the file the output is written into, owner-only, in the folder of `path`; returns
// its descriptor. Where the file system allows, the file has no name until it is complete
// (so a process killed while writing leaves nothing), and `name` is ""; else `name` is its
// hidden name.
int create_temporary(const std::filesystem::path& path, std::string& name) {
  name.clear();
  int fd = create_unnamed_file(path.parent_path());
  if (fd >= 0) return fd;
  if (errno != EOPNOTSUPP)
    throw Error(fmt::format("--output: cannot create a file in {}: {}",
                            path.parent_path().string(), std::strerror(errno)));
  name = hidden_name(path, [&](const std::string& candidate) {
    fd = ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    return fd >= 0;
  });
  return fd;
}

// Runs `write` into a stream over `fd` and flushes it; returns 0, or the errno of the
// write that failed.
int write_stream(int fd, const std::function<void(std::ostream&)>& write) {
  FdBuffer buffer(fd);
  std::ostream out(&buffer);
  write(out);
  out.flush();
  if (out) return 0;
  return buffer.error() ? buffer.error() : EIO;
}

// The descriptor a path names by number (/dev/stdout, /dev/stderr, /dev/fd/N,
// /proc/self/fd/N), if it is one: such a path is the caller's own open descriptor, which
// the shell has already prepared (truncated, or opened to append), so it is written in
// place rather than reopened.
std::optional<int> named_descriptor(const std::filesystem::path& path) {
  const std::string text = path.lexically_normal().string();
  if (text == "/dev/stdout") return 1;
  if (text == "/dev/stderr") return 2;
  for (std::string_view prefix : {"/dev/fd/", "/proc/self/fd/"}) {
    if (text.size() <= prefix.size() || text.compare(0, prefix.size(), prefix) != 0) continue;
    int fd = 0;
    const char* first = text.data() + prefix.size();
    const char* last = text.data() + text.size();
    auto [end, ec] = std::from_chars(first, last, fd);
    if (ec == std::errc() && end == last) return fd;
  }
  return std::nullopt;
}

// Closes a descriptor when it goes out of scope.
struct FdCloser {
  int fd;
  ~FdCloser() { ::close(fd); }
};

bool written_in_place(mode_t mode) { return S_ISCHR(mode) || S_ISFIFO(mode); }

// Writes to a device or FIFO through a descriptor opened without creating or truncating
// anything, and only when the descriptor is still a device or FIFO once open (the name
// may have been swapped between the check and the open).
void write_in_place(const std::filesystem::path& path, const std::filesystem::path& target,
                    const std::function<void(std::ostream&)>& write) {
  int fd = ::open(path.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    throw Error(fmt::format("--output: cannot open {}: {}", target.string(), std::strerror(errno)));
  const FdCloser closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !written_in_place(st.st_mode))
    throw Error(fmt::format("--output: {} changed while it was opened; nothing was written",
                            target.string()));
  if (int error = write_stream(fd, write))
    throw Error(fmt::format("--output: cannot write {}: {}", target.string(), std::strerror(error)));
}

// Where an output goes, once `target` has been checked.
struct Destination {
  enum Kind { Descriptor, InPlace, Replace } kind = Replace;
  int fd = -1;                  // Descriptor: the open descriptor written to
  std::filesystem::path path;   // InPlace and Replace: the target, with a folder
};

// Checks `target` as write_output's contract says and tells how it is written; Error with
// write_output's messages when it is refused.
Destination destination_of(const std::filesystem::path& target) {
  if (auto fd = named_descriptor(target)) {
    struct stat st {};
    if (::fstat(*fd, &st) != 0)
      throw Error(fmt::format("--output: {} is not open: {}", target.string(), std::strerror(errno)));
    return {Destination::Descriptor, *fd, target};
  }
  const std::filesystem::path path =
      target.has_parent_path() ? target : std::filesystem::path(".") / target;
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    // A link may have been planted to send the output elsewhere: never followed.
    if (S_ISLNK(st.st_mode))
      throw Error(fmt::format("--output: {} is a symbolic link; not writing through it (name the "
                              "file itself)",
                              target.string()));
    // A FIFO someone else made would pass the output to them.
    if (S_ISFIFO(st.st_mode) && st.st_uid != ::geteuid())
      throw Error(fmt::format("--output: {} is a FIFO that belongs to another user; not writing "
                              "to it",
                              target.string()));
    if (written_in_place(st.st_mode)) return {Destination::InPlace, -1, path};
    if (!S_ISREG(st.st_mode))
      throw Error(fmt::format("--output: {} is {}; expected a file, a device or a FIFO",
                              target.string(),
                              S_ISDIR(st.st_mode) ? "a folder" : "not a regular file"));
  }
  if (::stat(path.parent_path().c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw Error(fmt::format("--output: cannot create a file in {}: no such folder",
                            path.parent_path().string()));
  return {Destination::Replace, -1, path};
}

// Syncs folder `dir`, so that a rename in it is durable (the file is complete either way).
void sync_folder(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

int create_unnamed_file(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  // Kernels and file systems without O_TMPFILE answer in more than one way.
  if (fd < 0 && (errno == EISDIR || errno == EINVAL)) errno = EOPNOTSUPP;
  return fd;
}

void write_to_descriptor(int fd, const std::string& name,
                         const std::function<void(std::ostream&)>& write) {
  if (int error = write_stream(fd, write))
    throw Error(fmt::format("cannot write {}: {}", name, std::strerror(error)));
}

void write_output(const std::filesystem::path& target,
                  const std::function<void(std::ostream&)>& write) {
  const Destination to = destination_of(target);
  if (to.kind == Destination::Descriptor) {
    if (int error = write_stream(to.fd, write))
      throw Error(fmt::format("--output: cannot write {}: {}", target.string(), std::strerror(error)));
    return;
  }
  if (to.kind == Destination::InPlace) return write_in_place(to.path, target, write);
  const std::filesystem::path& path = to.path;

  std::string temp;
  int fd = create_temporary(path, temp);
  try {
    // The mode given to open() is narrowed by the umask, never widened; set it exactly.
    if (::fchmod(fd, 0600) != 0)
      throw Error(fmt::format("--output: cannot make the file for {} owner-only: {}",
                              target.string(), std::strerror(errno)));
    if (int error = write_stream(fd, write))
      throw Error(fmt::format("--output: cannot write {}: {}", target.string(),
                              std::strerror(error)));
    if (::fsync(fd) != 0)
      throw Error(fmt::format("--output: cannot write {}: {}", target.string(),
                              std::strerror(errno)));
    // Complete, the unnamed file gets a name to be renamed from (renaming is what replaces
    // an existing file in one step).
    if (temp.empty()) {
      const std::string self = fmt::format("/proc/self/fd/{}", fd);
      temp = hidden_name(path, [&](const std::string& candidate) {
        return ::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, candidate.c_str(), AT_SYMLINK_FOLLOW) ==
               0;
      });
    }
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
    if (!temp.empty()) ::unlink(temp.c_str());
    throw;
  }
  sync_folder(path.parent_path());
}

int create_scratch_file(const std::filesystem::path& dir) {
  int fd = create_unnamed_file(dir);
  if (fd >= 0 || errno != EOPNOTSUPP) return fd;
  std::string name = (dir / ".outcomes-scratch-XXXXXX").string();
  fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd >= 0) ::unlink(name.c_str());
  return fd;
}

ScratchFile::ScratchFile(std::string what, const std::filesystem::path& dir)
    : what_(std::move(what)) {
  fd_ = create_scratch_file(dir);
  if (fd_ < 0 && dir != std::filesystem::temp_directory_path())
    fd_ = create_scratch_file(std::filesystem::temp_directory_path());
  if (fd_ < 0)
    throw Error(fmt::format("cannot create a temporary file for {}: {}", what_,
                            std::strerror(errno)));
}

ScratchFile::~ScratchFile() { ::close(fd_); }

void ScratchFile::fail(const char* action) const {
  throw Error(fmt::format("cannot {} the temporary copy of {}: {}", action, what_,
                          std::strerror(errno)));
}

void ScratchFile::append(const void* data, std::size_t size) {
  out_.append(static_cast<const char*>(data), size);
  if (out_.size() >= (std::size_t{1} << 16)) drain();
}

void ScratchFile::drain() {
  std::size_t done = 0;
  while (done < out_.size()) {
    ssize_t n = ::write(fd_, out_.data() + done, out_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("write");
    done += static_cast<std::size_t>(n);
  }
  out_.clear();
}

void ScratchFile::rewind() {
  drain();
  if (::lseek(fd_, 0, SEEK_SET) != 0) fail("read");
  in_.clear();
  in_pos_ = 0;
}

// Reads the next block of the file into in_; false at its end.
bool ScratchFile::fill() {
  in_.resize(std::size_t{1} << 16);
  for (;;) {
    ssize_t n = ::read(fd_, in_.data(), in_.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("read");
    in_.resize(static_cast<std::size_t>(n));
    in_pos_ = 0;
    return n > 0;
  }
}

// Copies up to `size` bytes to `to`, fewer only at the end of the file; returns how many.
std::size_t ScratchFile::read_some(char* to, std::size_t size) {
  std::size_t done = 0;
  while (done < size) {
    if (in_pos_ == in_.size() && !fill()) break;
    const std::size_t part = std::min(size - done, in_.size() - in_pos_);
    std::memcpy(to + done, in_.data() + in_pos_, part);
    in_pos_ += part;
    done += part;
  }
  return done;
}

void ScratchFile::ends_early() const {
  throw Error(fmt::format("cannot read the temporary copy of {}: it ends early", what_));
}

bool ScratchFile::read(void* data, std::size_t size) {
  const std::size_t done = read_some(static_cast<char*>(data), size);
  if (done == size) return true;
  if (done == 0) return false;
  ends_early();  // the file ends inside what was appended as one piece
}

void ScratchFile::read_exactly(void* data, std::size_t size) {
  if (read_some(static_cast<char*>(data), size) != size) ends_early();
}

NamedOutput::NamedOutput(const std::filesystem::path& target) : target_(target) {
  const Destination to = destination_of(target);
  replace_ = to.kind == Destination::Replace;
  path_ = to.path;
  // Beside the target, the rename that puts the file in place stays on one file system; a
  // device or descriptor gets a copy, made from the system's temporary folder.
  std::filesystem::path dir = replace_ ? path_.parent_path() : std::filesystem::temp_directory_path();
  std::string name = (dir / fmt::format(".{}.tmp-XXXXXX", replace_ ? path_.filename().string()
                                                                    : std::string("outcomes")))
                         .string();
  if (::mkdtemp(name.data()) == nullptr)
    throw Error(fmt::format("--output: cannot create a folder in {}: {}", dir.string(),
                            std::strerror(errno)));
  folder_ = name;
  file_ = folder_ / (replace_ ? path_.filename() : std::filesystem::path("output"));
}

NamedOutput::~NamedOutput() {
  std::error_code ignored;
  if (!folder_.empty()) std::filesystem::remove_all(folder_, ignored);
}

void NamedOutput::commit() {
  // Never through a link, and only the regular file the library wrote.
  int fd = ::open(file_.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    throw Error(fmt::format("--output: cannot write {}: {}", target_.string(), std::strerror(errno)));
  const FdCloser closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    throw Error(fmt::format("--output: cannot write {}: not a regular file", target_.string()));
  if (!replace_) {
    write_output(target_, [&](std::ostream& out) {
      std::array<char, 1 << 16> buffer;
      for (;;) {
        ssize_t n = ::read(fd, buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0)
          throw Error(fmt::format("--output: cannot write {}: {}", target_.string(),
                                  std::strerror(errno)));
        if (n == 0) break;
        out.write(buffer.data(), n);
      }
    });
    return;
  }
  if (::fchmod(fd, 0600) != 0)
    throw Error(fmt::format("--output: cannot make the file for {} owner-only: {}",
                            target_.string(), std::strerror(errno)));
  if (::fsync(fd) != 0)
    throw Error(fmt::format("--output: cannot write {}: {}", target_.string(), std::strerror(errno)));
  // The target may have become a link or a folder since it was checked.
  destination_of(target_);
  if (::rename(file_.c_str(), path_.c_str()) != 0)
    throw Error(fmt::format("--output: cannot replace {}: {}", target_.string(),
                            std::strerror(errno)));
  sync_folder(path_.parent_path());
}

namespace {

// `path` as lstat and mkdir should be given it: a trailing '/' would make them follow a
// symbolic link to a folder.
std::string without_trailing_slash(const std::filesystem::path& path) {
  std::string name = path.string();
  while (name.size() > 1 && name.back() == '/') name.pop_back();
  return name;
}

}  // namespace

bool is_plain_folder(const std::filesystem::path& path) {
  struct stat st {};
  return ::lstat(without_trailing_slash(path).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

void make_output_folder(const std::filesystem::path& folder) {
  const std::string name = without_trailing_slash(folder);
  struct stat st {};
  if (::lstat(name.c_str(), &st) == 0) {
    if (S_ISLNK(st.st_mode))
      throw Error(fmt::format("--output: {} is a symbolic link, not a folder (links are never "
                              "followed)",
                              folder.string()));
    if (!S_ISDIR(st.st_mode))
      throw Error(fmt::format("--output: {} is not a folder", folder.string()));
    return;
  }
  if (errno != ENOENT || ::mkdir(name.c_str(), 0700) != 0)
    throw Error(fmt::format("--output: cannot create the folder {}: {}", folder.string(),
                            std::strerror(errno)));
}

}  // namespace outcomes
