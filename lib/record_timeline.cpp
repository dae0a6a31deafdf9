// The rules of a person's timeline, checked in date order over the new entries merged
// with the stored ones: an enrolment before any other entry, episodes that open and close
// in turn, needs opened before they are met, milestones started before they end, goals
// set before they are reviewed or closed, and one score per item per occasion.
//
// The rules themselves (EpisodeRule, OpenSet) are the ones timelines are read with, in
// timeline.h; the pass applies them entry by entry and words the problems.
#include <cassert>

#include "record_internal.h"
#include "suggest.h"
#include "timeline.h"

namespace outcomes::record_detail {
namespace {

// What the rules know of one person at a point of their timeline.
struct PersonState {
  std::optional<std::int32_t> first_enrol;  // the date of the person's first enrolment
  EpisodeRule episode;
  // Open needs (framework, measure and words), running milestones and open goals.
  OpenSet<std::uint64_t> needs, milestones, goals;
  // The assessment occasion (date) being read, and the items it has scored so far.
  std::int32_t occasion_date = std::numeric_limits<std::int32_t>::min();
  std::vector<std::uint64_t> occasion_items;

  // Starts on a new person, keeping the lists' memory.
  void restart(std::optional<std::int32_t> first) {
    first_enrol = first;
    episode = EpisodeRule{};
    needs.clear();
    milestones.clear();
    goals.clear();
    occasion_items.clear();
    occasion_date = std::numeric_limits<std::int32_t>::min();
  }
};

// --- The rules' decisions -----------------------------------------------------------------

// Every entry but an enrolment is dated on or after the person's first enrolment.
bool enrolled_by(const PersonState& s, const Fact& f) {
  return f.kind == EntryKind::Enrol || (s.first_enrol && f.date >= *s.first_enrol);
}

// An occasion (a person's assessment date) holds one score per item.
bool first_score_on_occasion(const PersonState& s, const Fact& f) {
  return f.date != s.occasion_date ||
         std::find(s.occasion_items.begin(), s.occasion_items.end(), f.key) ==
             s.occasion_items.end();
}

std::string day(std::int32_t d) {
  return format_date(Date{d});
}

std::string day(Date d) {
  return format_date(d);
}

}  // namespace

// One pass over the facts, person by person, applying the rules to each fact in turn.
class TimelinePass {
 public:
  TimelinePass(Checker& checker, const WhereNew& where_new, const DescribeStored& describe_stored,
               PartedProblems* parted)
      : checker_(checker),
        where_new_(where_new),
        describe_stored_(describe_stored),
        parted_(parted) {}

  // Checks one person's facts, in date and recording order.
  void person(std::uint32_t person, const Fact* begin, const Fact* end) {
    std::optional<std::int32_t> first_enrol;
    for (const Fact* f = begin; f != end; ++f)
      if (f->kind == EntryKind::Enrol) {
        first_enrol = f->date;
        break;
      }
    s_.restart(first_enrol);
    for (const Fact* f = begin; f != end; ++f) {
      if (!enrolled_by(s_, *f))
        report(*f, Field::Date,
               fmt::format("{} has no enrolment on or before {}; expected an 'enrol' entry first "
                           "(one in the same file counts)",
                           checker_.people_[person], day(f->date)));
      apply(*f);
    }
  }

 private:
  void apply(const Fact& f) {
    switch (f.kind) {
      case EntryKind::Enrol:
        return enrol(f);
      case EntryKind::Exit:
        return exit(f);
      case EntryKind::Need:
        if (f.key != 0) need(f);
        return;
      case EntryKind::Milestone:
        if (f.key != 0) milestone(f);
        return;
      case EntryKind::Goal:
        if (f.key != 0) goal(f);
        return;
      case EntryKind::Assessment:
        if (f.key != 0) assessment(f);
        return;
      default:
        return;
    }
  }

  void enrol(const Fact& f) {
    if (s_.episode.enrol(Date{f.date}) == EpisodeStep::EnrolWhileOpen)
      report(f, Field::Kind,
             fmt::format("'enrol' while an episode is open (enrolled on {}); expected an 'exit' "
                         "first",
                         day(s_.episode.opened_on())));
  }

  void exit(const Fact& f) {
    auto last_closed = s_.episode.last_closed();
    // An exit before any enrolment is reported as that already.
    if (s_.episode.exit(Date{f.date}) == EpisodeStep::ExitWithoutEpisode && enrolled_by(s_, f))
      report(f, Field::Kind,
             last_closed
                 ? fmt::format("'exit' with no open episode (the last one ended on {}); expected "
                               "an 'enrol' before it",
                               day(*last_closed))
                 : std::string("'exit' with no open episode; expected an 'enrol' before it"));
  }

  void need(const Fact& f) {
    if (f.state == State::Open) {
      if (const auto* held = s_.needs.open(f.key, Date{f.date}))
        report(f, Field::Text,
               fmt::format("need '{}' of {} is already open (opened on {}); expected it to be "
                           "met before it is opened again",
                           text(f), measure_name(f.key), day(held->since)));
    } else if (f.state == State::Met) {
      if (s_.needs.close(f.key)) return;
      auto open_texts = texts_of(s_.needs, f.key);
      std::string open;
      for (std::size_t k = 0; k < open_texts.size(); ++k)
        open += (k ? "', '" : "") + open_texts[k];
      report(f, Field::Text,
             fmt::format("'{}' is not an open need of {}; expected the text of an open need{}{}",
                         text(f), measure_name(f.key),
                         open_texts.empty() ? std::string(" (none is open)")
                                            : " (open: '" + open + "')",
                         did_you_mean(text(f), open_texts)));
    }
  }

