#include "export.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <nlohmann/json.hpp>

#include "csv.h"
#include "error.h"
#include "json_out.h"
#include "output.h"
#include "suggest.h"
#include "text.h"

namespace outcomes {
namespace {

// SHA-256 (FIPS 180-4), enough for keyed pseudonyms without a crypto library.
class Sha256 {
 public:
  void update(std::string_view bytes) {
    for (unsigned char c : bytes) {
      buffer_[used_++] = c;
      if (used_ == 64) {
        block(buffer_.data());
        used_ = 0;
      }
    }
    length_ += bytes.size();
  }

  std::array<uint8_t, 32> finish() {
    const uint64_t bits = length_ * 8;
    buffer_[used_++] = 0x80;
    if (used_ > 56) {
      std::fill(buffer_.begin() + static_cast<std::ptrdiff_t>(used_), buffer_.end(), 0);
      block(buffer_.data());
      used_ = 0;
    }
    std::fill(buffer_.begin() + static_cast<std::ptrdiff_t>(used_), buffer_.begin() + 56, 0);
    for (int i = 0; i < 8; ++i)
      buffer_[56 + static_cast<size_t>(i)] = static_cast<uint8_t>(bits >> (56 - 8 * i));
    block(buffer_.data());
    std::array<uint8_t, 32> digest{};
    for (size_t i = 0; i < 8; ++i)
      for (size_t j = 0; j < 4; ++j)
        digest[i * 4 + j] = static_cast<uint8_t>(h_[i] >> (24 - 8 * j));
    return digest;
  }

 private:
  static uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

  void block(const uint8_t* p) {
    static constexpr std::array<uint32_t, 64> k = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2};
    std::array<uint32_t, 64> w{};
    for (size_t i = 0; i < 16; ++i)
      w[i] = static_cast<uint32_t>(p[4 * i]) << 24 | static_cast<uint32_t>(p[4 * i + 1]) << 16 |
             static_cast<uint32_t>(p[4 * i + 2]) << 8 | static_cast<uint32_t>(p[4 * i + 3]);
    for (size_t i = 16; i < 64; ++i) {
      uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4], f = h_[5], g = h_[6], h = h_[7];
    for (size_t i = 0; i < 64; ++i) {
      uint32_t s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      uint32_t ch = (e & f) ^ (~e & g);
      uint32_t t1 = h + s1 + ch + k[i] + w[i];
      uint32_t s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
      uint32_t t2 = s0 + maj;
      h = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    h_[0] += a;
    h_[1] += b;
    h_[2] += c;
    h_[3] += d;
    h_[4] += e;
    h_[5] += f;
    h_[6] += g;
    h_[7] += h;
  }

  std::array<uint32_t, 8> h_ = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::array<uint8_t, 64> buffer_{};
  size_t used_ = 0;
  uint64_t length_ = 0;
};

std::string hex(const std::array<uint8_t, 32>& digest) {
  std::string out;
  out.reserve(64);
  for (uint8_t b : digest) out += fmt::format("{:02x}", b);
  return out;
}

std::array<uint8_t, 32> hmac_sha256(std::string_view key, std::string_view message) {
  std::array<uint8_t, 64> block{};
  if (key.size() > 64) {
    Sha256 hashed;
    hashed.update(key);
    auto digest = hashed.finish();
    std::copy(digest.begin(), digest.end(), block.begin());
  } else {
    std::memcpy(block.data(), key.data(), key.size());
  }
  std::string inner_pad(64, '\0'), outer_pad(64, '\0');
  for (size_t i = 0; i < 64; ++i) {
    inner_pad[i] = static_cast<char>(block[i] ^ 0x36);
    outer_pad[i] = static_cast<char>(block[i] ^ 0x5c);
  }
  Sha256 inner;
  inner.update(inner_pad);
  inner.update(message);
  auto inner_digest = inner.finish();
  Sha256 outer;
  outer.update(outer_pad);
  outer.update(std::string_view(reinterpret_cast<const char*>(inner_digest.data()), 32));
  return outer.finish();
}

// Turns stored entries into export rows and writes them in the chosen format.
class EntryWriter {
 public:
  EntryWriter(const ExportOptions& options, std::string secret, std::ostream& out)
      : options_(options), secret_(std::move(secret)), out_(out) {
    if (options_.format == ExportFormat::Csv) write_csv_row(out_, export_columns(options_.audit));
  }

