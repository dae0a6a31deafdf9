// Writes a valid long entries CSV for benchmarks: gen_entries ROWS PEOPLE TODAY [--refs]
//
// People enrol over the first two months of a two-year span ending at TODAY, then each
// active person has at most one event a day: contacts, NDT assessment occasions (ten
// rows), relational signals, Supporting People statuses, needs opened and met,
// milestones started and ended, goals set, reviewed and closed, notes (some with commas
// and quotes), equality attributes, exits and re-enrolments. Rows come out in date
// order, people interleaved, as a case-management export would give them. Deterministic.
#include <fmt/format.h>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "date.h"

namespace {

struct Random {
  std::uint64_t state;
  std::uint32_t next() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::uint32_t>(state >> 33);
  }
  int below(int n) { return static_cast<int>(next() % static_cast<std::uint32_t>(n)); }
  bool chance(double p) { return next() < p * 2147483648.0; }
};

struct Person {
  int start_day = 0;
  bool enrolled = false;
  int enrolled_on = 0;
  int last_occasion = -1000;
  int needs_open = 0, needs_opened = 0;
  std::vector<int> open_needs;
  bool milestone_running = false;
  int goals_set = 0;
  bool goal_open = false;
  int ndt[10] = {2, 2, 2, 4, 4, 2, 2, 2, 2, 2};
};

constexpr std::string_view kNdtItems[10] = {"engagement",
                                            "intentional_self_harm",
                                            "unintentional_self_harm",
                                            "risk_to_others",
                                            "risk_from_others",
                                            "stress_anxiety",
                                            "social_effectiveness",
                                            "alcohol_drug_abuse",
                                            "impulse_control",
                                            "housing"};
constexpr std::string_view kContacts[4] = {"attended", "missed", "self_initiated", "outreach"};
constexpr std::string_view kSignals[8] = {"met_and_talked",      "turned_up",
                                          "shared_feelings",     "reflected",
                                          "tried_something_new", "reconnected_with_service",
                                          "contacted_worker",    "considered_support"};
constexpr std::string_view kSpMeasures[11] = {
    "feeling_safe",           "safety_of_self_and_others", "managing_accommodation",
    "managing_relationships", "part_of_community",         "managing_money",
    "education_learning",     "employment_voluntary_work", "physically_healthy",
    "mentally_healthy",       "healthy_active_lifestyle"};
constexpr std::string_view kSpStatuses[4] = {"achieved", "partial", "not_achieved", "not_relevant"};
constexpr std::string_view kMilestones[4] = {"housing_stability", "paid_employment", "volunteering",
                                             "completed_treatment"};
constexpr std::string_view kExitReasons[4] = {
    "moved_to_other_support", "no_longer_requires_support", "disengaged", "moved_out_of_area"};
constexpr std::string_view kNotes[4] = {
    "Came in on his own and stayed for a cup of tea",
    "\"Talked about her family, and about going home\"",
    "Missed the appointment; phoned later to apologise",
    "\"Said \"\"I'm doing alright this week\"\", first time in months\""};

// The CSV being written, gathered in a large buffer and written to standard output in
// blocks; each row is put together by hand, as the per-field formatting a stream or fmt
// would do cost more than the import that reads the file.
class Csv {
 public:
  // No row is longer than this (the longest fields are the notes and the measures).
  static constexpr std::size_t kRowRoom = 1024;

  Csv() : buffer_(std::size_t{1} << 22) {}

  // Room for one more row, writing out what is held when there is not.
  void make_room() {
    if (buffer_.size() - used_ < kRowRoom) flush();
  }
  void put(std::string_view text) {
    std::memcpy(buffer_.data() + used_, text.data(), text.size());
    used_ += text.size();
  }
  void put(char c) { buffer_[used_++] = c; }
  void put_number(std::uint64_t n) { put_digits(std::to_chars(end(), limit(), n).ptr); }
  void put_number(int n) { put_digits(std::to_chars(end(), limit(), n).ptr); }
  void flush() {
    if (used_ > 0 && std::fwrite(buffer_.data(), 1, used_, stdout) != used_) {
      std::perror("gen_entries: cannot write the output");
      std::exit(1);
    }
    used_ = 0;
  }

 private:
  char* end() { return buffer_.data() + used_; }
  char* limit() { return buffer_.data() + buffer_.size(); }
  void put_digits(char* past) { used_ = static_cast<std::size_t>(past - buffer_.data()); }

  std::vector<char> buffer_;
  std::size_t used_ = 0;
};

// A value column that is left empty.
constexpr int kNoValue = -1000000;

