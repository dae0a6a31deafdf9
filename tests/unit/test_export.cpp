#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "error.h"
#include "export.h"
#include "hash.h"
#include "test_support.h"

using namespace outcomes;
namespace fs = std::filesystem;

namespace {

using outcomes::testing::TempDir;

using outcomes::testing::make;

const std::string kWhen = "2026-11-15T00:00:00Z";

// A small store: two people, a need with text, a scale item, a note, a correction.
struct Fixture {
  TempDir dir;
  std::unique_ptr<JourneyStore> owned_store = create_store(dir.path / "outcomes.db");
  JourneyStore& store = *owned_store;
  std::string secret;
  Fixture() {
    secret = *store.setting("pseudonym_secret");
    auto tx = store.begin();
    auto enrol = make("P2", "2026-01-05", EntryKind::Enrol);
    enrol.text = "Referred by outreach";
    enrol.by = "amira";
    enrol.ref = "j1";
    tx->append(enrol, kWhen);  // 1
    auto need = make("P2", "2026-01-06", EntryKind::Need);
    need.framework = "supporting-people";
    need.framework_hash = "h";
    need.measure = "managing_money";
    need.status = "open";
    need.text = "No bank account, \"urgent\"";
    tx->append(need, kWhen);  // 2
    auto item = make("P2", "2026-02-01", EntryKind::Assessment);
    item.framework = "ndt";
    item.framework_hash = "n";
    item.measure = "housing";
    item.value = 2;
    tx->append(item, kWhen);                                        // 3
    tx->append(make("A1", "2026-01-10", EntryKind::Enrol), kWhen);  // 4
    auto note = make("A1", "2026-01-11", EntryKind::Note);
    note.status = "shareable";
    note.text = "Line one\nline two";
    tx->append(note, kWhen);  // 5
    auto fix = item;
    fix.value = 3;
    fix.supersedes = 3;
    fix.reason = "typo";
    tx->append(fix, kWhen);  // 6
    auto met = need;
    met.date = *parse_date("2026-03-01");
    met.status = "met";
    met.text = "  No bank account, \"urgent\"";
    tx->append(met, kWhen);  // 7
    tx->commit();
  }
  std::string run(const ExportOptions& options) {
    std::ostringstream out;
    export_entries(store, options, out);
    return out.str();
  }
};

}  // namespace

TEST_CASE("pseudonyms are stable under one secret and differ under another") {
  auto a = person_pseudonym("secret-one", "P017");
  CHECK(a == person_pseudonym("secret-one", "P017"));
  CHECK(a.size() == 18);
  CHECK(a.rfind("p-", 0) == 0);
  CHECK(a != person_pseudonym("secret-two", "P017"));
  CHECK(a != person_pseudonym("secret-one", "P018"));
  CHECK(a == "p-" + hmac_sha256_hex("secret-one", "person:P017").substr(0, 16));
  // The value the pseudonym has always had (HMAC-SHA-256 worked out independently).
  CHECK(a == "p-55c658c8f383d72a");
}

TEST_CASE("an identified export with text is the long format, in journey order") {
  Fixture f;
  ExportOptions options;
  options.identify = true;
  options.include_text = true;
  CHECK(f.run(options) ==
        "person,date,kind,framework,measure,value,status,text,by,ref\n"
        "A1,2026-01-10,enrol,,,,,,,\n"
        "A1,2026-01-11,note,,,,shareable,\"Line one\nline two\",,\n"
        "P2,2026-01-05,enrol,,,,,Referred by outreach,amira,j1\n"
        "P2,2026-01-06,need,supporting-people,managing_money,,open,"
        "\"No bank account, \"\"urgent\"\"\",,\n"
        "P2,2026-02-01,assessment,ndt,housing,3,,,,\n"
        "P2,2026-03-01,need,supporting-people,managing_money,,met,"
        "\"  No bank account, \"\"urgent\"\"\",,\n");
}

TEST_CASE("the default export is pseudonymised and leaves free text out") {
  Fixture f;
  auto p2 = person_pseudonym(f.secret, "P2");
  auto a1 = person_pseudonym(f.secret, "A1");
  auto need =
      "withheld-" + hmac_sha256_hex(f.secret, "need:P2\nNo bank account, \"urgent\"").substr(0, 12);
  auto ref = "r-" + hmac_sha256_hex(f.secret, "ref:j1").substr(0, 16);
  std::string p2_rows = p2 + ",2026-01-05,enrol,,,,,,," + ref + "\n" + p2 +
                        ",2026-01-06,need,supporting-people,managing_money,,open," + need + ",,\n" +
                        p2 + ",2026-02-01,assessment,ndt,housing,3,,,,\n" + p2 +
                        ",2026-03-01,need,supporting-people,managing_money,,met," + need + ",,\n";
  std::string a1_rows =
      a1 + ",2026-01-10,enrol,,,,,,,\n" + a1 + ",2026-01-11,note,,,,shareable,withheld,,\n";
  std::string header = "person,date,kind,framework,measure,value,status,text,by,ref\n";
  // Ordered by pseudonym, not by reference.
  CHECK(f.run({}) == header + (a1 < p2 ? a1_rows + p2_rows : p2_rows + a1_rows));
  auto text = f.run({});
  CHECK(text.find("P2") == std::string::npos);
  CHECK(text.find("amira") == std::string::npos);
  CHECK(text.find("bank") == std::string::npos);
}

