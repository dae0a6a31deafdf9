#include "input.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "error.h"
#include "test_support.h"

using namespace outcomes;
using outcomes::testing::read_file;
using outcomes::testing::TempDir;
namespace fs = std::filesystem;

TEST_CASE("a regular file is read by its own name") {
  TempDir dir("input");
  { std::ofstream(dir / "rows.csv") << "person,date\n"; }
  RereadableInput input((dir / "rows.csv").string());
  CHECK_FALSE(input.copied());
  CHECK(input.path() == dir / "rows.csv");
}

TEST_CASE("a FIFO is copied once into a file no folder lists, and read as often as needed") {
  TempDir dir("input");
  TempDir spool("spool");
  testing::EnvSetting tmpdir("TMPDIR", spool.path.string());
  auto fifo = dir / "pipe";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const std::string rows = "person,date,kind\nP1,2026-01-05,enrol\n";
  std::thread writer([&] { std::ofstream(fifo) << rows; });
  {
    RereadableInput input(fifo.string());
    writer.join();
    CHECK(input.copied());
    CHECK(read_file(input.path()) == rows);
    CHECK(read_file(input.path()) == rows);  // a second reader starts from the beginning
    CHECK(fs::file_size(input.path()) == rows.size());
    struct stat st {};
    REQUIRE(::stat(input.path().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(fs::is_empty(spool.path));  // never visible while in use
  }
  CHECK(fs::is_empty(spool.path));
}

TEST_CASE("an input that is missing or a folder is refused by name") {
  TempDir dir("input");
  CHECK_THROWS_WITH_AS(RereadableInput((dir / "none.csv").string()),
                       ((dir / "none.csv").string() + ": no such file").c_str(), Error);
  CHECK_THROWS_WITH_AS(RereadableInput(dir.path.string()), doctest::Contains("is a folder"),
                       Error);
}
