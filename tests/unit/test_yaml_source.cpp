#include "yaml_source.h"

#include <doctest/doctest.h>

#include <fstream>

#include "test_support.h"
#include "text.h"

using namespace outcomes;

namespace {
std::vector<YamlProblem> problems_of(const std::string& text) {
  std::vector<YamlProblem> problems;
  YAML::Node root = load_yaml_document(text, problems);
  if (!problems.empty()) CHECK(root.IsNull());
  return problems;
}
}  // namespace

TEST_CASE("load_yaml_document reads one clean document") {
  std::vector<YamlProblem> problems;
  auto root = load_yaml_document("a: 1\nb: \"two\"  # note\nc:\n  - x\n", problems);
  CHECK(problems.empty());
  CHECK(root["b"].Scalar() == "two");
}

TEST_CASE("load_yaml_document refuses what yaml-cpp would tolerate, with the line") {
  auto second = problems_of("a: 1\n---\nb: 2\n");
  REQUIRE(second.size() == 1);
  CHECK(second[0].line == 3);
  CHECK(second[0].column == 1);
  CHECK(second[0].message.find("a second YAML document") != std::string::npos);

  auto swallowed = problems_of("a: \"open\nsmall_number_threshold: 5\n");
  REQUIRE(swallowed.size() == 1);
  CHECK(swallowed[0].line == 2);
  CHECK(swallowed[0].message.find("'small_number_threshold' was not read as a key") == 0);

  CHECK(problems_of("a: 1\n---\n").empty());  // an empty second document is harmless
  // The second document is found after an end marker, and after a first marker too.
  auto after_end = problems_of("a: 1\n...\nb: 2\n");
  REQUIRE(after_end.size() == 1);
  CHECK(after_end[0].message.find("a second YAML document") != std::string::npos);
  auto both = problems_of("--- \na: 1\n--- \nb: 2\n");
  REQUIRE(both.size() == 1);
  CHECK(both[0].line == 4);
  // Dashes and dots that do not start a line mark nothing.
  CHECK(problems_of("a: x---\nb: \"...\"\n").empty());
  // Keys given twice are the parsers' own problem, reported with their paths.
  CHECK(problems_of("a: 1\nb: 2\na: 3\n").empty());

  auto control = problems_of("id: a\x01" "b\n");
  REQUIRE(control.size() == 1);
  CHECK(control[0].line == 1);
  CHECK(control[0].column == 6);
  CHECK(control[0].message.find("(\\x01 at byte 6)") != std::string::npos);

  auto utf = problems_of("id: ok\nname: caf\xe9\n");
  REQUIRE(utf.size() == 1);
  CHECK(utf[0].line == 2);

  auto big = problems_of("a: " + std::string(text::kMaxYamlBytes, 'x') + "\n");
  REQUIRE(big.size() == 1);
  CHECK(big[0].line == 0);
  CHECK(big[0].message == "the file is over 1048576 bytes (the limit of a YAML file)");
}

TEST_CASE("read_yaml_file reads no more than one byte over the limit") {
  outcomes::testing::TempDir t;
  std::ofstream(t.path / "big.yaml") << std::string(3 * text::kMaxYamlBytes, 'x');
  std::string error;
  auto bytes = read_yaml_file(t.path / "big.yaml", error);
  REQUIRE(bytes);
  CHECK(bytes->size() == text::kMaxYamlBytes + 1);
  CHECK_FALSE(read_yaml_file(t.path / "none.yaml", error));
  CHECK(error == "no such file");
}

TEST_CASE("indentation_hint names a line indented out of step with the lines above it") {
  SUBCASE("a key indented one deeper than its sibling") {
    const std::string text =
        "id: x\ndomains:\n  - id: d\n    name: D\n     measures: []\n";
    CHECK(indentation_hint(text, 5) ==
          "; line 5 is indented to column 6, out of step with the lines above it (which start "
          "at column 1, 3, 5): YAML nests by indentation, so check that it lines up with the "
          "keys it belongs with");
  }
  SUBCASE("a key taken back to a column no enclosing line starts at") {
    const std::string text = "a:\n    b: 1\n  c: 2\n";
    CHECK(indentation_hint(text, 3).find("line 3 is indented to column 3") != std::string::npos);
  }
  SUBCASE("no hint when the lines line up, or the odd line is far above the error") {
    CHECK(indentation_hint("id: x\nname: [Demo\nversion: \"1\"\n", 3).empty());
    CHECK(indentation_hint("a:\n  b: 1\n  c:\n    - d\n    - e\n", 5).empty());
    CHECK(indentation_hint("a:\n  b: |\n      text\n   more\n  c: 1\n", 5).empty());
    CHECK(indentation_hint("a: 1\n b: 2\nc: 3\nd: 4\ne: 5\nf: 6\ng: 7\n", 7).empty());
  }
}
