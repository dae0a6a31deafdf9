// Fills a new journey store for the report benchmark, writing through JourneyStore:
//   gen_report_store WORKSPACE ENTRIES PEOPLE
// People enrol at random over 24 months ending 2026-10-31, stay 2-9 months (most exit;
// those still open at the end stay enrolled) and, while enrolled, have weekly contacts,
// a SWEMWBS occasion every four weeks, Supporting People statuses, relational signals and
// notes, until ENTRIES entries are written overall. Deterministic.
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
  if (!sw || !sp || !rel) {
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

  JourneyStore store = JourneyStore::create(ws.db_path());
  Random rng{42};
  long long written = 0;
  std::vector<NewEntry> batch;
  auto flush = [&] {
    JourneyStore::Transaction tx(store);
    for (const auto& e : batch) tx.append(e, format_date(e.date) + "T12:00:00Z");
    tx.commit();
    batch.clear();
  };
  auto entry = [&](const std::string& person, int day, EntryKind kind) {
    NewEntry e;
    e.person = person;
    e.date = Date{first.days + day};
    e.kind = kind;
    e.by = "bench";
    return e;
  };
  auto in_framework = [](NewEntry& e, const Framework& f) {
    e.framework = f.id;
    e.framework_hash = f.content_hash;
    e.framework_version = f.version;
  };
  for (int p = 0; p < people; ++p) {
    std::string person = fmt::format("P{:06d}", p);
    int start = rng.below(horizon - 20);
    int end = start + 60 + rng.below(210);
    bool exits = end < horizon;
    end = std::min(end, horizon - 1);
    std::vector<NewEntry> journey;
    journey.push_back(entry(person, start, EntryKind::Enrol));
    auto a = entry(person, start, EntryKind::Attribute);
    a.measure = "gender";
    a.status = genders[rng.below(3)];
    journey.push_back(a);
    const long long budget = per_person - 2 - (exits ? 1 : 0);
    int level = 2 + rng.below(2);
    for (int day = start; day <= end && static_cast<long long>(journey.size()) < budget + 2;
         ++day) {
      int offset = day - start;
      if (offset % 28 == 0 && static_cast<long long>(journey.size()) + 7 <= budget + 2) {
        level = std::clamp(level + rng.below(3) - 1, 1, 5);
        for (const char* item : items) {
          auto e = entry(person, day, EntryKind::Assessment);
          in_framework(e, *sw);
          e.measure = item;
          e.value = std::clamp(level + rng.below(3) - 1, 1, 5);
          journey.push_back(e);
        }
        continue;
      }
      if (offset % 91 == 45) {
        auto e = entry(person, day, EntryKind::Status);
        in_framework(e, *sp);
        e.measure = "feeling_safe";
        e.status = statuses[rng.below(4)];
        journey.push_back(e);
        continue;
      }
      // Fill the person's budget evenly over the episode with contacts, signals and notes.
      long long left = budget + 2 - static_cast<long long>(journey.size());
      int days_left = end - day + 1;
      int wanted = static_cast<int>((left + days_left - 1) / days_left);
      for (int k = 0; k < wanted && left > 0; ++k, --left) {
        int kind = rng.below(10);
        if (kind < 7) {
          auto e = entry(person, day, EntryKind::Contact);
          e.status = contacts[rng.below(5)];
          journey.push_back(e);
        } else if (kind < 9) {
          auto e = entry(person, day, EntryKind::Signal);
          in_framework(e, *rel);
          e.measure = signals[rng.below(4)];
          journey.push_back(e);
        } else {
          auto e = entry(person, day, EntryKind::Note);
          e.status = rng.below(4) == 0 ? "shareable" : "private";
          e.text = fmt::format("Met {} at the drop-in; talked about the week and what comes next.",
                               person);
          journey.push_back(e);
        }
      }
    }
    if (exits) {
      auto e = entry(person, end, EntryKind::Exit);
      e.status = "no_longer_requires_support";
      journey.push_back(e);
    }
    for (auto& e : journey) batch.push_back(std::move(e));
    written += static_cast<long long>(journey.size());
    if (batch.size() >= 50000) flush();
  }
  flush();
  std::printf("%lld entries for %d people\n", written, people);
  return 0;
}
