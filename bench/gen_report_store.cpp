// Fills a new journey store for the report benchmark, writing through JourneyStore:
//   gen_report_store WORKSPACE ENTRIES PEOPLE
// People enrol at random over 24 months ending 2026-10-31, stay 2-9 months (most exit;
// those still open at the end stay enrolled) and, while enrolled, have weekly contacts,
// a SWEMWBS occasion every four weeks, Supporting People statuses, relational signals and
// notes, until ENTRIES entries are written overall. Deterministic.
//
// The store is laid out as a service's real one is: one import a month, recorded three days
// after the month ends, holding that month's entries of everyone in one transaction, ordered
// by person then date (what `outcomes record --from` writes). Journeys are generated first
// as compact 8-byte records, so 10 million entries need about 80 MB, not 10 million NewEntry.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "date.h"
#include "entry.h"
#include "store.h"
#include "workspace.h"

namespace {

struct Random {
  std::uint64_t state;
  std::uint32_t next() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::uint32_t>(state >> 33);
  }
  int below(int n) { return static_cast<int>(next() % static_cast<std::uint32_t>(n)); }
};

// One generated entry: who, when (day of the 730-day horizon), what; `code` picks the
// measure or status from the kind's table below, `value` is an item score.
struct Compact {
  std::uint32_t person;
  std::uint16_t day;
  std::uint8_t kind;
  std::uint8_t code : 4;
  std::uint8_t value : 4;
};
static_assert(sizeof(Compact) == 8);

}  // namespace

