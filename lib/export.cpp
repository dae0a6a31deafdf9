#include "export.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "csv.h"
#include "error.h"
#include "hash.h"
#include "json_out.h"
#include "output.h"
#include "suggest.h"
#include "text.h"

namespace outcomes {
namespace {


// Turns stored entries into export rows and writes them in the chosen format: CSV or
// JSON Lines text to a stream, or typed rows to a table sink.
class EntryWriter {
 public:
  EntryWriter(const ExportOptions& options, std::string_view secret, std::ostream& out)
      : options_(options), mac_(secret), out_(&out) {
    if (options_.format == ExportFormat::Csv) write_csv_row(out, export_columns(options_.audit));
  }
  EntryWriter(const ExportOptions& options, std::string_view secret, TableSink& sink)
      : options_(options), mac_(secret), sink_(&sink) {}

  void write(const Entry& e, const std::string& person) {
    fields_.resize(options_.audit ? 13 : 10);
    for (auto& field : fields_) field.clear();  // keeps each field's buffer
    fields_[0] = person;
    fields_[1] =
        options_.dates == DatePrecision::Month ? format_month(e.date) : format_date(e.date);
    fields_[2] = std::string(to_string(e.kind));
    fields_[3] = e.framework;
    fields_[4] = e.measure;
    if (e.value) fields_[5] = std::to_string(*e.value);
    fields_[6] = e.status;
    fields_[7] = text_of(e);
    if (options_.identify) {
      fields_[8] = e.by;
      fields_[9] = e.ref;
    } else if (!e.ref.empty()) {
      fields_[9] = "r-" + mac_.hex("ref:" + e.ref).substr(0, 16);
    }
    if (options_.audit) {
      fields_[10] = std::to_string(e.id);
      if (e.supersedes) fields_[11] = std::to_string(e.supersedes);
      if (options_.include_text) fields_[12] = e.reason;  // a reason is never a private note's
    }
    if (sink_) {
      write_row(e);
      return;
    }
    if (options_.format == ExportFormat::Csv) {
      write_csv_row(*out_, fields_);
      return;
    }
    // One object a line, keys in column order. Numbers are the decimal text to_string
    // made; strings go through append_json_string.
    line_.clear();
    for (size_t i = 0; i < fields_.size(); ++i) {
      line_ += keys_[i];
      const bool numeric = i == 5 || i == 10 || i == 11;
      if (fields_[i].empty())
        line_ += "null";
      else if (numeric)
        line_ += fields_[i];
      else
        append_json_string(line_, fields_[i]);
    }
    line_ += "}\n";
    out_->write(line_.data(), static_cast<std::streamsize>(line_.size()));
  }

 private:
  // The fields as typed cells: the date a date (the first of its month when coarsened),
  // value, id and supersedes integers, every other field text; an empty field an empty cell.
  void write_row(const Entry& e) {
    row_.resize(fields_.size());
    for (size_t i = 0; i < fields_.size(); ++i) {
      if (fields_[i].empty())
        row_[i] = std::monostate{};
      else if (i == 1)
        row_[i] = coarsen(e.date, options_.dates);
      else if (i == 5 || i == 10 || i == 11)
        row_[i] = static_cast<std::int64_t>(std::stoll(fields_[i]));
      else
        row_[i] = fields_[i];
    }
    sink_->row(row_);
  }

  // Free text is left out unless asked for. Where `record` needs some text (a need, which
  // a later `met` must match; a note; a goal's words) a placeholder keeps the export
  // importable: for needs, a keyed digest so that `open` and `met` still pair up. A private
  // note keeps its entry (so counts agree) but never its text.
  std::string text_of(const Entry& e) {
    if (text_leaves(e, options_.include_text) || e.text.empty()) return e.text;
    switch (e.kind) {
      case EntryKind::Need:
        return "withheld-" + mac_.hex("need:" + e.person + "\n" +
                                                           std::string(text::trim(e.text)))
                                 .substr(0, 12);
      case EntryKind::Note:
      case EntryKind::Goal:
        return "withheld";
      default:
        return "";
    }
  }

  const ExportOptions& options_;
  HmacSha256 mac_;  // keyed with the store's pseudonym secret
  std::ostream* out_ = nullptr;
  TableSink* sink_ = nullptr;
  std::vector<std::string> fields_;
  Row row_;
  // `{"person":`, `,"date":`, …: each key as JSON text with what goes before it.
  const std::vector<std::string> keys_ = json_keys(export_columns(options_.audit));
  std::string line_;

