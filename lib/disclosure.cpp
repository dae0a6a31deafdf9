#include "disclosure.h"

#include <algorithm>
#include <numeric>
#include <optional>
#include <stdexcept>

namespace outcomes {
namespace {

// An exact rational; overflow (far beyond any report's counts) is a bug, not a guess.
struct Q {
  int64_t n = 0;
  int64_t d = 1;
};

int64_t checked_mul(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) throw std::overflow_error("disclosure: overflow");
  return r;
}

int64_t checked_add(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) throw std::overflow_error("disclosure: overflow");
  return r;
}

Q make_q(int64_t n, int64_t d) {
  if (d < 0) n = -n, d = -d;
  int64_t g = std::gcd(n, d);
  if (g > 1) n /= g, d /= g;
  return {n, d};
}

Q operator+(Q a, Q b) {
  return make_q(checked_add(checked_mul(a.n, b.d), checked_mul(b.n, a.d)), checked_mul(a.d, b.d));
}
Q operator-(Q a) {
  return {-a.n, a.d};
}
Q operator-(Q a, Q b) {
  return a + -b;
}
Q operator*(Q a, Q b) {
  return make_q(checked_mul(a.n, b.n), checked_mul(a.d, b.d));
}
Q operator/(Q a, Q b) {
  return make_q(checked_mul(a.n, b.d), checked_mul(a.d, b.n));
}
bool is_zero(Q a) {
  return a.n == 0;
}

int64_t floor_q(Q a) {
  int64_t f = a.n / a.d;
  return (a.n % a.d != 0 && a.n < 0) ? f - 1 : f;
}
int64_t ceil_q(Q a) {
  int64_t f = a.n / a.d;
  return (a.n % a.d != 0 && a.n > 0) ? f + 1 : f;
}

// What is known of a hidden cell's value: lo ≤ value ≤ hi (hi absent: no upper bound).
struct Bounds {
  int64_t lo = 1;
  std::optional<int64_t> hi;
};

// Σ coef[col]·hidden[col] ≤ rhs over the hidden cells (columns) of one group.
struct Row {
  std::vector<Q> coef;
  Q rhs;
};

// Tightens `b` from one row; returns false when nothing changed. An empty range (lo > hi)
// means the identities do not hold exactly for these counts: the caller treats it as fixed.
bool tighten(const Row& row, std::vector<Bounds>& b) {
  // The least each term can be, and how many terms are unbounded below.
  Q least_sum;
  int unbounded = 0;
  std::vector<std::optional<Q>> least(row.coef.size());
  for (std::size_t j = 0; j < row.coef.size(); ++j) {
    Q c = row.coef[j];
    if (is_zero(c)) continue;
    if (c.n > 0)
      least[j] = c * Q{b[j].lo, 1};
    else if (b[j].hi)
      least[j] = c * Q{*b[j].hi, 1};
    if (least[j])
      least_sum = least_sum + *least[j];
    else
      ++unbounded;
  }
  bool changed = false;
  for (std::size_t j = 0; j < row.coef.size(); ++j) {
    Q c = row.coef[j];
    if (is_zero(c)) continue;
    if (unbounded - (least[j] ? 0 : 1) > 0) continue;
    Q rest = least[j] ? least_sum - *least[j] : least_sum;
    Q limit = (row.rhs - rest) / c;
    if (c.n > 0) {
      int64_t hi = floor_q(limit);
      if (!b[j].hi || hi < *b[j].hi) b[j].hi = hi, changed = true;
    } else {
      int64_t lo = ceil_q(limit);
      if (lo > b[j].lo) b[j].lo = lo, changed = true;
    }
  }
  return changed;
}

}  // namespace

std::size_t DisclosureSystem::add(int64_t value) {
  bool small = value >= 1 && value < threshold_;
  cells_.push_back({value, small ? CellState::Primary : CellState::Shown});
  return cells_.size() - 1;
}

void DisclosureSystem::equal(std::vector<Term> terms) {
  constraints_.push_back({std::move(terms), true});
}

void DisclosureSystem::at_most_zero(std::vector<Term> terms) {
  constraints_.push_back({std::move(terms), false});
}

