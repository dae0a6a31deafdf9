// Parsed frameworks kept on disk between commands. Parsing the YAML is most of a short
// command's time (a journey, a single record: the YAML library spends some 1,300
// instructions a byte, and a workspace holds tens of kilobytes of frameworks), so a
// framework that loaded without a problem is kept, as JSON, under a key made from this
// program's own file and every byte it was read from. A kept framework is therefore only
// used by the same build of the program, for the same bytes: editing a file, or installing
// another build, gives a new key and a fresh parse. Anything wrong with the cache (no folder,
// a file that cannot be read or parsed) is a miss, never an error; a framework with problems
// is never kept.
//
// The folder: OUTCOMES_CACHE when set (empty or "off" turns the cache off), else
// $XDG_CACHE_HOME/outcomes, else $HOME/.cache/outcomes; frameworks go in its `frameworks/`
// folder, owner-only, and files not written for 30 days are removed when one is written.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "framework.h"

namespace outcomes::framework_cache {

// The file a framework is kept in, given its content hash (the SHA-256 of its file's bytes)
// and its local wording file's bytes when it has one: named by a key made from this
// program's own file and those, in the cache's folder (read from the environment here, once
// for find and keep). Empty when the cache is off or this program's own file cannot be
// identified.
std::filesystem::path file_for(std::string_view content_hash,
                               const std::optional<std::string>& local_wording);

// The framework kept in `file` (its `path` left empty), or nullopt (always for an empty
// path).
std::optional<Framework> find(const std::filesystem::path& file);

// Keeps `framework` in `file`, a path from file_for; does nothing when the path is empty,
// and never fails (a cache that cannot be written is only slower).
void keep(const std::filesystem::path& file, const Framework& framework);

// The JSON a framework is kept as, and back; nullopt when the text is not such JSON. Every
// field but `path` is kept.
std::string to_text(const Framework& framework);
std::optional<Framework> from_text(std::string_view text);

}  // namespace outcomes::framework_cache