  static std::vector<std::string> json_keys(const std::vector<std::string>& names) {
    std::vector<std::string> keys;
    for (const auto& name : names)
      keys.push_back(fmt::format("{}{}:", keys.empty() ? '{' : ',', nlohmann::json(name).dump()));
    return keys;
  }
};

std::string join_ids(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ", ") + id;
  return out;
}

// The shortest shared pseudonym key accepted.
constexpr size_t kMinimumKeyBytes = 16;

// People per read when pseudonymised (their entries are held while reordering).
constexpr size_t kPeoplePerRead = 256;

}  // namespace

std::string person_pseudonym(std::string_view secret, std::string_view ref) {
  return "p-" + hmac_sha256_hex(secret, "person:" + std::string(ref)).substr(0, 16);
}

bool text_leaves(const Entry& entry, bool include_text) {
  return include_text && !(entry.kind == EntryKind::Note && entry.status == "private");
}

std::vector<std::string> export_people(const JourneyStore& store, const ExportOptions& options) {
  std::vector<std::string> people = store.people();
  if (options.people.empty()) return people;
  std::vector<std::string> chosen;
  for (const auto& ref : options.people) {
    if (!std::binary_search(people.begin(), people.end(), ref))
      throw UsageError(fmt::format("--person: no entries for '{}' in the store{}", ref,
                                   did_you_mean(ref, people)));
    chosen.push_back(ref);
  }
  std::sort(chosen.begin(), chosen.end());
  chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
  return chosen;
}

std::string export_key(const JourneyStore& store, const ExportOptions& options) {
  if (options.key) return *options.key;
  auto stored = store.setting("pseudonym_secret");
  if (!stored || stored->empty())
    throw Error(
        "the journey store has no pseudonym secret; use --identify --include-text to "
        "export without pseudonyms");
  return *stored;
}

std::string read_key_file(const std::filesystem::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0)
    throw UsageError(fmt::format("--key-file: cannot read {}: {}", file.string(), std::strerror(errno)));
  if (!S_ISREG(st.st_mode))
    throw UsageError(fmt::format("--key-file: {} is not a regular file", file.string()));
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    throw UsageError(fmt::format(
        "--key-file: {} may be read by others (mode {:03o}); make it owner-only: chmod 600 {}",
        file.string(), st.st_mode & 0777, file.string()));
  std::ifstream in(file, std::ios::binary);
  std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof())
    throw UsageError(fmt::format("--key-file: cannot read {}", file.string()));
  if (!key.empty() && key.back() == '\n') key.pop_back();
  if (!key.empty() && key.back() == '\r') key.pop_back();
  if (key.size() < kMinimumKeyBytes)
    throw UsageError(fmt::format("--key-file: {} holds {} bytes; a key needs at least {}",
                                 file.string(), key.size(), kMinimumKeyBytes));
  return key;
}

std::vector<std::pair<std::string, std::string>> people_in_export_order(
    const std::vector<std::string>& people, std::string_view key, bool identify) {
  std::vector<std::pair<std::string, std::string>> order;
  order.reserve(people.size());
  for (const auto& ref : people) order.emplace_back(identify ? ref : person_pseudonym(key, ref), ref);
  std::sort(order.begin(), order.end());
  for (size_t i = 1; i < order.size(); ++i)
    if (order[i].first == order[i - 1].first)
      throw Error(
          fmt::format("two people share the pseudonym {}; export with --identify", order[i].first));
  return order;
}

std::vector<std::string> export_columns(bool audit) {
  std::vector<std::string> columns = {"person", "date",   "kind", "framework", "measure",
                                      "value",  "status", "text", "by",        "ref"};
  if (audit) {
    columns.push_back("id");
    columns.push_back("supersedes");
    columns.push_back("reason");
  }
  return columns;
}

