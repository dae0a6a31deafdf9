// An input file that an import can read more than once, whatever it is: a regular file,
// standard input, a pipe, a FIFO or a process substitution.
#pragma once
#include <filesystem>
#include <string>

#include "text.h"

namespace outcomes {

// A regular file is read by its own name. Anything else ("-" for standard input, a pipe,
// a FIFO, /dev/stdin, <(…)) is read to its end once, into a temporary file that has no
// name in any folder (mode 0600, in $TMPDIR or /tmp), so nothing is left behind however
// the process ends; path() then names that copy through /proc/self/fd. Error when the
// input does not exist, is a folder, or cannot be read or copied (e.g. the disk is full).
//
// Read from Windows-1252, the input is always copied, converted to UTF-8; InvalidInput
// (naming line and column) when it holds a byte that code page leaves undefined.
class RereadableInput {
 public:
  explicit RereadableInput(const std::string& name,
                           text::FileEncoding encoding = text::FileEncoding::Utf8);
  ~RereadableInput();
  RereadableInput(const RereadableInput&) = delete;
  RereadableInput& operator=(const RereadableInput&) = delete;

  // The path to open for each read.
  const std::filesystem::path& path() const { return path_; }
  // True when the input was copied (it was not a regular file).
  bool copied() const { return copy_fd_ >= 0; }

 private:
  std::filesystem::path path_;
  int copy_fd_ = -1;
};

}  // namespace outcomes
