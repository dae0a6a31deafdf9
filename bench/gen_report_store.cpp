// Fills a new journey store for the report benchmark, writing through JourneyStore:
//   gen_report_store WORKSPACE ENTRIES PEOPLE [--history N]
// People enrol at random over 24 months ending 2026-10-31, stay 2-9 months (most exit;
// those still open at the end stay enrolled) and, while enrolled, have weekly contacts,
// a SWEMWBS occasion every four weeks, Supporting People statuses, relational signals and
// notes, until ENTRIES entries are written overall. Deterministic.
//
// --history N adds N older entries before those 24 months: N / 250 other people (references
// H0000001 …) with the same kind of journeys over the ten years from 2014-11, every one of them
// exited before 2024-11. The recent 24 months are the same with or without it, so a report
// on 2026-10 can be timed on the recent entries alone and on them with a long history.
//
// The store is laid out as a service's real one is: one import a month, recorded three days
// after the month ends, holding that month's entries of everyone in one transaction, ordered
// by person then date (what `outcomes record --from` writes). Entries are generated month by
// month as they are written: only each person's small state is held (a few dozen bytes a
// person), never the entries, so 100 million entries need no more memory than a million.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "date.h"
#include "entry.h"
#include "store.h"
#include "workspace.h"

namespace {

using namespace outcomes;

struct Random {
  std::uint64_t state;
  std::uint32_t next() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::uint32_t>(state >> 33);
  }
  int below(int n) { return static_cast<int>(next() % static_cast<std::uint32_t>(n)); }
};

// Each person draws from a generator of their own, so their journey does not depend on the
// order in which months and people are generated.
Random random_for(std::uint64_t seed, std::uint64_t person) {
  std::uint64_t z = seed * 0x9E3779B97F4A7C15ULL + person + 1;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return Random{z ^ (z >> 31)};
}

// One generated entry, before it is written: `code` picks the measure or status from the
// kind's table, `value` is an item score.
struct Generated {
  int day;
  EntryKind kind;
  int code = 0;
  int value = 0;
};

// A person's journey so far: where the episode lies and how much of the budget is used.
struct Person {
  Random rng{0};
  int start = 0, end = 0;  // days from the cohort's first day, inclusive
  bool exits = false;
  int level = 0;
  long long budget = 0, written = 0;
  bool done = false;
};

// People whose journeys lie in one span of days: the recent 24 months, or the history.
struct Cohort {
  char prefix;
  int width;      // digits of the reference
  Date first;     // the span's first day
  int horizon;    // days in the span
  bool all_exit;  // every episode ends inside the span
  std::vector<Person> people;

  Cohort(char prefix_, int width_, Date first_, int horizon_, bool all_exit_, int count,
         long long per_person, std::uint64_t seed)
      : prefix(prefix_), width(width_), first(first_), horizon(horizon_), all_exit(all_exit_) {
    people.resize(static_cast<size_t>(count));
    for (size_t p = 0; p < people.size(); ++p) {
      Person& s = people[p];
      s.rng = random_for(seed, p);
      s.start = s.rng.below(horizon - 20);
      int end = s.start + 60 + s.rng.below(210);
      s.exits = all_exit || end < horizon;
      s.end = std::min(end, horizon - 1);
      s.level = 2 + s.rng.below(2);
      s.budget = per_person - 2 - (s.exits ? 1 : 0);
    }
  }

  // Appends person p's entries dated from..to (days of the span, inclusive), in date order.
  void generate(Person& s, int from, int to, std::vector<Generated>& out) const {
    from = std::max(from, s.start);
    to = std::min(to, s.end);
    for (int day = from; day <= to && !s.done; ++day) {
      auto add = [&](EntryKind kind, int code = 0, int value = 0) {
        out.push_back({day, kind, code, value});
        ++s.written;
      };
      if (day == s.start) {
        add(EntryKind::Enrol);
        add(EntryKind::Attribute, s.rng.below(3));
      }
      if (s.written < s.budget + 2) {
        int offset = day - s.start;
        if (offset % 28 == 0 && s.written + 7 <= s.budget + 2) {
          s.level = std::clamp(s.level + s.rng.below(3) - 1, 1, 5);
          for (int i = 0; i < 7; ++i)
            add(EntryKind::Assessment, i, std::clamp(s.level + s.rng.below(3) - 1, 1, 5));
        } else if (offset % 91 == 45) {
          add(EntryKind::Status, s.rng.below(4));
        } else {
          // Fill the person's budget evenly over the episode with contacts, signals and notes.
          long long left = s.budget + 2 - s.written;
          int days_left = s.end - day + 1;
          int wanted = static_cast<int>((left + days_left - 1) / days_left);
          for (int k = 0; k < wanted && left > 0; ++k, --left) {
            int kind = s.rng.below(10);
            if (kind < 7)
              add(EntryKind::Contact, s.rng.below(5));
            else if (kind < 9)
              add(EntryKind::Signal, s.rng.below(4));
            else
              add(EntryKind::Note, s.rng.below(4) == 0 ? 0 : 1);
          }
        }
      }
      if (day == s.end) {
        if (s.exits) add(EntryKind::Exit);
        s.done = true;
      }
    }
  }
};