// `prefix` followed by `n`, in `room` (large enough for both).
std::string_view numbered(char* room, std::string_view prefix, int n) {
  std::memcpy(room, prefix.data(), prefix.size());
  char* past = std::to_chars(room + prefix.size(), room + prefix.size() + 12, n).ptr;
  return {room, static_cast<std::size_t>(past - room)};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: gen_entries ROWS PEOPLE TODAY [--refs]\n");
    return 2;
  }
  const std::uint64_t rows = std::strtoull(argv[1], nullptr, 10);
  const int people = std::atoi(argv[2]);
  auto today = outcomes::parse_date(argv[3]);
  const bool refs = argc > 4 && std::string(argv[4]) == "--refs";
  if (!today || people <= 0 || rows == 0) {
    std::fprintf(stderr, "gen_entries: bad arguments\n");
    return 2;
  }
  const int span = 730;
  const int first_day = today->days - span;
  // Events per active person-day, so that the rows fill the span (an occasion is 10 rows).
  const double rate = std::min(
      0.95, 1.3 * static_cast<double>(rows) / (static_cast<double>(people) * (span - 30) * 1.25));
  Random rng{20261115};
  std::vector<Person> ps(static_cast<std::size_t>(people));
  for (auto& p : ps) p.start_day = first_day + rng.below(60);

  // Every name and worker as written, made once rather than for every row.
  std::vector<std::string> names(static_cast<std::size_t>(people));
  for (int i = 0; i < people; ++i)
    names[static_cast<std::size_t>(i)] = fmt::format("P{:05d}", i + 1);
  std::string workers[21];
  for (int w = 1; w <= 20; ++w) workers[w] = fmt::format("w{}", w);

  Csv out;
  out.put("person,date,kind,framework,measure,value,status,text,by,ref\n");
  std::uint64_t written = 0, next_ref = 1;
  std::string date;
  std::string_view person;
  auto row = [&](std::string_view kind, std::string_view framework, std::string_view measure,
                 int value, std::string_view status, std::string_view text, int worker) {
    if (written >= rows) return;
    out.make_room();
    out.put(person);
    out.put(',');
    out.put(date);
    out.put(',');
    out.put(kind);
    out.put(',');
    out.put(framework);
    out.put(',');
    out.put(measure);
    out.put(',');
    if (value != kNoValue) out.put_number(value);
    out.put(',');
    out.put(status);
    out.put(',');
    out.put(text);
    out.put(',');
    out.put(workers[worker]);
    out.put(',');
    if (refs) {
      out.put('e');
      out.put_number(next_ref++);
    }
    out.put('\n');
    ++written;
  };
  char text_room[32];

  for (int day = first_day; day <= today->days && written < rows; ++day) {
    date = outcomes::format_date(outcomes::Date{day});
    for (int i = 0; i < people && written < rows; ++i) {
      Person& p = ps[static_cast<std::size_t>(i)];
      if (day < p.start_day) continue;
      person = names[static_cast<std::size_t>(i)];
      const int worker = 1 + i % 20;
      if (!p.enrolled) {
        if (day == p.start_day || rng.chance(0.01)) {
          row("enrol", "", "", kNoValue, "",
              day == p.start_day ? "Referred by outreach" : "Came back", worker);
          p.enrolled = true;
          p.enrolled_on = day;
          if (day == p.start_day)
            row("attribute", "", "gender", kNoValue, rng.chance(0.5) ? "man" : "woman", "", worker);
        }
        continue;
      }
      if (!rng.chance(rate)) continue;
      int pick = rng.below(1000);
      if (pick < 30 && day - p.last_occasion >= 28) {
        for (int k = 0; k < 10; ++k) {
          int step = (k == 3 || k == 4) ? 2 : 1;
          int top = (k == 3 || k == 4) ? 8 : 4;
          int v = p.ndt[k] + step * (rng.below(3) - 1);
          p.ndt[k] = v < 0 ? 0 : v > top ? top : v;
          row("assessment", "ndt", kNdtItems[k], p.ndt[k], "", "", worker);
        }
        p.last_occasion = day;
      } else if (pick < 520) {
        row("contact", "", "", kNoValue, kContacts[rng.below(4)], "", worker);
      } else if (pick < 640) {
        row("signal", "relational", kSignals[rng.below(8)], kNoValue, "", "", worker);
      } else if (pick < 720) {
        // Drawn in the order the first version's calls evaluated their arguments (GCC's, last
        // to first), so that a seed gives the same file as it always has.
        const std::string_view status = kSpStatuses[rng.below(4)];
        row("status", "supporting-people", kSpMeasures[rng.below(11)], kNoValue, status, "",
            worker);
      } else if (pick < 800) {
        if (!p.open_needs.empty() && rng.chance(0.5)) {
          int n = p.open_needs.back();
          p.open_needs.pop_back();
          row("need", "supporting-people", kSpMeasures[n % 11], kNoValue, "met",
              numbered(text_room, "Need ", n), worker);
        } else {
          int n = ++p.needs_opened;
          p.open_needs.push_back(n);
          row("need", "supporting-people", kSpMeasures[n % 11], kNoValue, "open",
              numbered(text_room, "Need ", n), worker);
        }
      } else if (pick < 840) {
        row("milestone", "relational", kMilestones[i % 4], kNoValue,
            p.milestone_running ? "end" : "start", "", worker);
        p.milestone_running = !p.milestone_running;
      } else if (pick < 880) {
        if (!p.goal_open) {
          row("goal", "goals", numbered(text_room, "g", ++p.goals_set), -1, "set",
              "Keep my own place", worker);
          p.goal_open = true;
        } else {
          bool close = rng.chance(0.3);
          row("goal", "goals", numbered(text_room, "g", p.goals_set), rng.below(5) - 2,
              close ? "close" : "review", "", worker);
          p.goal_open = !close;
        }
      } else if (pick < 990) {
        // As for statuses: the note before whether it is shareable.
        const std::string_view note = kNotes[rng.below(4)];
        row("note", "", "", kNoValue, rng.chance(0.7) ? "shareable" : "private", note, worker);
      } else if (day - p.enrolled_on > 90) {
        row("exit", "", "", kNoValue, kExitReasons[rng.below(4)], "", worker);
        p.enrolled = false;
      }
    }
  }
  out.flush();
  if (written < rows)
    std::fprintf(stderr, "gen_entries: only %llu rows fit the span\n",
                 static_cast<unsigned long long>(written));
  return 0;
}
