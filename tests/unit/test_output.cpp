#include "output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "error.h"
#include "test_support.h"

using namespace outcomes;
using outcomes::testing::read_file;
using outcomes::testing::TempDir;
namespace fs = std::filesystem;

namespace {

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
  CHECK(read_file(dir / "out.txt") == "hello\n");
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
  CHECK(read_file(dir / "out.txt") == big);
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
  CHECK(read_file(dir / "target.txt") == "precious\n");
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
  CHECK(read_file(dir / "out.txt") == "old\n");
  CHECK(entries_in(dir.path) == 1);
}

TEST_CASE("write_output names a file in the current folder without a folder part") {
  TempDir dir("output");
  auto old = fs::current_path();
  fs::current_path(dir.path);
  write_output("plain.txt", [](std::ostream& out) { out << "here"; });
  fs::current_path(old);
  CHECK(read_file(dir / "plain.txt") == "here");
}

namespace {
// Reads a FIFO to its end on a thread of its own (opening a FIFO for writing waits for a
// reader).
struct FifoReader {
  std::string got;
  std::thread thread;
  explicit FifoReader(const fs::path& fifo) : thread([this, fifo] { got = read_file(fifo); }) {}
  std::string finish() {
    thread.join();
    return got;
  }
};
}  // namespace

TEST_CASE("write_output writes into a FIFO in place and leaves it a FIFO") {
  TempDir dir("output");
  auto fifo = dir / "pipe";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  FifoReader reader(fifo);
  write_output(fifo, [](std::ostream& out) { out << "through the pipe\n"; });
  CHECK(reader.finish() == "through the pipe\n");
  CHECK(fs::is_fifo(fs::symlink_status(fifo)));
  CHECK(entries_in(dir.path) == 1);  // no temporary file beside it
}

TEST_CASE("write_output refuses a symbolic link to a FIFO and a FIFO of another user's") {
  TempDir dir("output");
  auto fifo = dir / "pipe";
  REQUIRE(::mkfifo(fifo.c_str(), 0666) == 0);
  fs::create_symlink(fifo, dir / "link");
  bool called = false;
  CHECK_THROWS_WITH_AS(write_output(dir / "link", [&](std::ostream&) { called = true; }),
                       doctest::Contains("is a symbolic link"), Error);
  CHECK(fs::is_symlink(dir / "link"));
  CHECK(fs::is_fifo(fs::symlink_status(fifo)));
  if (::geteuid() == 0) {
    // Only root can give a FIFO away to test the rule on ownership.
    REQUIRE(::chown(fifo.c_str(), 65534, 65534) == 0);
    CHECK_THROWS_WITH_AS(write_output(fifo, [&](std::ostream&) { called = true; }),
                         doctest::Contains("a FIFO that belongs to another user"), Error);
    CHECK(fs::is_fifo(fs::symlink_status(fifo)));
  }
  CHECK_FALSE(called);
}

TEST_CASE("write_output writes into a character device in place") {
  // A device like /dev/full takes the place of any device here: writing to it fails, so a
  // device written in place shows as ENOSPC, and one replaced would show as success. As
  // root, who could replace /dev/full itself were the rule broken, the test makes its own
  // node of the same device instead.
  struct stat full {};
  if (::stat("/dev/full", &full) != 0 || !S_ISCHR(full.st_mode)) {
    MESSAGE("SKIP: no /dev/full");
    return;
  }
  TempDir dir("output");
  fs::path device = "/dev/full";
  if (::geteuid() == 0) {
    device = dir / "full-device";
    if (::mknod(device.c_str(), S_IFCHR | 0600, full.st_rdev) != 0) {
      MESSAGE("SKIP: cannot make a device node");
      return;
    }
  }
  CHECK_THROWS_WITH_AS(write_output(device, [](std::ostream& out) { out << "x\n"; }),
                       ("--output: cannot write " + device.string() +
                        ": No space left on device").c_str(),
                       Error);
  CHECK(fs::is_character_file(fs::symlink_status(device)));
  CHECK(fs::is_character_file(fs::symlink_status(device)));
}

TEST_CASE("write_output writes /dev/fd/N to that open descriptor in place") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  write_output("/dev/fd/" + std::to_string(fds[1]), [](std::ostream& out) { out << "fd\n"; });
  ::close(fds[1]);
  char buffer[16] = {};
  CHECK(::read(fds[0], buffer, sizeof buffer) == 3);
  ::close(fds[0]);
  CHECK(std::string(buffer) == "fd\n");
}

TEST_CASE("write_output refuses a folder and a link to a folder") {
  TempDir dir("output");
  fs::create_directory(dir / "sub");
  CHECK_THROWS_WITH_AS(write_output(dir / "sub", [](std::ostream& out) { out << "x"; }),
                       doctest::Contains("is a folder"), Error);
  fs::create_directory_symlink(dir / "sub", dir / "link");
  CHECK_THROWS_WITH_AS(write_output(dir / "link", [](std::ostream& out) { out << "x"; }),
                       doctest::Contains("is a symbolic link"), Error);
  CHECK(fs::is_empty(dir / "sub"));
}