int usage() {
  std::fprintf(stderr, "usage: gen_report_store WORKSPACE ENTRIES PEOPLE [--history N]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 && argc != 6) return usage();
  long long history = 0;
  if (argc == 6) {
    if (std::strcmp(argv[4], "--history") != 0) return usage();
    history = std::atoll(argv[5]);
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
  if (people <= 0 || target < people || history < 0) return usage();
  const char* items[] = {"item_1", "item_2", "item_3", "item_6", "item_7", "item_9", "item_11"};
  const char* statuses[] = {"achieved", "partial", "not_achieved", "not_relevant"};
  const char* contacts[] = {"attended", "attended", "missed", "self_initiated", "outreach"};
  const char* genders[] = {"woman", "man", "non_binary"};
  const char* signals[] = {"turned_up", "contacted_worker", "shared_feelings", "met_and_talked"};
  const char* notes[] = {"shareable", "private"};

  // The recent 24 months (2024-11 … 2026-10) and, before them, ten years of history.
  const Date recent_first = make_date(2024, 11, 1);
  const Date recent_end = make_date(2026, 11, 1);
  const int history_months = history > 0 ? 120 : 0;
  const Date history_first = add_months(recent_first, -history_months);
  std::vector<Cohort> cohorts;
  if (history > 0) {
    const int history_people = static_cast<int>(std::max(1LL, history / 250));
    cohorts.emplace_back('H', 7, history_first, recent_first.days - history_first.days, true,
                         history_people, history / history_people, 7);
  }
  cohorts.emplace_back('P', 6, recent_first, recent_end.days - recent_first.days, false, people,
                       target / people, 42);

  auto store = create_store(ws.db_path());
  NewEntry e;
  e.by = "bench";
  std::vector<Generated> buffer;
  // Entries go to the store a few thousand at a time through append_all, the bulk path an
  // import writes through; the slots keep their strings' memory from chunk to chunk.
  constexpr size_t kChunk = 4096;
  std::vector<NewEntry> chunk(kChunk);
  std::vector<const NewEntry*> chunk_order;
  size_t in_chunk = 0;
  long long total = 0, older = 0;
  const int months = history_months + 24;
  for (int m = 0; m < months; ++m) {
    const Date month_start = add_months(history_first, m);
    const Date next_month = add_months(month_start, 1);
    const std::string recorded_at = format_date(Date{next_month.days + 2}) + "T09:00:00Z";
    // One transaction per month: everyone's entries of the month, person by person.
    auto tx = store->begin(/*bulk=*/true);
    auto flush = [&] {
      chunk_order.clear();
      for (size_t i = 0; i < in_chunk; ++i) chunk_order.push_back(&chunk[i]);
      if (!chunk_order.empty()) tx->append_all(chunk_order, recorded_at);
      in_chunk = 0;
    };
    for (Cohort& cohort : cohorts) {
      const int from = month_start.days - cohort.first.days;
      const int to = next_month.days - 1 - cohort.first.days;
      if (to < 0 || from >= cohort.horizon) continue;
      for (size_t p = 0; p < cohort.people.size(); ++p) {
        Person& s = cohort.people[p];
        if (s.done || s.start > to || s.end < from) continue;
        buffer.clear();
        cohort.generate(s, from, to, buffer);
        if (buffer.empty()) continue;
        e.person = fmt::format("{}{:0{}d}", cohort.prefix, p, cohort.width);
        for (const Generated& g : buffer) {
          e.date = Date{cohort.first.days + g.day};
          e.kind = g.kind;
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
          switch (g.kind) {
            case EntryKind::Attribute:
              e.measure = "gender";
              e.status = genders[g.code];
              break;
            case EntryKind::Assessment:
              in_framework(*sw);
              e.measure = items[g.code];
              e.value = g.value;
              break;
            case EntryKind::Status:
              in_framework(*sp);
              e.measure = "feeling_safe";
              e.status = statuses[g.code];
              break;
            case EntryKind::Contact:
              e.status = contacts[g.code];
              break;
            case EntryKind::Signal:
              in_framework(*rel);
              e.measure = signals[g.code];
              break;
            case EntryKind::Note:
              e.status = notes[g.code];
              e.text = fmt::format(
                  "Met {} at the drop-in; talked about the week and what comes next.", e.person);
              break;
            case EntryKind::Exit:
              e.status = "no_longer_requires_support";
              break;
            default:
              break;
          }
          chunk[in_chunk++] = e;
          if (in_chunk == kChunk) flush();
        }
        total += static_cast<long long>(buffer.size());
        if (cohort.prefix == 'H') older += static_cast<long long>(buffer.size());
      }
    }
    flush();
    tx->commit();
  }
  std::printf("%lld entries for %d people (%lld of them before 2024-11) in %d monthly imports\n",
              total, people + (history > 0 ? static_cast<int>(cohorts.front().people.size()) : 0),
              older, months);
  return 0;
}