int main(int argc, char** argv) {
  using namespace outcomes;
  if (argc != 4) {
    std::fprintf(stderr, "usage: gen_report_store WORKSPACE ENTRIES PEOPLE\n");
    return 2;
  }
  Workspace ws = open_workspace(argv[1]);
  const long long target = std::atoll(argv[2]);
  const int people = std::atoi(argv[3]);
  const Framework* sw = ws.find_framework("swemwbs");
  const Framework* sp = ws.find_framework("supporting-people");
  const Framework* rel = ws.find_framework("relational");
  if (!sw || !sp || !rel || people <= 0) {
    std::fprintf(stderr,
                 "gen_report_store: the workspace needs swemwbs, supporting-people, relational\n");
    return 1;
  }
  const Date last = make_date(2026, 10, 31);
  const int horizon = 730;
  const Date first{last.days - horizon + 1};
  const long long per_person = target / people;
  const char* items[] = {"item_1", "item_2", "item_3", "item_6", "item_7", "item_9", "item_11"};
  const char* statuses[] = {"achieved", "partial", "not_achieved", "not_relevant"};
  const char* contacts[] = {"attended", "attended", "missed", "self_initiated", "outreach"};
  const char* genders[] = {"woman", "man", "non_binary"};
  const char* signals[] = {"turned_up", "contacted_worker", "shared_feelings", "met_and_talked"};
  const char* notes[] = {"shareable", "private"};

  // 1. Every journey, person by person, each in date order.
  Random rng{42};
  std::vector<Compact> all;
  all.reserve(static_cast<size_t>(target) + 16);
  for (int p = 0; p < people; ++p) {
    const auto person = static_cast<std::uint32_t>(p);
    const size_t journey_start = all.size();
    auto add = [&](int day, EntryKind kind, int code = 0, int value = 0) {
      all.push_back({person, static_cast<std::uint16_t>(day), static_cast<std::uint8_t>(kind),
                     static_cast<std::uint8_t>(code), static_cast<std::uint8_t>(value)});
    };
    auto size = [&] { return static_cast<long long>(all.size() - journey_start); };
    int start = rng.below(horizon - 20);
    int end = start + 60 + rng.below(210);
    bool exits = end < horizon;
    end = std::min(end, horizon - 1);
    add(start, EntryKind::Enrol);
    add(start, EntryKind::Attribute, rng.below(3));
    const long long budget = per_person - 2 - (exits ? 1 : 0);
    int level = 2 + rng.below(2);
    for (int day = start; day <= end && size() < budget + 2; ++day) {
      int offset = day - start;
      if (offset % 28 == 0 && size() + 7 <= budget + 2) {
        level = std::clamp(level + rng.below(3) - 1, 1, 5);
        for (int i = 0; i < 7; ++i)
          add(day, EntryKind::Assessment, i, std::clamp(level + rng.below(3) - 1, 1, 5));
        continue;
      }
      if (offset % 91 == 45) {
        add(day, EntryKind::Status, rng.below(4));
        continue;
      }
      // Fill the person's budget evenly over the episode with contacts, signals and notes.
      long long left = budget + 2 - size();
      int days_left = end - day + 1;
      int wanted = static_cast<int>((left + days_left - 1) / days_left);
      for (int k = 0; k < wanted && left > 0; ++k, --left) {
        int kind = rng.below(10);
        if (kind < 7)
          add(day, EntryKind::Contact, rng.below(5));
        else if (kind < 9)
          add(day, EntryKind::Signal, rng.below(4));
        else
          add(day, EntryKind::Note, rng.below(4) == 0 ? 0 : 1);
      }
    }
    if (exits) add(end, EntryKind::Exit);
  }

  // 2. Into monthly imports: a stable counting sort by month keeps person, then date order.
  auto month_of = [&](int day) {
    auto ymd = split_date(Date{first.days + day});
    return (ymd.year - 2024) * 12 + static_cast<int>(ymd.month) - 11;  // 2024-11 is month 0
  };
  std::vector<int> month_of_day(horizon);
  for (int d = 0; d < horizon; ++d) month_of_day[static_cast<size_t>(d)] = month_of(d);
  const int months = month_of_day.back() + 1;
  std::vector<size_t> starts(static_cast<size_t>(months) + 1, 0);
  for (const auto& c : all) ++starts[static_cast<size_t>(month_of_day[c.day]) + 1];
  for (size_t m = 1; m < starts.size(); ++m) starts[m] += starts[m - 1];
  std::vector<Compact> by_month(all.size());
  {
    std::vector<size_t> next(starts.begin(), starts.end() - 1);
    for (const auto& c : all) by_month[next[static_cast<size_t>(month_of_day[c.day])]++] = c;
  }
  all.clear();
  all.shrink_to_fit();

  // 3. One transaction per month, recorded three days after the month ends.
  auto store = create_store(ws.db_path());
  NewEntry e;
  e.by = "bench";
  std::string person_ref;
  std::uint32_t person_of_ref = UINT32_MAX;
  for (int m = 0; m < months; ++m) {
    const Date month_start = add_months(make_date(2024, 11, 1), m);
    const std::string recorded_at =
        format_date(Date{add_months(month_start, 1).days + 2}) + "T09:00:00Z";
    auto tx = store->begin(/*bulk=*/true);
    for (size_t i = starts[static_cast<size_t>(m)]; i < starts[static_cast<size_t>(m) + 1]; ++i) {
      const Compact& c = by_month[i];
      if (c.person != person_of_ref) {
        person_of_ref = c.person;
        person_ref = fmt::format("P{:06d}", c.person);
      }
      e.person = person_ref;
      e.date = Date{first.days + c.day};
      e.kind = static_cast<EntryKind>(c.kind);
      e.framework.clear();
      e.framework_hash.clear();
      e.framework_version.clear();
      e.measure.clear();
      e.value.reset();
      e.status.clear();
      e.text.clear();
      auto in_framework = [&](const Framework& f) {
        e.framework = f.id;
        e.framework_hash = f.content_hash;
        e.framework_version = f.version;
      };
      switch (e.kind) {
        case EntryKind::Attribute:
          e.measure = "gender";
          e.status = genders[c.code];
          break;
        case EntryKind::Assessment:
          in_framework(*sw);
          e.measure = items[c.code];
          e.value = c.value;
          break;
        case EntryKind::Status:
          in_framework(*sp);
          e.measure = "feeling_safe";
          e.status = statuses[c.code];
          break;
        case EntryKind::Contact:
          e.status = contacts[c.code];
          break;
        case EntryKind::Signal:
          in_framework(*rel);
          e.measure = signals[c.code];
          break;
        case EntryKind::Note:
          e.status = notes[c.code];
          e.text = fmt::format("Met {} at the drop-in; talked about the week and what comes next.",
                               person_ref);
          break;
        case EntryKind::Exit:
          e.status = "no_longer_requires_support";
          break;
        default:
          break;
      }
      tx->append(e, recorded_at);
    }
    tx->commit();
  }
  std::printf("%zu entries for %d people in %d monthly imports\n", by_month.size(), people, months);
  return 0;
}