TEST_CASE("filters: dates, people and frameworks") {
  Fixture f;
  ExportOptions options;
  options.identify = true;
  options.from = parse_date("2026-01-06");
  options.to = parse_date("2026-02-01");
  options.people = {"P2"};
  CHECK(f.run(options) ==
        "person,date,kind,framework,measure,value,status,text,by,ref\n"
        "P2,2026-01-06,need,supporting-people,managing_money,,open,withheld-" +
            hmac_sha256_hex(f.secret, "need:P2\nNo bank account, \"urgent\"").substr(0, 12) +
            ",,\n"
            "P2,2026-02-01,assessment,ndt,housing,3,,,,\n");
  ExportOptions fw;
  fw.identify = true;
  fw.frameworks = {"ndt"};
  fw.people = {"P2"};
  CHECK(f.run(fw) ==
        "person,date,kind,framework,measure,value,status,text,by,ref\n"
        "P2,2026-01-05,enrol,,,,,,amira,j1\n"
        "P2,2026-02-01,assessment,ndt,housing,3,,,,\n");

  ExportOptions bad;
  bad.frameworks = {"ndd"};
  CHECK_THROWS_WITH_AS(
      f.run(bad), doctest::Contains("unknown framework 'ndd' (did you mean 'ndt'?)"), UsageError);
  ExportOptions nobody;
  nobody.people = {"P3"};
  CHECK_THROWS_WITH_AS(f.run(nobody),
                       doctest::Contains("no entries for 'P3' in the store (did you mean 'P2'?)"),
                       UsageError);
  ExportOptions backwards;
  backwards.from = parse_date("2026-02-01");
  backwards.to = parse_date("2026-01-01");
  CHECK_THROWS_AS(f.run(backwards), UsageError);
}

TEST_CASE("audit exports include superseded entries with id, supersedes and reason") {
  Fixture f;
  ExportOptions options;
  options.identify = true;
  options.audit = true;
  options.include_text = true;
  options.people = {"P2"};
  options.from = parse_date("2026-02-01");
  options.to = parse_date("2026-02-01");
  CHECK(f.run(options) ==
        "person,date,kind,framework,measure,value,status,text,by,ref,id,supersedes,reason\n"
        "P2,2026-02-01,assessment,ndt,housing,2,,,,,3,,\n"
        "P2,2026-02-01,assessment,ndt,housing,3,,,,,6,3,typo\n");
}

TEST_CASE("JSONL rows carry the same keys, numbers as numbers and empty cells as null") {
  Fixture f;
  ExportOptions options;
  options.identify = true;
  options.include_text = true;
  options.format = ExportFormat::Jsonl;
  options.people = {"A1", "P2"};
  options.to = parse_date("2026-01-11");
  CHECK(
      f.run(options) ==
      R"({"person":"A1","date":"2026-01-10","kind":"enrol","framework":null,"measure":null,"value":null,"status":null,"text":null,"by":null,"ref":null}
{"person":"A1","date":"2026-01-11","kind":"note","framework":null,"measure":null,"value":null,"status":"shareable","text":"Line one\nline two","by":null,"ref":null}
{"person":"P2","date":"2026-01-05","kind":"enrol","framework":null,"measure":null,"value":null,"status":null,"text":"Referred by outreach","by":"amira","ref":"j1"}
{"person":"P2","date":"2026-01-06","kind":"need","framework":"supporting-people","measure":"managing_money","value":null,"status":"open","text":"No bank account, \"urgent\"","by":null,"ref":null}
)");
  options.from = parse_date("2026-02-01");
  options.to.reset();
  options.people = {"P2"};
  auto line = f.run(options);
  auto row = nlohmann::json::parse(line.substr(0, line.find('\n')));
  CHECK(row["value"] == 3);
}