std::vector<std::pair<std::vector<std::size_t>, std::vector<std::size_t>>>
DisclosureSystem::groups() const {
  std::vector<std::size_t> parent(cells_.size());
  std::iota(parent.begin(), parent.end(), std::size_t{0});
  auto find = [&](std::size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (const auto& c : constraints_)
    for (const auto& [cell, coef] : c.terms) parent[find(cell)] = find(c.terms.front().first);
  std::vector<std::pair<std::vector<std::size_t>, std::vector<std::size_t>>> out;
  std::vector<std::size_t> slot(cells_.size(), SIZE_MAX);
  for (std::size_t i = 0; i < constraints_.size(); ++i) {
    if (constraints_[i].terms.empty()) continue;
    std::size_t root = find(constraints_[i].terms.front().first);
    if (slot[root] == SIZE_MAX) slot[root] = out.size(), out.emplace_back();
    out[slot[root]].second.push_back(i);
  }
  for (std::size_t cell = 0; cell < cells_.size(); ++cell)
    if (slot[find(cell)] != SIZE_MAX) out[slot[find(cell)]].first.push_back(cell);
  return out;
}

std::vector<std::size_t> DisclosureSystem::disclosed_in(
    const std::vector<std::size_t>& cells, const std::vector<std::size_t>& constraints) const {
  // Columns: the hidden cells of the group.
  std::vector<std::size_t> hidden;
  std::vector<std::size_t> column(cells_.size(), SIZE_MAX);
  std::vector<Bounds> bounds;
  for (std::size_t cell : cells) {
    const Cell& c = cells_[cell];
    if (c.state == CellState::Shown) continue;
    column[cell] = hidden.size();
    hidden.push_back(cell);
    // A secondary cell is never small (small ones are all primary) and never zero.
    bounds.push_back(c.state == CellState::Primary ? Bounds{1, threshold_ - 1}
                                                   : Bounds{threshold_, std::nullopt});
  }
  if (hidden.empty()) return {};
  const std::size_t m = hidden.size();

  // Each constraint over the hidden cells, the shown ones moved to the right-hand side.
  std::vector<Row> equalities, rows;
  for (std::size_t ci : constraints) {
    const Constraint& c = constraints_[ci];
    Row row{std::vector<Q>(m), Q{}};
    bool any = false;
    for (const auto& [cell, coef] : c.terms) {
      if (column[cell] != SIZE_MAX) {
        row.coef[column[cell]] = row.coef[column[cell]] + Q{coef, 1};
        any = true;
      } else {
        row.rhs = row.rhs - Q{checked_mul(coef, cells_[cell].value), 1};
      }
    }
    if (!any) continue;
    if (c.equality) equalities.push_back(row);
    rows.push_back(row);
    if (c.equality) {
      Row negated = row;
      for (auto& q : negated.coef) q = -q;
      negated.rhs = -negated.rhs;
      rows.push_back(std::move(negated));
    }
  }

  // Reduced row echelon form of the equalities: a hidden cell is fixed by linear arithmetic
  // when its pivot row has no other non-zero coefficient.
  std::vector<bool> fixed(m, false);
  std::size_t rank = 0;
  for (std::size_t col = 0; col < m && rank < equalities.size(); ++col) {
    std::size_t pivot = rank;
    while (pivot < equalities.size() && is_zero(equalities[pivot].coef[col])) ++pivot;
    if (pivot == equalities.size()) continue;
    std::swap(equalities[rank], equalities[pivot]);
    Row& p = equalities[rank];
    Q scale = p.coef[col];
    for (auto& q : p.coef) q = q / scale;
    p.rhs = p.rhs / scale;
    for (std::size_t i = 0; i < equalities.size(); ++i) {
      if (i == rank || is_zero(equalities[i].coef[col])) continue;
      Q factor = equalities[i].coef[col];
      for (std::size_t j = 0; j < m; ++j)
        if (!is_zero(p.coef[j])) equalities[i].coef[j] = equalities[i].coef[j] - factor * p.coef[j];
      equalities[i].rhs = equalities[i].rhs - factor * p.rhs;
    }
    ++rank;
  }
  for (std::size_t r = 0; r < rank; ++r) {
    const Row& row = equalities[r];
    std::size_t nonzero = 0, last = 0;
    for (std::size_t j = 0; j < m; ++j)
      if (!is_zero(row.coef[j])) ++nonzero, last = j;
    if (nonzero == 1) fixed[last] = true;
    // Derived equalities bound cells that no single original row bounds.
    Row negated = row;
    for (auto& q : negated.coef) q = -q;
    negated.rhs = -negated.rhs;
    rows.push_back(row);
    rows.push_back(std::move(negated));
  }

  // Bounds propagation to a fixed point (capped: unbounded cells can creep for ever).
  // An empty range stops it: the counts break an identity assumed exact, and the cell whose
  // range emptied is reported as fixed (the cautious reading).
  auto empty = [&] {
    return std::any_of(bounds.begin(), bounds.end(),
                       [](const Bounds& b) { return b.hi && b.lo > *b.hi; });
  };
  for (int round = 0; round < 64 && !empty(); ++round) {
    bool changed = false;
    for (const Row& row : rows) {
      changed = tighten(row, bounds) || changed;
      if (empty()) break;
    }
    if (!changed) break;
  }

  std::vector<std::size_t> out;
  for (std::size_t j = 0; j < m; ++j)
    if (fixed[j] || (bounds[j].hi && bounds[j].lo >= *bounds[j].hi)) out.push_back(hidden[j]);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::size_t> DisclosureSystem::disclosed() const {
  std::vector<std::size_t> out;
  for (const auto& [cells, constraints] : groups()) {
    auto found = disclosed_in(cells, constraints);
    out.insert(out.end(), found.begin(), found.end());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::size_t> DisclosureSystem::protect() {
  std::vector<std::size_t> unprotectable;
  for (const auto& [cells, constraints] : groups()) {
    std::vector<std::size_t> candidates;
    for (std::size_t cell : cells)
      if (cells_[cell].state == CellState::Shown && cells_[cell].value > 0)
        candidates.push_back(cell);
    std::stable_sort(candidates.begin(), candidates.end(), [&](std::size_t a, std::size_t b) {
      return cells_[a].value < cells_[b].value;
    });
    // Disclosed whatever else is hidden: checked once, with every candidate hidden.
    std::vector<std::size_t> hopeless;
    {
      for (std::size_t c : candidates) cells_[c].state = CellState::Secondary;
      hopeless = disclosed_in(cells, constraints);
      for (std::size_t c : candidates) cells_[c].state = CellState::Shown;
    }
    for (;;) {
      auto found = disclosed_in(cells, constraints);
      auto open = std::find_if(found.begin(), found.end(), [&](std::size_t c) {
        return !std::binary_search(hopeless.begin(), hopeless.end(), c);
      });
      if (open == found.end() || candidates.empty()) break;
      const std::size_t target = *open;
      auto breaks = candidates.end();
      for (auto it = candidates.begin(); it != candidates.end(); ++it) {
        cells_[*it].state = CellState::Secondary;
        auto still = disclosed_in(cells, constraints);
        cells_[*it].state = CellState::Shown;
        if (!std::binary_search(still.begin(), still.end(), target)) {
          breaks = it;
          break;
        }
      }
      if (breaks == candidates.end()) {
        // No one cell frees it: hide the smallest cell sharing a constraint with it and retry.
        breaks = std::find_if(candidates.begin(), candidates.end(), [&](std::size_t cell) {
          return std::any_of(constraints.begin(), constraints.end(), [&](std::size_t ci) {
            const auto& t = constraints_[ci].terms;
            auto has = [&](std::size_t x) {
              return std::any_of(t.begin(), t.end(), [&](const Term& term) {
                return term.first == x && term.second != 0;
              });
            };
            return has(cell) && has(target);
          });
        });
        if (breaks == candidates.end()) breaks = candidates.begin();
      }
      cells_[*breaks].state = CellState::Secondary;
      candidates.erase(breaks);
    }
    auto left = disclosed_in(cells, constraints);
    unprotectable.insert(unprotectable.end(), left.begin(), left.end());
  }
  std::sort(unprotectable.begin(), unprotectable.end());
  return unprotectable;
}

}  // namespace outcomes