  void milestone(const Fact& f) {
    if (f.state == State::Start) {
      if (const auto* held = s_.milestones.open(f.key, Date{f.date}))
        report(f, Field::Status,
               fmt::format("milestone {} is already running (started on {}); expected an 'end' "
                           "before a new 'start'",
                           measure_name(f.key), day(held->since)));
    } else if (f.state == State::End) {
      if (!s_.milestones.close(f.key))
        report(f, Field::Status,
               fmt::format("milestone {} is not running; expected a 'start' before an 'end'",
                           measure_name(f.key)));
    }
  }

  void goal(const Fact& f) {
    if (f.state == State::Set) {
      if (const auto* held = s_.goals.open(f.key, Date{f.date}))
        report(f, Field::Measure,
               fmt::format("goal '{}' is already open (set on {}); expected it to be closed "
                           "before it is set again",
                           text(f), day(held->since)));
    } else if (!s_.goals.find(f.key)) {
      report(f, Field::Measure,
             fmt::format("goal '{}' is not open; expected a 'set' before a '{}'{}", text(f),
                         f.state == State::Review ? "review" : "close",
                         did_you_mean(text(f), texts_of(s_.goals, f.key))));
    } else if (f.state == State::Close) {
      s_.goals.close(f.key);
    }
  }

  void assessment(const Fact& f) {
    if (!first_score_on_occasion(s_, f)) {
      report(f, Field::Measure,
             fmt::format("a second score for item '{}' on {}; an occasion holds one score per "
                         "item (to change a score, correct the first entry with "
                         "'outcomes record --correct')",
                         measure_name(f.key), day(f.date)));
      return;
    }
    if (f.date != s_.occasion_date) {
      s_.occasion_items.clear();
      s_.occasion_date = f.date;
    }
    s_.occasion_items.push_back(f.key);
  }

  void report(const Fact& f, Field field, const std::string& message) {
    if (f.origin == Origin::New) {
      std::uint64_t line = f.order >= kNewOrder ? f.order - kNewOrder : 0;
      add(f, line, static_cast<std::uint32_t>(idx(field)) + 1,
          fmt::format("{}: {}", where_new_(f, field), message));
    } else {
      const std::string& source = checker_.source_;
      add(f, std::numeric_limits<std::uint64_t>::max(), 0,
          fmt::format("{}{} no longer fits: {}", source.empty() ? "" : source + ": ",
                      describe_stored_(f), message));
    }
  }

  void add(const Fact& f, std::uint64_t line, std::uint32_t column, std::string text) {
    if (parted_)
      parted_->add(f.person, line, column, std::move(text));
    else
      checker_.problems_.add(line, column, std::move(text));
  }

  const std::string& text(const Fact& f) const { return checker_.text_at(f.key); }

  std::string measure_name(std::uint64_t key) const {
    const Framework* fw = checker_.framework_at(key_framework(key));
    const Measure* m = checker_.measure_at(key);
    return fmt::format("{}/{}", fw ? fw->id : "?", m ? m->id : "?");
  }

  // The texts of the held keys of the same framework and measure as `like`.
  std::vector<std::string> texts_of(const OpenSet<std::uint64_t>& set, std::uint64_t like) const {
    std::vector<std::string> out;
    for (const auto& h : set.held())
      if ((h.key >> 32) == (like >> 32)) out.push_back(checker_.text_at(h.key));
    return out;
  }

  Checker& checker_;
  const WhereNew& where_new_;
  const DescribeStored& describe_stored_;
  PartedProblems* parted_;
  PersonState s_;
};

void Checker::check_timelines(std::vector<Fact>& facts, const WhereNew& where_new,
                              const DescribeStored& describe_stored, PartedProblems* parted) {
  std::sort(facts.begin(), facts.end(), timeline_before);
  check_sorted_timelines(facts, where_new, describe_stored, parted);
}

void Checker::check_sorted_timelines(const std::vector<Fact>& facts, const WhereNew& where_new,
                                     const DescribeStored& describe_stored,
                                     PartedProblems* parted) {
  assert(std::is_sorted(facts.begin(), facts.end(), timeline_before));
  TimelinePass pass(*this, where_new, describe_stored, parted);
  for (std::size_t begin = 0; begin < facts.size();) {
    std::size_t end = begin;
    bool has_new = false;
    while (end < facts.size() && facts[end].person == facts[begin].person) {
      has_new |= facts[end].origin == Origin::New;
      ++end;
    }
    const std::uint32_t person = facts[begin].person;
    if (!has_new)
      has_new = std::find(also_check_.begin(), also_check_.end(), person) != also_check_.end();
    if (has_new && !person_has_problem(person))
      pass.person(person, facts.data() + begin, facts.data() + end);
    begin = end;
  }
}

void PartedProblems::end_part() {
  const auto before = static_cast<std::ptrdiff_t>(kept_.size());
  kept_.insert(kept_.end(), std::make_move_iterator(part_.begin()),
               std::make_move_iterator(part_.end()));
  part_.clear();
  // One person's problems are all in one part, so the merge keeps each person's in the
  // order found.
  std::inplace_merge(kept_.begin(), kept_.begin() + before, kept_.end(),
                     [](const Item& a, const Item& b) { return a.person < b.person; });
  if (kept_.size() > room_)
    kept_.erase(kept_.begin() + static_cast<std::ptrdiff_t>(room_), kept_.end());
}

void PartedProblems::pass_to(Problems& problems) {
  end_part();
  for (auto& item : kept_) problems.add(item.line, item.column, std::move(item.text));
  problems.count_unkept(total_ - kept_.size());
  kept_.clear();
  total_ = 0;
}

}  // namespace outcomes::record_detail
