#include "output.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "error.h"
#include "test_support.h"

using namespace outcomes;
using outcomes::testing::TempDir;
namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

unsigned mode_of(const fs::path& file) {
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

int entries_in(const fs::path& dir) {
  int n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

// Sets the umask for the life of the object.
struct Umask {
  mode_t old;
  explicit Umask(mode_t mask) : old(::umask(mask)) {}
  ~Umask() { ::umask(old); }
};

}  // namespace

TEST_CASE("write_output creates an owner-only file even under a permissive umask") {
  TempDir dir("output");
  Umask open_umask(0);
  write_output(dir / "out.txt", [](std::ostream& out) { out << "hello\n"; });
  CHECK(read(dir / "out.txt") == "hello\n");
  CHECK(mode_of(dir / "out.txt") == 0600);
  CHECK(entries_in(dir.path) == 1);  // no temporary file left beside it
}

TEST_CASE("write_output replaces an existing file whole, and makes it owner-only") {
  TempDir dir("output");
  Umask open_umask(0);
  { std::ofstream(dir / "out.txt") << "an old and much longer content\n"; }
  fs::permissions(dir / "out.txt", fs::perms(0644));
  std::string big(200000, 'x');  // more than one buffer's worth
  write_output(dir / "out.txt", [&](std::ostream& out) { out << big; });
  CHECK(read(dir / "out.txt") == big);
  CHECK(mode_of(dir / "out.txt") == 0600);
  CHECK(entries_in(dir.path) == 1);
}

TEST_CASE("write_output refuses a symbolic link and leaves its target untouched") {
  TempDir dir("output");
  { std::ofstream(dir / "target.txt") << "precious\n"; }
  fs::create_symlink(dir / "target.txt", dir / "link.txt");
  bool called = false;
  CHECK_THROWS_WITH_AS(
      write_output(dir / "link.txt", [&](std::ostream& out) { called = true, out << "x"; }),
      doctest::Contains("symbolic link"), Error);
  CHECK_FALSE(called);
  CHECK(read(dir / "target.txt") == "precious\n");
  CHECK(fs::is_symlink(dir / "link.txt"));
  CHECK(entries_in(dir.path) == 2);
  // A dangling link is refused too (writing would create its target).
  fs::create_symlink(dir / "nowhere.txt", dir / "dangling.txt");
  CHECK_THROWS_AS(write_output(dir / "dangling.txt", [](std::ostream& out) { out << "x"; }),
                  Error);
  CHECK_FALSE(fs::exists(dir / "nowhere.txt"));
}

TEST_CASE("write_output refuses a folder that does not exist, writing nothing") {
  TempDir dir("output");
  CHECK_THROWS_WITH_AS(write_output(dir / "missing" / "out.txt", [](std::ostream&) {}),
                       doctest::Contains("cannot create a file in"), Error);
  CHECK_FALSE(fs::exists(dir / "missing"));
  CHECK(entries_in(dir.path) == 0);
}

TEST_CASE("a failure while writing leaves the old file and no temporary file") {
  TempDir dir("output");
  { std::ofstream(dir / "out.txt") << "old\n"; }
  CHECK_THROWS_AS(write_output(dir / "out.txt",
                               [](std::ostream& out) {
                                 out << std::string(100000, 'y');  // some of it reaches the disk
                                 throw UsageError("no such person");
                               }),
                  UsageError);
  CHECK(read(dir / "out.txt") == "old\n");
  CHECK(entries_in(dir.path) == 1);
}

TEST_CASE("write_output names a file in the current folder without a folder part") {
  TempDir dir("output");
  auto old = fs::current_path();
  fs::current_path(dir.path);
  write_output("plain.txt", [](std::ostream& out) { out << "here"; });
  fs::current_path(old);
  CHECK(read(dir / "plain.txt") == "here");
}