TEST_CASE("is_plain_folder: a folder itself, never a link to one") {
  TempDir dir("output");
  fs::create_directory(dir / "sub");
  fs::create_directory_symlink(dir / "sub", dir / "link");
  std::ofstream(dir / "file") << "x";
  CHECK(is_plain_folder(dir / "sub"));
  CHECK(is_plain_folder(dir.path.string() + "/sub/"));
  CHECK_FALSE(is_plain_folder(dir / "link"));
  CHECK_FALSE(is_plain_folder(dir.path.string() + "/link/"));
  CHECK_FALSE(is_plain_folder(dir.path.string() + "/link//"));
  CHECK_FALSE(is_plain_folder(dir / "file"));
  CHECK_FALSE(is_plain_folder(dir / "missing"));
}

TEST_CASE("make_output_folder: made owner-only, an existing folder kept, links refused") {
  TempDir dir("output");
  const mode_t old_mask = ::umask(0);
  make_output_folder(dir / "new");
  make_output_folder(dir.path.string() + "/slash/");
  ::umask(old_mask);
  CHECK(mode_of(dir / "new") == 0700);
  CHECK(mode_of(dir / "slash") == 0700);

  fs::create_directory(dir / "open");
  fs::permissions(dir / "open", fs::perms(0755));
  std::ofstream(dir / "open" / "kept") << "x";
  CHECK_NOTHROW(make_output_folder(dir / "open"));
  CHECK(mode_of(dir / "open") == 0755);
  CHECK(read_file(dir / "open" / "kept") == "x");

  fs::create_directory_symlink(dir / "open", dir / "link");
  CHECK_THROWS_WITH_AS(make_output_folder(dir / "link"),
                       doctest::Contains("is a symbolic link"), Error);
  CHECK_THROWS_WITH_AS(make_output_folder(dir.path.string() + "/link/"),
                       doctest::Contains("is a symbolic link"), Error);
  fs::create_directory_symlink(dir / "nowhere", dir / "dangling");
  CHECK_THROWS_WITH_AS(make_output_folder(dir / "dangling"),
                       doctest::Contains("is a symbolic link"), Error);
  CHECK_FALSE(fs::exists(dir / "nowhere"));

  std::ofstream(dir / "file") << "x";
  const std::string not_folder = (dir / "file").string() + " is not a folder";
  CHECK_THROWS_WITH_AS(make_output_folder(dir / "file"), doctest::Contains(not_folder.c_str()),
                       Error);
  CHECK_THROWS_WITH_AS(make_output_folder(dir / "missing" / "deeper"),
                       doctest::Contains("--output: cannot create the folder"), Error);
}

TEST_CASE("write_to_descriptor names the output and the cause of a failed write") {
  int fd = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    MESSAGE("SKIP: no /dev/full");
    return;
  }
  CHECK_THROWS_WITH_AS(
      write_to_descriptor(fd, "standard output", [](std::ostream& out) { out << "x\n"; }),
      "cannot write standard output: No space left on device", Error);
  ::close(fd);
}

TEST_CASE("while an output is written no file for it is seen in its folder") {
  TempDir dir("output");
  int probe = create_unnamed_file(dir.path);
  if (probe < 0) {
    MESSAGE("SKIP: the temporary folder's file system has no unnamed files");
    return;
  }
  ::close(probe);
  int seen = -1;
  write_output(dir / "out.txt", [&](std::ostream& out) {
    out << std::string(200000, 'z') << std::flush;
    seen = entries_in(dir.path);  // a process killed now would leave this behind
  });
  CHECK(seen == 0);
  CHECK(entries_in(dir.path) == 1);
  CHECK(read_file(dir / "out.txt").size() == 200000);
  CHECK(mode_of(dir / "out.txt") == 0600);
}

TEST_CASE("ScratchFile::read_exactly gives the bytes appended and names data that ends early") {
  TempDir dir("output");
  ScratchFile file("the test pieces", dir.path);
  // A piece: its size, then fewer bytes than that size promises, as a file cut short holds.
  const std::uint32_t promised = 10;
  file.append(&promised, sizeof promised);
  file.append("abcd", 4);
  file.rewind();
  std::uint32_t size = 0;
  REQUIRE(file.read(&size, sizeof size));
  CHECK(size == promised);
  char body[10] = {};
  CHECK_THROWS_WITH_AS(file.read_exactly(body, size),
                       "cannot read the temporary copy of the test pieces: it ends early", Error);
}

TEST_CASE("ScratchFile reads across its blocks; only read stops quietly at a clean end") {
  TempDir dir("output");
  ScratchFile file("the test pieces", dir.path);
  std::string written(150000, '\0');
  for (std::size_t i = 0; i < written.size(); ++i) written[i] = static_cast<char>(i * 7 + i / 251);
  file.append(written.data(), written.size());
  file.rewind();
  std::string back(written.size(), '\0');
  file.read_exactly(back.data(), 100);
  file.read_exactly(back.data() + 100, back.size() - 100);  // crosses the read blocks
  CHECK(back == written);
  file.read_exactly(back.data(), 0);
  char byte = 0;
  CHECK_FALSE(file.read(&byte, 1));
  CHECK_THROWS_WITH_AS(file.read_exactly(&byte, 1),
                       "cannot read the temporary copy of the test pieces: it ends early", Error);
}

TEST_CASE("ScratchFile::read refuses a piece the file ends inside") {
  TempDir dir("output");
  ScratchFile file("the test pieces", dir.path);
  file.append("abcdef", 6);
  file.rewind();
  char piece[4] = {};
  REQUIRE(file.read(piece, 4));
  CHECK(std::string(piece, 4) == "abcd");
  CHECK_THROWS_WITH_AS(file.read(piece, 4),
                       "cannot read the temporary copy of the test pieces: it ends early", Error);
}
