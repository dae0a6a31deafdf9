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

// Writes all of `bytes` to `to`; returns 0 or the errno of the failed write.
int write_all(int to, std::string_view bytes) {
  for (std::size_t done = 0; done < bytes.size();) {
    ssize_t n = ::write(to, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    done += static_cast<std::size_t>(n);
  }
  return 0;
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
    if (int error = write_all(to, std::string_view(buffer.data(), static_cast<std::size_t>(got))); error != 0)
      return error;
  }
}

// As copy_all, converting from Windows-1252 to UTF-8; throws InvalidInput naming `shown`
// at a byte the code page leaves undefined.
int convert_all(int from, int to, const std::string& shown) {
  std::vector<char> buffer(1 << 16);
  std::string converted;
  text::TextPosition at;
  // A file that is valid UTF-8 with letters beyond ASCII is not Windows-1252: converting it
  // would store every such letter garbled.
  text::Utf8Check raw;
  bool non_ascii = false;
  for (;;) {
    ssize_t got = ::read(from, buffer.data(), buffer.size());
    if (got == 0) {
      raw.finish();
      if (non_ascii && !raw.fault())
        throw InvalidInput(fmt::format(
            "{}: is already UTF-8, not Windows-1252; nothing was written. Leave out --encoding",
            shown));
      return 0;
    }
    if (got < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    const std::string_view piece(buffer.data(), static_cast<std::size_t>(got));
    converted.clear();
    if (auto bad = text::windows_1252_to_utf8(piece, converted)) {
      const auto in_piece = text::position_of(piece, *bad);
      const std::size_t line = at.line + in_piece.line - 1;
      const std::size_t column = in_piece.line == 1 ? at.column + in_piece.column - 1 : in_piece.column;
      throw InvalidInput(fmt::format(
          "{}: line {}, column {}: byte \\x{:02x} is not a character of Windows-1252 (the code "
          "page leaves it undefined), so the file is in another encoding; nothing was written",
          shown, line, column, static_cast<unsigned char>(piece[*bad])));
    }
    raw.update(piece);
    non_ascii = non_ascii || converted.size() != piece.size();
    const auto end = text::position_of(piece, piece.size());
    at.column = end.line == 1 ? at.column + end.column - 1 : end.column;
    at.line += end.line - 1;
    if (int error = write_all(to, converted); error != 0) return error;
  }
}

}  // namespace

RereadableInput::RereadableInput(const std::string& name, text::FileEncoding encoding) {
  const bool standard_input = name == "-";
  if (!standard_input) {
    struct stat st {};
    if (::stat(name.c_str(), &st) != 0)
      throw Error(errno == ENOENT
                      ? fmt::format("{}: no such file", name)
                      : fmt::format("{}: cannot open: {}", name, std::strerror(errno)));
    if (S_ISDIR(st.st_mode)) throw Error(fmt::format("{}: is a folder, not a file", name));
    if (S_ISREG(st.st_mode) && encoding == text::FileEncoding::Utf8) {
      path_ = name;
      return;
    }
  }
  const std::string shown = standard_input ? "standard input" : name;
  int from = standard_input ? STDIN_FILENO : ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
  if (from < 0) throw Error(fmt::format("{}: cannot open: {}", name, std::strerror(errno)));
  const std::string dir = temporary_folder();
  copy_fd_ = create_scratch_file(dir);
  int error = 0;
  try {
    error = copy_fd_ < 0                                  ? errno
            : encoding == text::FileEncoding::Windows1252 ? convert_all(from, copy_fd_, shown)
                                                          : copy_all(from, copy_fd_);
  } catch (...) {
    if (!standard_input) ::close(from);
    if (copy_fd_ >= 0) ::close(copy_fd_);
    copy_fd_ = -1;
    throw;
  }
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
