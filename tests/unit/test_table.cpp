#include <doctest/doctest.h>

#include <string>

#include "error.h"
#include "table.h"

using namespace outcomes;

TEST_CASE("table names: 1 to 64 letters, digits, '_' and '-', never starting with '-'") {
  CHECK_NOTHROW(check_table_name("entries"));
  CHECK_NOTHROW(check_table_name("assessments_core-10"));
  CHECK_NOTHROW(check_table_name("_x"));
  CHECK_NOTHROW(check_table_name("x-"));
  CHECK_NOTHROW(check_table_name(std::string(64, 'a')));
  CHECK_THROWS_AS(check_table_name(std::string(65, 'a')), Error);
  CHECK_THROWS_AS(check_table_name(""), Error);
  CHECK_THROWS_AS(check_table_name("a.b"), Error);
  CHECK_THROWS_AS(check_table_name("a b"), Error);
  CHECK_THROWS_AS(check_table_name("caf\xc3\xa9"), Error);
  // A file name starting with '-' reads as an option to the programs it is given to.
  CHECK_THROWS_WITH_AS(check_table_name("-rf"), doctest::Contains("\"-rf\""), Error);
  CHECK_THROWS_WITH_AS(check_table_name("../escape"), doctest::Contains("\"../escape\""), Error);
}
