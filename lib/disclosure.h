// Secondary suppression over linear identities. Cells are whole-number counts tied by
// identities (a total equals the sum of its parts) and inequalities (a part is at most its
// whole). After primary suppression hides the small counts, a hidden cell is disclosed when
// the shown cells fix its value: by linear arithmetic over the identities, or because the
// bounds every hidden cell is known to have (1 to threshold−1 for a small count, threshold
// or more for one hidden to protect another; zeros are always shown) pin it to one value.
#pragma once
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace outcomes {

enum class CellState {
  Shown,
  Primary,    // a count from 1 to threshold−1
  Secondary,  // hidden only so that a small count cannot be worked out
};

// One term of a linear constraint: coefficient × cell.
using Term = std::pair<std::size_t, int64_t>;

class DisclosureSystem {
 public:
  // `threshold`: counts from 1 to threshold−1 are hidden.
  explicit DisclosureSystem(int64_t threshold) : threshold_(threshold) {}

  // Adds a count; it starts hidden (primary) when it is from 1 to threshold−1. Returns its index.
  std::size_t add(int64_t value);
  // The identity Σ coefficient·cell = 0.
  void equal(std::vector<Term> terms);
  // The inequality Σ coefficient·cell ≤ 0.
  void at_most_zero(std::vector<Term> terms);

  // Hides a shown cell as secondary.
  void hide(std::size_t cell) {
    if (cells_[cell].state == CellState::Shown) cells_[cell].state = CellState::Secondary;
  }
  CellState state(std::size_t cell) const { return cells_[cell].state; }
  std::size_t size() const { return cells_.size(); }

  // The hidden cells whose value the shown cells fix, in index order.
  std::vector<std::size_t> disclosed() const;

  // Hides shown cells (secondary) until no hidden cell is disclosed: while one is, hides the
  // smallest non-zero shown cell whose hiding leaves it undetermined (or, when no single
  // cell does, the smallest tied to it, and tries again). A cell that stays fixed even with
  // every non-zero count hidden (small counts whose least possible sum reaches their small
  // total, such as 1 + 1 = 2 under a threshold of 3) cannot be protected this way: those are
  // returned, in index order, and nothing is hidden for them.
  std::vector<std::size_t> protect();

 private:
  struct Cell {
    int64_t value = 0;
    CellState state = CellState::Shown;
  };
  struct Constraint {
    std::vector<Term> terms;
    bool equality = true;
  };

  // Disclosed hidden cells among `cells` (one connected group of constraints).
  std::vector<std::size_t> disclosed_in(const std::vector<std::size_t>& cells,
                                        const std::vector<std::size_t>& constraints) const;
  // Groups of cells tied together by constraints, each with its constraints.
  std::vector<std::pair<std::vector<std::size_t>, std::vector<std::size_t>>> groups() const;

  int64_t threshold_;
  std::vector<Cell> cells_;
  std::vector<Constraint> constraints_;
};

}  // namespace outcomes