  void write(const Entry& e, const std::string& person) {
    fields_.resize(options_.audit ? 13 : 10);
    for (auto& field : fields_) field.clear();  // keeps each field's buffer
    fields_[0] = person;
    fields_[1] = format_date(e.date);
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
      fields_[9] = "r-" + hmac_sha256_hex(secret_, "ref:" + e.ref).substr(0, 16);
    }
    if (options_.audit) {
      fields_[10] = std::to_string(e.id);
      if (e.supersedes) fields_[11] = std::to_string(e.supersedes);
      if (options_.include_text) fields_[12] = e.reason;
    }
    if (options_.format == ExportFormat::Csv) {
      write_csv_row(out_, fields_);
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
    out_.write(line_.data(), static_cast<std::streamsize>(line_.size()));
  }

 private:
  // Free text is left out unless asked for. Where `record` needs some text (a need, which
  // a later `met` must match; a note; a goal's words) a placeholder keeps the export
  // importable: for needs, a keyed digest so that `open` and `met` still pair up.
  std::string text_of(const Entry& e) const {
    if (options_.include_text || e.text.empty()) return e.text;
    switch (e.kind) {
      case EntryKind::Need:
        return "withheld-" + hmac_sha256_hex(secret_, "need:" + e.person + "\n" +
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
  std::string secret_;
  std::ostream& out_;
  std::vector<std::string> fields_;
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

// People per read when pseudonymised (their entries are held while reordering).
constexpr size_t kPeoplePerRead = 256;

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  Sha256 hash;
  hash.update(bytes);
  return hex(hash.finish());
}

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  return hex(hmac_sha256(key, message));
}

std::string person_pseudonym(std::string_view secret, std::string_view ref) {
  return "p-" + hmac_sha256_hex(secret, "person:" + std::string(ref)).substr(0, 16);
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

ExportSummary export_entries(const JourneyStore& store, const ExportOptions& options,
                             std::ostream& out) {
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

  // People, checked against the store.
  std::vector<std::string> people = store.people();
  if (!options.people.empty()) {
    std::vector<std::string> chosen;
    for (const auto& ref : options.people) {
      if (!std::binary_search(people.begin(), people.end(), ref))
        throw UsageError(fmt::format("--person: no entries for '{}' in the store{}", ref,
                                     did_you_mean(ref, people)));
      chosen.push_back(ref);
    }
    std::sort(chosen.begin(), chosen.end());
    chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
    people = std::move(chosen);
  }

  std::string secret;
  if (!options.identify || !options.include_text) {  // pseudonyms, refs, need placeholders
    auto stored = store.setting("pseudonym_secret");
    if (!stored || stored->empty())
      throw Error(
          "the journey store has no pseudonym secret; use --identify --include-text to "
          "export without pseudonyms");
    secret = *stored;
  }
  EntryWriter writer(options, secret, out);
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
  std::vector<std::pair<std::string, std::string>> order;  // pseudonym, reference
  order.reserve(people.size());
  for (const auto& ref : people) order.emplace_back(person_pseudonym(secret, ref), ref);
  std::sort(order.begin(), order.end());
  for (size_t i = 1; i < order.size(); ++i)
    if (order[i].first == order[i - 1].first)
      throw Error(
          fmt::format("two people share the pseudonym {}; export with --identify", order[i].first));
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

ExportSummary export_entries_to_file(const JourneyStore& store, const ExportOptions& options,
                                     const std::filesystem::path& file) {
  ExportSummary summary;
  write_output(file, [&](std::ostream& out) { summary = export_entries(store, options, out); });
  return summary;
}

}  // namespace outcomes
