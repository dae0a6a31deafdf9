// Single entries from the command line and corrections; the field names and person
// references shared with the import. The import itself is in record_import.cpp, the
// checks of a row in record_rules.cpp and of a timeline in record_timeline.cpp.
#include "record.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "forget.h"
#include "record_internal.h"

namespace outcomes {

using namespace record_detail;

std::string_view to_string(Field field) {
  return kFieldNames[idx(field)];
}

bool valid_person_ref(std::string_view ref) {
  if (ref.empty() || ref.size() > 64) return false;
  for (char c : ref)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_' || c == '.'))
      return false;
  return true;
}

InputFormat input_format_for(const std::filesystem::path& file) {
  auto ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (ext == ".jsonl" || ext == ".ndjson" || ext == ".json") return InputFormat::Jsonl;
  return InputFormat::Csv;
}

void ContentDigest::update(std::string_view bytes) {
  sha_.update(bytes);
}

std::string ContentDigest::hex() const {
  return sha_.hex();
}

// ---------------------------------------------------------------------------------------
// Entries from the command line, and corrections.

namespace {

RawRow row_from_input(const std::string (&fields)[kFieldCount],
                      const std::string (&labels)[kFieldCount], std::uint64_t index) {
  RawRow row;
  row.line = index;
  for (std::size_t f = 0; f < kFieldCount; ++f) {
    row.value[f] = fields[f];
    if (!labels[f].empty()) row.label[f] = labels[f];
  }
  return row;
}

// What check_and_write is asked to write, besides the rows.
struct WriteRequest {
  Date today;
  std::string recorded_at;
  std::int64_t supersedes = 0;  // the entry a correction replaces; 0 for new entries
  std::string reason;           // why, for a correction
  std::string previous_person;  // a corrected entry's person, whose timeline is checked too
  bool skip_stored_ref = false;  // write nothing when the first entry's ref is stored
};

struct WriteOutcome {
  std::vector<std::int64_t> ids;  // the entries written, in order
  bool skipped = false;           // the first entry's ref was stored; nothing written
  std::optional<IncompleteOccasion> incomplete;
};

// The occasion of the new assessment `added` when, with the items stored for the same
// person, date and framework, it still lacks more items than the framework's scoring lets
// a score be made without; nullopt when it is complete enough.
std::optional<IncompleteOccasion> incomplete_occasion(const Checker& checker,
                                                      const std::vector<Fact>& facts,
                                                      const Fact& added, const NewEntry& entry) {
  const Framework* fw = checker.framework_at(key_framework(added.key));
  if (!fw) return std::nullopt;
  std::set<std::uint32_t> measures;
  for (const Fact& f : facts)
    if (f.person == added.person && f.date == added.date &&
        static_cast<EntryKind>(f.kind) == EntryKind::Assessment &&
        key_framework(f.key) == key_framework(added.key))
      measures.insert(key_measure(f.key));
  const std::size_t items = fw->items().size();
  const std::size_t allowed = fw->scoring.missing == MissingRule::Prorate
                                  ? static_cast<std::size_t>(fw->scoring.prorate_max_missing)
                                  : 0;
  if (measures.size() + allowed >= items) return std::nullopt;
  return IncompleteOccasion{entry.person, entry.date, fw->id, measures.size(), items};
}

// The brief list of stored entries with an empty slot at the replaced entry's order, so
// that stored facts (numbered around it) still find their entry by position.
std::vector<StoredBrief> with_replaced_slot(std::vector<StoredBrief> brief,
                                            std::int64_t replaced_order) {
  std::vector<StoredBrief> renumbered;
  renumbered.reserve(brief.size() + 1);
  for (std::size_t i = 0; i < brief.size(); ++i) {
    if (static_cast<std::int64_t>(i) == replaced_order) renumbered.emplace_back();
    renumbered.push_back(std::move(brief[i]));
  }
  return renumbered;
}

// Validates new rows against the stored timelines of their people and writes them in
// `tx`, a write begun before anything was read: the checks read the store as this write
// will change it, with no other write in between.
WriteOutcome check_and_write(const Workspace& ws, JourneyStore& store, StoreTransaction& tx,
                             const std::vector<RawRow>& rows, const WriteRequest& request) {
  Problems problems;
  Checker checker(ws, request.today, "", problems);
  checker.refuse_people(refuse_erased_people(store));
  if (!request.previous_person.empty())
    checker.also_check(checker.person_index(request.previous_person));
  std::vector<Fact> facts;
  std::vector<NewEntry> entries(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    Fact fact;
    if (checker.check(rows[i], fact, &entries[i])) {
      fact.order = kNewOrder + static_cast<std::uint32_t>(i);
      facts.push_back(fact);
    }
  }
  WriteOutcome outcome;
  if (problems.empty() && request.skip_stored_ref && !entries.empty() &&
      !entries.front().ref.empty() && store.has_ref(entries.front().ref)) {
    outcome.skipped = true;
    return outcome;
  }
  const std::int64_t supersedes = request.supersedes;
  StoredFacts stored =
      load_stored_facts(store, checker, checker.people_without_problems(), supersedes, facts);
  if (supersedes != 0 && stored.without_order >= 0) {
    // A correction keeps the place of the entry it corrects among entries of one date.
    for (auto& f : facts)
      if (f.origin == Origin::New) f.order = static_cast<std::uint32_t>(stored.without_order);
    stored.brief = with_replaced_slot(std::move(stored.brief), stored.without_order);
  }
  checker.check_timelines(
      facts,
      [&](const Fact& f, Field field) {
        std::size_t i = supersedes != 0 ? 0 : f.order - kNewOrder;
        return where("", rows[i], field);
      },
      stored_describer(stored.brief, checker));
  problems.throw_if_any(supersedes         ? "this correction"
                        : rows.size() == 1 ? "this entry"
                                           : "these entries",
                        50, "nothing was written");

  if (supersedes == 0 && !facts.empty() && !entries.empty() &&
      entries.front().kind == EntryKind::Assessment) {
    const auto added = std::find_if(facts.begin(), facts.end(),
                                    [](const Fact& f) { return f.origin == Origin::New; });
    if (added != facts.end())
      outcome.incomplete = incomplete_occasion(checker, facts, *added, entries.front());
  }
  for (auto& e : entries) {
    e.supersedes = supersedes;
    e.reason = request.reason;
    outcome.ids.push_back(tx.append(e, request.recorded_at));
  }
  tx.commit();
  return outcome;
}

}  // namespace

RecordResult record_entries(const Workspace& workspace, JourneyStore& store,
                            const std::vector<EntryInput>& entries, const RecordOptions& options) {
  if (entries.empty()) throw UsageError("nothing to record");
  std::vector<RawRow> rows;
  for (std::size_t i = 0; i < entries.size(); ++i)
    rows.push_back(row_from_input(entries[i].fields, entries[i].labels, i));
  std::set<std::string> refs;
  for (const auto& e : entries) {
    const std::string& ref = e.fields[idx(Field::Ref)];
    if (!ref.empty() && !refs.insert(ref).second)
      throw UsageError(
          fmt::format("--ref '{}' would name several entries; give each entry its "
                      "own ref",
                      ref));
  }
  WriteRequest request;
  request.today = options.today;
  request.recorded_at = options.recorded_at;
  request.skip_stored_ref = true;
  auto tx = store.begin();
  WriteOutcome outcome = check_and_write(workspace, store, *tx, rows, request);
  RecordResult result;
  result.ids = std::move(outcome.ids);
  result.skipped = outcome.skipped;
  result.incomplete = std::move(outcome.incomplete);
  return result;
}

std::int64_t record_correction(const Workspace& workspace, JourneyStore& store,
                               const CorrectionInput& input, const RecordOptions& options) {
  if (trim(input.reason).empty())
    throw UsageError("--reason: a correction needs a reason, e.g. --reason \"wrong date\"");
  if (auto why = text::value_problem(trim(input.reason), text::Controls::LineBreaks))
    throw InvalidInput("--reason: " + *why);
  // Begun first, so that the entry, its corrections and the refs are read as they are
  // when the correction is written.
  auto tx = store.begin();
  auto old = store.entry(input.entry);
  if (!old) throw UsageError(fmt::format("--correct: there is no entry {}", input.entry));
  if (old->superseded) {
    std::int64_t by = 0;
    EntryQuery query;
    query.people = std::vector<std::string>{old->person};
    query.include_superseded = true;
    store.for_each_entry(query, [&](const Entry& e) {
      if (e.supersedes == input.entry) by = e.id;
    });
    throw UsageError(
        fmt::format("--correct: entry {} was already corrected{}; correct the "
                    "current version instead",
                    input.entry, by ? fmt::format(" by entry {}", by) : ""));
  }

  std::string fields[kFieldCount];
  fields[idx(Field::Person)] = old->person;
  fields[idx(Field::Date)] = format_date(old->date);
  fields[idx(Field::Kind)] = std::string(to_string(old->kind));
  fields[idx(Field::Framework)] = old->framework;
  fields[idx(Field::Measure)] = old->measure;
  fields[idx(Field::Value)] = old->value ? std::to_string(*old->value) : "";
  fields[idx(Field::Status)] = old->status;
  fields[idx(Field::Text)] = old->text;
  fields[idx(Field::By)] = old->by;
  for (std::size_t f = 0; f < kFieldCount; ++f)
    if (input.fields[f]) fields[f] = *input.fields[f];
  if (input.fields[idx(Field::Ref)] && !input.fields[idx(Field::Ref)]->empty() &&
      store.has_ref(*input.fields[idx(Field::Ref)]))
    throw UsageError(fmt::format("--ref: '{}' is already stored on another entry",
                                 *input.fields[idx(Field::Ref)]));
  RawRow row = row_from_input(fields, input.labels, 0);
  WriteRequest request;
  request.today = options.today;
  request.recorded_at = options.recorded_at;
  request.supersedes = input.entry;
  request.reason = std::string(trim(input.reason));
  request.previous_person = old->person;
  return check_and_write(workspace, store, *tx, {row}, request).ids.front();
}

}  // namespace outcomes
