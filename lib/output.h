// The one way an output file (--output) is written: owner-only, never half-written.
#pragma once
#include <filesystem>
#include <functional>
#include <ostream>

namespace outcomes {

// Writes what `write` puts into the stream to `path`: into a new temporary file beside it
// (created owner-only, mode 0600, whatever the umask), synced to disk, then renamed over
// `path`, so `path` holds either its old content or all of the new. Error (nothing written)
// when `path` is a symbolic link or its folder does not exist; on any failure, including an
// exception from `write`, the temporary file is removed and the exception passed on.
// Error messages start "--output: " (every --output option writes through here).
void write_output(const std::filesystem::path& path,
                  const std::function<void(std::ostream&)>& write);

}  // namespace outcomes