namespace {

// Selects the entries of an export and hands them to `write` in export order; `writer`
// is made once the key is known.
template <class MakeWriter>
ExportSummary write_selected_entries(const JourneyStore& store, const ExportOptions& options,
                                     MakeWriter make_writer) {
  if (options.from && options.to && *options.to < *options.from)
    throw UsageError(fmt::format("--to {} is before --from {}", format_date(*options.to),
                                 format_date(*options.from)));
  // Framework filter: ids the workspace knows or the store holds entries of.
  std::vector<std::string> known = options.known_frameworks;
  for (const auto& v : store.framework_versions()) known.push_back(v.id);
  std::sort(known.begin(), known.end());
  known.erase(std::unique(known.begin(), known.end()), known.end());
  for (const auto& id : options.frameworks)
    if (!std::binary_search(known.begin(), known.end(), id))
      throw UsageError(fmt::format("--framework: unknown framework '{}'{}; expected one of {}", id,
                                   did_you_mean(id, known), join_ids(known)));
  auto wanted = [&](const Entry& e) {
    if (e.framework.empty() || options.frameworks.empty()) return true;
    return std::find(options.frameworks.begin(), options.frameworks.end(), e.framework) !=
           options.frameworks.end();
  };

  std::vector<std::string> people = export_people(store, options);
  std::string secret;
  if (!options.identify || !options.include_text)  // pseudonyms, refs, need placeholders
    secret = export_key(store, options);
  EntryWriter writer = make_writer(secret);
  ExportSummary summary;
  EntryQuery query;
  query.from = options.from;
  query.to = options.to;
  query.include_superseded = options.audit;

  if (options.identify) {
    // The store's own order is the export's order: stream it.
    if (!options.people.empty()) query.people = people;
    std::string last;
    store.for_each_entry(query, [&](const Entry& e) {
      if (!wanted(e)) return;
      if (summary.entries == 0 || e.person != last) {
        ++summary.people;
        last = e.person;
      }
      writer.write(e, e.person);
      ++summary.entries;
    });
    return summary;
  }

  // Pseudonymised: order by pseudonym, so the order says nothing about the references.
  const auto order = people_in_export_order(people, secret, false);
  // A group's entries are held in the order read (person by person), each person's run
  // found by reference. The slots are reused from group to group, keeping their strings'
  // memory, so holding costs a copy and no allocation.
  std::vector<Entry> held;
  std::vector<std::pair<std::string, std::pair<size_t, size_t>>> runs;  // ref -> [begin, end)
  for (size_t start = 0; start < order.size(); start += kPeoplePerRead) {
    const size_t end = std::min(order.size(), start + kPeoplePerRead);
    std::vector<std::string> group;
    for (size_t i = start; i < end; ++i) group.push_back(order[i].second);
    query.people = group;
    size_t count = 0;
    runs.clear();
    store.for_each_entry(query, [&](const Entry& e) {
      if (!wanted(e)) return;
      if (runs.empty() || runs.back().first != e.person) {
        // Selected people are read one after another in reference order (for_each_entry).
        if (!runs.empty() && e.person < runs.back().first)
          throw Error("export: the store returned entries out of person order");
        runs.push_back({e.person, {count, count}});
      }
      if (count == held.size()) held.emplace_back();
      held[count++] = e;
      runs.back().second.second = count;
    });
    // runs is in reference order (checked above), so it can be searched.
    for (size_t i = start; i < end; ++i) {
      auto it =
          std::lower_bound(runs.begin(), runs.end(), order[i].second,
                           [](const auto& run, const std::string& ref) { return run.first < ref; });
      if (it == runs.end() || it->first != order[i].second) continue;
      ++summary.people;
      for (size_t k = it->second.first; k < it->second.second; ++k) {
        writer.write(held[k], order[i].first);
        ++summary.entries;
      }
    }
  }
  return summary;
}

}  // namespace

ExportSummary export_entries(const JourneyStore& store, const ExportOptions& options,
                             std::ostream& out) {
  return write_selected_entries(store, options, [&](const std::string& secret) {
    return EntryWriter(options, secret, out);
  });
}

ExportSummary export_entries_to_sink(const JourneyStore& store, const ExportOptions& options,
                                     const TableSpec& spec, TableSink& sink) {
  sink.begin_table(spec);
  auto summary = write_selected_entries(store, options, [&](const std::string& secret) {
    return EntryWriter(options, secret, sink);
  });
  sink.end_table();
  return summary;
}

ExportSummary export_entries_to_file(const JourneyStore& store, const ExportOptions& options,
                                     const std::filesystem::path& file) {
  ExportSummary summary;
  write_output(file, [&](std::ostream& out) { summary = export_entries(store, options, out); });
  return summary;
}

}  // namespace outcomes
