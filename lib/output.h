// The one way an output (--output, or standard output) is written: owner-only, never
// half-written, never replacing anything that is not a regular file.
#pragma once
#include <cstddef>
#include <filesystem>
#include <functional>
#include <ostream>
#include <string>

namespace outcomes {

// Writes what `write` puts into the stream to `path`. A regular file (or a name not yet
// taken) is written into a new temporary file beside it (created owner-only, mode 0600,
// whatever the umask), synced to disk, then renamed over `path`, so `path` holds either its
// old content or all of the new; until complete, that file has no name where the file
// system allows (so a process killed while writing leaves nothing). A character device (/dev/null) or a FIFO of this user's is
// written in place and never replaced; /dev/stdout, /dev/stderr, /dev/fd/N and
// /proc/self/fd/N write to that open descriptor in place. Error (nothing written) when
// `path` is a symbolic link (never followed), a FIFO of another user's, a folder, a block
// device or a socket, or its folder does not exist; on any failure, including an exception
// from `write`, the temporary file is removed and the exception passed on. Error messages
// start "--output: " and name `path` (every --output option writes through here).
void write_output(const std::filesystem::path& path,
                  const std::function<void(std::ostream&)>& write);

// Opens a new file in `dir`, readable and writable by its owner only, that no folder lists
// (O_TMPFILE): it vanishes when closed, however the process ends. -1 with errno set when it
// cannot; errno EOPNOTSUPP when the file system has no such files.
int create_unnamed_file(const std::filesystem::path& dir);

// As create_unnamed_file, and where the file system has no such files, a file made with a
// hidden name (owner-only) and unlinked before anything is written to it. -1 with errno set
// when neither can be made.
int create_scratch_file(const std::filesystem::path& dir);

// An owner-only scratch file (create_scratch_file) that bytes are appended to and then
// read back in order: data spooled for a later pass. `what` names the data in errors
// ("cannot write the temporary copy of WHAT: …"). Made in `dir`, or in the system's
// temporary folder when `dir` will not take one; Error when neither will.
class ScratchFile {
 public:
  explicit ScratchFile(std::string what,
                       const std::filesystem::path& dir = std::filesystem::temp_directory_path());
  ~ScratchFile();
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;

  void append(const void* data, std::size_t size);
  // Back to the first byte, to read what was appended (appending again is not allowed).
  void rewind();
  // Reads exactly `size` bytes: false at the end of what was appended; Error when that end
  // falls inside them.
  bool read(void* data, std::size_t size);
  // Reads exactly `size` bytes that must follow (the rest of a piece whose start was read):
  // Error "cannot read the temporary copy of WHAT: it ends early" when fewer remain.
  void read_exactly(void* data, std::size_t size);

 private:
  [[noreturn]] void fail(const char* action) const;
  [[noreturn]] void ends_early() const;
  std::size_t read_some(char* to, std::size_t size);
  void drain();
  bool fill();
  std::string what_;
  int fd_ = -1;
  std::string out_;
  std::string in_;
  std::size_t in_pos_ = 0;
};

// An output written by a library that can only write to a file name (e.g. a spreadsheet
// writer): file() is a name in a new folder only its owner can enter, beside the target (a
// hidden ".NAME.tmp-XXXXXX"), or in the system's temporary folder when the target is a device,
// FIFO or open descriptor; that folder may also hold the library's scratch files. commit()
// makes the file owner-only, syncs it and renames it over the target (or copies it into the
// device, FIFO or descriptor), as write_output does. The target is checked when constructed,
// with write_output's refusals and messages. Without commit() (an error, an exception), the
// folder and all in it are removed and the target is left as it was; a process killed while
// writing can leave that hidden folder behind.
class NamedOutput {
 public:
  explicit NamedOutput(const std::filesystem::path& target);
  ~NamedOutput();
  NamedOutput(const NamedOutput&) = delete;
  NamedOutput& operator=(const NamedOutput&) = delete;

  // Where the library writes the output.
  const std::filesystem::path& file() const { return file_; }
  // The private folder file() is in.
  const std::filesystem::path& folder() const { return folder_; }
  // Puts the written file in place; Error (target unchanged) when it cannot.
  void commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path path_;    // the target as a path with a folder
  bool replace_ = false;          // a regular file (or a new name), renamed over
  std::filesystem::path folder_;
  std::filesystem::path file_;
};

// True when `path` is a folder itself: not a symbolic link to one, even written with a
// trailing '/'.
bool is_plain_folder(const std::filesystem::path& path);

// Makes `folder` ready to take output files: creates it owner-only (mode 0700) when it does
// not exist; an existing folder is used as it is. Error (nothing created) when `folder` is a
// symbolic link (never followed, even written with a trailing '/'), is not a folder, or cannot
// be created; messages start "--output: " and name `folder`.
void make_output_folder(const std::filesystem::path& folder);

// Writes what `write` puts into the stream to the open descriptor `fd` at its current
// offset (e.g. 1 for standard output). Error "cannot write NAME: REASON" on failure
// (a full disk, a file size limit, a closed pipe).
void write_to_descriptor(int fd, const std::string& name,
                         const std::function<void(std::ostream&)>& write);

}  // namespace outcomes
