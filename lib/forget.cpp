// forget PERSON: the erasure of a person's entries, its record, and the scrub of the files.
#include "forget.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "date.h"
#include "entry.h"
#include "error.h"
#include "suggest.h"
#include "text.h"

namespace outcomes {
namespace {

// The store's pseudonym secret; Error when the store has none (it is made on create).
std::string secret_of(const JourneyStore& store) {
  auto secret = store.setting("pseudonym_secret");
  if (!secret || secret->empty())
    throw Error("the store holds no pseudonym secret, so an erasure cannot be recorded");
  return *secret;
}

// True when `text` holds `person`, ignoring ASCII case (a reference is ASCII).
bool names(std::string_view text, std::string_view person) {
  auto lower = [](unsigned char c) { return std::tolower(c); };
  return std::search(text.begin(), text.end(), person.begin(), person.end(),
                     [&](char a, char b) { return lower(static_cast<unsigned char>(a)) ==
                                                  lower(static_cast<unsigned char>(b)); }) !=
         text.end();
}

// Checks a text option of the record: clean text that does not name the person.
std::string checked_text(std::string_view value, std::string_view option,
                         std::string_view person, text::Controls allowed) {
  const std::string_view trimmed = text::trim(value);
  if (auto why = text::value_problem(trimmed, allowed))
    throw InvalidInput(fmt::format("{}: {}", option, *why));
  if (!person.empty() && names(trimmed, person))
    throw UsageError(fmt::format(
        "{} names '{}': the record of an erasure never holds the reference; say why without it",
        option, person));
  return std::string(trimmed);
}

// Scrubs the store's files after an erasure; when that fails, says that the erasure
// stands and how to finish it.
void scrub(JourneyStore& store, const ForgetResult& result) {
  try {
    store.scrub();
  } catch (const Error& e) {
    throw Error(fmt::format(
        "{}; but {}: erased data may remain in the store's files until 'outcomes forget {} "
        "--reason …' is run again, when nobody else is using the workspace",
        forget_summary(result), e.what(), result.person));
  }
}

}  // namespace

std::function<std::string(std::string_view)> refuse_erased_people(const JourneyStore& store) {
  auto erased = std::make_shared<ErasedPeople>(store);
  if (erased->empty()) return {};
  return [erased](std::string_view person) -> std::string {
    auto date = erased->erased_on(person);
    if (!date) return {};
    return erased_person_message(person, *date) +
           "; that reference cannot be recorded again (give the person a new reference if "
           "they return)";
  };
}

std::string erasure_digest(std::string_view secret, std::string_view person) {
  return hmac_sha256_hex(secret, "erased:" + std::string(person));
}

ErasedPeople::ErasedPeople(const JourneyStore& store) {
  const auto records = store.erasures();
  if (records.empty()) return;
  mac_.emplace(secret_of(store));
  // Oldest first: a person erased twice is known by the latest date.
  for (const auto& r : records) erased_on_[r.person_digest] = r.erased_at.substr(0, 10);
}

std::optional<std::string> ErasedPeople::erased_on(std::string_view person) {
  if (!mac_) return std::nullopt;
  auto it = erased_on_.find(mac_->hex("erased:" + std::string(person)));
  if (it == erased_on_.end()) return std::nullopt;
  return it->second;
}

std::string erased_person_message(std::string_view person, std::string_view date) {
  return fmt::format("the entries of '{}' were erased on {} ('outcomes forget')", person, date);
}

ForgetResult forget_person(JourneyStore& store, const ForgetOptions& options) {
  if (options.person.empty()) throw UsageError("forget needs PERSON, the reference to erase");
  if (text::trim(options.reason).empty())
    throw UsageError(
        "--reason: an erasure needs a reason, e.g. --reason \"the person asked to be "
        "forgotten\"");
  ErasureRecord record;
  record.reason = checked_text(options.reason, "--reason", options.person,
                               text::Controls::LineBreaks);
  record.by = checked_text(options.by, "--by", options.person, text::Controls::None);
  record.erased_at = options.erased_at;

  ForgetResult result;
  result.person = options.person;
  result.dry_run = options.dry_run;
  // The write lock first, like every write: nothing can be recorded for the person between
  // what is found here and the erasure. A dry run only reads.
  std::unique_ptr<StoreTransaction> tx;
  if (!options.dry_run) tx = store.begin();
  const auto people = store.people();
  if (!std::binary_search(people.begin(), people.end(), options.person)) {
    if (auto date = ErasedPeople(store).erased_on(options.person)) {
      result.erased_before = *date;
      tx.reset();
      if (!options.dry_run) scrub(store, result);
      return result;
    }
    throw UsageError(fmt::format("no person '{}' in the journey store{}; nothing was erased",
                                 options.person, did_you_mean(options.person, people)));
  }
  if (options.dry_run) {
    result.plan = store.erasure_plan(options.person);
    return result;
  }
  record.person_digest = erasure_digest(secret_of(store), options.person);
  result.plan = tx->erase_person(options.person, record);
  tx->commit();
  scrub(store, result);
  return result;
}

std::string forget_summary(const ForgetResult& result) {
  if (!result.erased_before.empty())
    return fmt::format("'{}' was forgotten on {}: nothing of theirs is left to erase{}",
                       result.person, result.erased_before,
                       result.dry_run ? "" : " (the store's files were scrubbed again)");
  const auto n = result.plan.entries;
  return fmt::format("forgot {}: {} entr{} erased (reason recorded)", result.person, n,
                     n == 1 ? "y" : "ies");
}

void render_forget_plan(std::ostream& out, const ForgetResult& result) {
  if (!result.erased_before.empty()) {
    out << forget_summary(result) << '\n';
    return;
  }
  const ErasurePlan& plan = result.plan;
  out << fmt::format("would forget {}: {} entr{}\n", result.person, plan.entries,
                     plan.entries == 1 ? "y" : "ies");
  for (int k = 0; k < kEntryKindCount; ++k)
    if (const auto n = plan.by_kind[static_cast<std::size_t>(k)]; n > 0)
      out << fmt::format("  {:<10} {}\n", to_string(static_cast<EntryKind>(k)), n);
  if (plan.first && plan.last)
    out << fmt::format("dated {} to {}\n", format_date(*plan.first), format_date(*plan.last));
  out << fmt::format("recorded in {} write{}; {} import batch{} touched\n", plan.writes,
                     plan.writes == 1 ? "" : "s", plan.batches, plan.batches == 1 ? "" : "es");
  out << "nothing was changed (dry run)\n";
}

}  // namespace outcomes