TEST_CASE("JSONL strings are written exactly as nlohmann::json writes them") {
  TempDir dir;
  std::unique_ptr<JourneyStore> owned_store = create_store(dir.path / "outcomes.db");
  JourneyStore& store = *owned_store;
  const std::vector<std::string> texts = {
      "plain words, 42 of them",
      "a \"quote\" and a back\\slash",
      std::string("tab\tbell\x07nul") + '\0' + "end",
      "delete \x7f stays",
      "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x99\x82",  // é, an em dash, an emoji
      "broken \xc3 utf-8 \xff",
      "/slashes/ and {braces}"};
  {
    auto tx = store.begin();
    tx->append(make("P1", "2026-01-05", EntryKind::Enrol), kWhen);
    for (const auto& text : texts) {
      auto note = make("P1", "2026-01-06", EntryKind::Note);
      note.status = "shareable";
      note.text = text;
      note.by = text;
      tx->append(note, kWhen);
    }
    tx->commit();
  }
  ExportOptions options;
  options.identify = true;
  options.include_text = true;
  options.format = ExportFormat::Jsonl;
  std::ostringstream out;
  export_entries(store, options, out);
  std::istringstream lines(out.str());
  std::string line;
  std::getline(lines, line);  // the enrolment
  for (const auto& text : texts) {
    REQUIRE(std::getline(lines, line));
    nlohmann::ordered_json row;
    row["person"] = "P1";
    row["date"] = "2026-01-06";
    row["kind"] = "note";
    row["framework"] = nullptr;
    row["measure"] = nullptr;
    row["value"] = nullptr;
    row["status"] = "shareable";
    row["text"] = text;
    row["by"] = text;
    row["ref"] = nullptr;
    CHECK(line == row.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
}

TEST_CASE("export to a file is owner-only and complete") {
  Fixture f;
  auto file = f.dir.path / "out.csv";
  { std::ofstream(file) << "old"; }
  ExportOptions options;
  options.identify = true;
  auto summary = export_entries_to_file(f.store, options, file);
  CHECK(summary.entries == 6);
  CHECK(summary.people == 2);
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  std::ifstream in(file);
  std::string first;
  std::getline(in, first);
  CHECK(first == "person,date,kind,framework,measure,value,status,text,by,ref");
  // A failed export leaves the old file and no temporary file behind.
  ExportOptions bad;
  bad.people = {"nobody"};
  CHECK_THROWS_AS(export_entries_to_file(f.store, bad, file), UsageError);
  int files = 0;
  for (auto& e : fs::directory_iterator(f.dir.path))
    if (e.path().filename().string().rfind("out.csv", 0) == 0) ++files;
  CHECK(files == 1);
}

TEST_CASE("a private note's text never leaves, even with --include-text") {
  Entry note;
  note.kind = EntryKind::Note;
  note.status = "private";
  note.text = "disclosed in confidence";
  CHECK_FALSE(text_leaves(note, true));
  CHECK_FALSE(text_leaves(note, false));
  note.status = "shareable";
  CHECK(text_leaves(note, true));
  CHECK_FALSE(text_leaves(note, false));

  Fixture f;
  {
    auto tx = f.store.begin();
    auto secret_note = make("A1", "2026-01-12", EntryKind::Note);
    secret_note.status = "private";
    secret_note.text = "disclosed in confidence";
    tx->append(secret_note, kWhen);
    tx->commit();
  }
  ExportOptions options;
  options.identify = true;
  options.include_text = true;
  std::ostringstream out;
  auto summary = export_entries(f.store, options, out);
  CHECK(summary.entries == 7);  // the entry is kept, so counts still agree
  CHECK(out.str().find("disclosed") == std::string::npos);
  CHECK(out.str().find("A1,2026-01-12,note,,,,private,withheld,") != std::string::npos);
}

TEST_CASE("a shared key file: owner-only, at least 16 bytes, one trailing newline dropped") {
  TempDir dir;
  auto write = [&](const std::string& name, const std::string& bytes, mode_t mode) {
    auto file = dir.path / name;
    { std::ofstream(file, std::ios::binary) << bytes; }
    ::chmod(file.c_str(), mode);
    return file;
  };
  CHECK(read_key_file(write("k", "0123456789abcdef\n", 0600)) == "0123456789abcdef");
  CHECK(read_key_file(write("crlf", "0123456789abcdef\r\n", 0400)) == "0123456789abcdef");
  CHECK(read_key_file(write("two", "0123456789abcdef\n\n", 0600)) == "0123456789abcdef\n");
  CHECK_THROWS_AS(read_key_file(write("short", "0123456789abcde\n", 0600)), UsageError);
  CHECK_THROWS_AS(read_key_file(write("empty", "", 0600)), UsageError);
  CHECK_THROWS_AS(read_key_file(write("group", "0123456789abcdef", 0640)), UsageError);
  CHECK_THROWS_AS(read_key_file(write("other", "0123456789abcdef", 0604)), UsageError);
  CHECK_THROWS_AS(read_key_file(dir.path / "missing"), UsageError);
  CHECK_THROWS_AS(read_key_file(dir.path), UsageError);

  // The key replaces the workspace's secret.
  Fixture f;
  ExportOptions options;
  CHECK(export_key(f.store, options) == f.secret);
  options.key = "0123456789abcdef";
  CHECK(export_key(f.store, options) == "0123456789abcdef");
}
