// Recording journey entries: one entry from flags, a batch import of long CSV, JSONL or
// wide CSV, and corrections — every fact validated before anything is written.
//
// Validation covers each row on its own (dates, person references, kinds, ids of
// frameworks, measures, items and statuses, values, required and unused columns) and
// each person's timeline in date order, merged with what the store already holds
// (enrolment before other entries, episodes, needs, milestones, goals, one score per
// item and occasion). Every problem found is listed; nothing is written unless all pass.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "date.h"
#include "entry.h"
#include "hash.h"
#include "store.h"
#include "workspace.h"

namespace outcomes {

// The columns of the long entries CSV, in the order export writes them.
enum class Field { Person, Date, Kind, Framework, Measure, Value, Status, Text, By, Ref };
inline constexpr int kFieldCount = 10;
// "person", "date", … as written in the CSV header and JSONL keys.
std::string_view to_string(Field field);

// True when entries of `kind` name a framework (assessment, status, need, …; not a contact).
bool kind_names_framework(EntryKind kind);

// True when `ref` is a valid person reference: 1-64 letters, digits, '-', '_' or '.'.
bool valid_person_ref(std::string_view ref);

enum class InputFormat { Csv, Jsonl };
// The format a file name suggests: .jsonl / .ndjson / .json → Jsonl, otherwise Csv.
InputFormat input_format_for(const std::filesystem::path& file);

// Called now and then during an import (for a progress display).
struct ImportProgress {
  enum class Phase { Checking, Writing } phase = Phase::Checking;
  std::uint64_t rows = 0;   // rows done in this phase
  std::uint64_t total = 0;  // rows in the file; 0 while unknown
};

struct ImportOptions {
  std::filesystem::path file;  // the file to read (a spooled copy when reading stdin)
  std::string source;          // the name used in messages and the batch record
  InputFormat format = InputFormat::Csv;
  bool wide = false;              // person,date,<item ids>… for one framework
  std::string framework;          // the framework of a wide file
  DateOrder date_order = DateOrder::Iso;  // how the file writes its dates
  char delimiter = 0;  // of a CSV file: ',', ';' or '\t'; 0 = judged from the header
  bool dry_run = false;           // validate only
  Date today;                     // no entry may be dated after it
  std::string recorded_at;        // UTC timestamp stamped on the written entries
  std::size_t max_problems = 50;  // problems listed before "… and N more"
  std::function<void(const ImportProgress&)> progress;
};

struct ImportResult {
  std::uint64_t rows = 0;     // data rows read (entries, for a wide file)
  std::uint64_t added = 0;    // entries written (or that would be, on a dry run)
  std::uint64_t skipped = 0;  // rows whose ref was already stored
  // Rows without a ref whose content a stored current entry already holds (each stored
  // entry matching one row).
  std::uint64_t already_stored = 0;
  std::int64_t batch = 0;     // the import batch written; 0 when nothing was written
  // Set when a file with the same content was imported before (nothing was read).
  std::optional<ImportBatch> already_imported;
  bool dry_run = false;
};

// Validates a whole file and, when every row is valid, appends its entries in one
// transaction as one import batch. Throws InvalidInput listing the problems (each
// "file:row:column: column: message") when any row is invalid; nothing is written then.
ImportResult import_entries(const Workspace& workspace, JourneyStore& store,
                            const ImportOptions& options);
// The one-line summary of an import, e.g. "entries.csv: 1200 rows added, 3 skipped (ref
// already stored), 40 rows already stored (same content)".
std::string import_summary(const std::string& source, const ImportResult& result);

// The digest of a file's bytes that tells an import it was imported before: SHA-256 as 64
// lowercase hex digits, fed in pieces.
class ContentDigest {
 public:
  // Adds the next bytes of the file.
  void update(std::string_view bytes);
  // The digest of every byte so far.
  std::string hex() const;

 private:
  Sha256 sha_;
};

// An entry as typed on the command line: every field as text ("" when not given) and
// the option names to use in messages.
struct EntryInput {
  std::string fields[kFieldCount];
  std::string labels[kFieldCount];  // e.g. "--status"; "" = the field's own name
};

struct RecordOptions {
  Date today;
  std::string recorded_at;
};

// An assessment occasion that holds fewer items than its framework's scoring needs, so
// that no score comes of it until the others are recorded for the same date.
struct IncompleteOccasion {
  std::string person;
  Date date;
  std::string framework;
  std::size_t items_given = 0;  // distinct items of the occasion, stored ones included
  std::size_t items = 0;        // items of the framework
};

struct RecordResult {
  std::vector<std::int64_t> ids;  // the entries written, in order
  bool skipped = false;           // the ref was already stored; nothing written
  std::optional<IncompleteOccasion> incomplete;  // set when an assessment left it so
};

// Validates and appends entries given on the command line (several entries form one
// assessment occasion) in one transaction. Throws InvalidInput on any problem.
RecordResult record_entries(const Workspace& workspace, JourneyStore& store,
                            const std::vector<EntryInput>& entries, const RecordOptions& options);

// A correction: the entry it supersedes, why, and the fields that change (the others are
// copied from the old entry).
struct CorrectionInput {
  std::int64_t entry = 0;
  std::string reason;
  std::optional<std::string> fields[kFieldCount];
  std::string labels[kFieldCount];
};

// Appends a new entry superseding `input.entry`, validated against the person's
// corrected timeline. UsageError when the entry does not exist or was already corrected;
// InvalidInput when the corrected entry is not valid. Returns the new entry's id.
std::int64_t record_correction(const Workspace& workspace, JourneyStore& store,
                               const CorrectionInput& input, const RecordOptions& options);

}  // namespace outcomes
