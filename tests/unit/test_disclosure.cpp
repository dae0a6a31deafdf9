// Unit tests of lib/disclosure: secondary suppression over identities, checked against a
// brute-force search of every table the shown cells allow.
#include <doctest/doctest.h>

#include <array>
#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <set>

#include "disclosure.h"

using namespace outcomes;

namespace {

// A grid of parts with row totals, column totals and a grand total, as cells of `s`.
struct Grid {
  std::size_t rows = 0, cols = 0;
  std::vector<std::vector<std::size_t>> part;  // [row][col]
  std::vector<std::size_t> row_total, col_total;
  std::size_t grand = 0;
};

Grid grid_system(DisclosureSystem& s, const std::vector<std::vector<int64_t>>& values) {
  Grid g;
  g.rows = values.size();
  g.cols = values.front().size();
  int64_t grand = 0;
  std::vector<int64_t> col_sum(g.cols, 0);
  for (const auto& row : values) {
    g.part.emplace_back();
    for (std::size_t c = 0; c < g.cols; ++c) {
      g.part.back().push_back(s.add(row[c]));
      col_sum[c] += row[c];
      grand += row[c];
    }
  }
  for (std::size_t r = 0; r < g.rows; ++r) {
    int64_t sum = 0;
    for (auto v : values[r]) sum += v;
    g.row_total.push_back(s.add(sum));
  }
  for (std::size_t c = 0; c < g.cols; ++c) g.col_total.push_back(s.add(col_sum[c]));
  g.grand = s.add(grand);
  for (std::size_t r = 0; r < g.rows; ++r) {
    std::vector<Term> t{{g.row_total[r], -1}};
    for (std::size_t c = 0; c < g.cols; ++c) t.push_back({g.part[r][c], 1});
    s.equal(t);
  }
  for (std::size_t c = 0; c < g.cols; ++c) {
    std::vector<Term> t{{g.col_total[c], -1}};
    for (std::size_t r = 0; r < g.rows; ++r) t.push_back({g.part[r][c], 1});
    s.equal(t);
  }
  std::vector<Term> t{{g.grand, -1}};
  for (std::size_t r = 0; r < g.rows; ++r) t.push_back({g.row_total[r], 1});
  s.equal(t);
  return g;
}

// Every value each hidden cell takes over all grids consistent with what is shown: shown
// cells as they are, primary cells 1..k−1, secondary cells k..cap.
std::map<std::size_t, std::set<int64_t>> possible_values(const DisclosureSystem& s, const Grid& g,
                                                         const std::vector<int64_t>& truth,
                                                         int64_t k, int64_t cap) {
  std::vector<std::size_t> free_parts;
  for (const auto& row : g.part)
    for (auto cell : row)
      if (s.state(cell) != CellState::Shown) free_parts.push_back(cell);
  std::map<std::size_t, std::set<int64_t>> seen;
  std::vector<int64_t> v = truth;
  auto fits = [&](std::size_t cell) {
    switch (s.state(cell)) {
      case CellState::Shown:
        return v[cell] == truth[cell];
      case CellState::Primary:
        return v[cell] >= 1 && v[cell] < k;
      case CellState::Secondary:
        return v[cell] >= k;
    }
    return false;
  };
  // The row of each hidden part, and whether it is the last hidden part of its row (the row
  // total can be checked once it is set: prunes the search).
  std::vector<std::size_t> row_of;
  for (std::size_t r = 0; r < g.rows; ++r)
    for (auto cell : g.part[r])
      if (s.state(cell) != CellState::Shown) row_of.push_back(r);
  auto row_fits = [&](std::size_t r) {
    int64_t sum = 0;
    for (auto cell : g.part[r]) sum += v[cell];
    v[g.row_total[r]] = sum;
    return fits(g.row_total[r]);
  };
  std::function<void(std::size_t)> search = [&](std::size_t i) {
    if (i < free_parts.size()) {
      bool primary = s.state(free_parts[i]) == CellState::Primary;
      bool last_of_row = i + 1 == free_parts.size() || row_of[i + 1] != row_of[i];
      for (int64_t x = primary ? 1 : k; x <= (primary ? k - 1 : cap); ++x) {
        v[free_parts[i]] = x;
        if (last_of_row && !row_fits(row_of[i])) continue;
        search(i + 1);
      }
      return;
    }
    int64_t grand = 0;
    for (std::size_t r = 0; r < g.rows; ++r) {
      int64_t sum = 0;
      for (auto cell : g.part[r]) sum += v[cell];
      v[g.row_total[r]] = sum;
      grand += sum;
      if (!fits(g.row_total[r])) return;
    }
    for (std::size_t c = 0; c < g.cols; ++c) {
      int64_t sum = 0;
      for (std::size_t r = 0; r < g.rows; ++r) sum += v[g.part[r][c]];
      v[g.col_total[c]] = sum;
      if (!fits(g.col_total[c])) return;
    }
    v[g.grand] = grand;
    if (!fits(g.grand)) return;
    for (std::size_t cell = 0; cell < v.size(); ++cell)
      if (s.state(cell) != CellState::Shown) seen[cell].insert(v[cell]);
  };
  search(0);
  return seen;
}

}  // namespace

TEST_CASE("a total with one small part hides the next smallest part, never a zero") {
  DisclosureSystem s(5);
  auto total = s.add(20), a = s.add(2), b = s.add(0), c = s.add(7), d = s.add(11);
  s.equal({{a, 1}, {b, 1}, {c, 1}, {d, 1}, {total, -1}});
  CHECK(s.disclosed() == std::vector<std::size_t>{a});
  s.protect();
  CHECK(s.state(a) == CellState::Primary);
  CHECK(s.state(b) == CellState::Shown);
  CHECK(s.state(c) == CellState::Secondary);
  CHECK(s.state(d) == CellState::Shown);
  CHECK(s.state(total) == CellState::Shown);
  CHECK(s.disclosed().empty());
}

TEST_CASE("two small parts of a shown total protect each other unless bounds pin them") {
  // 2 + 3 = 5 of a total 25 with 20 shown: a + b = 5, both 1..4: not fixed.
  DisclosureSystem s(5);
  auto total = s.add(25), a = s.add(2), b = s.add(3), c = s.add(20);
  s.equal({{a, 1}, {b, 1}, {c, 1}, {total, -1}});
  CHECK(s.disclosed().empty());
  // 1 + 1 = 2: both pinned to 1 by the bounds 1..4.
  DisclosureSystem p(5);
  auto total2 = p.add(22), x = p.add(1), y = p.add(1), z = p.add(20);
  p.equal({{x, 1}, {y, 1}, {z, 1}, {total2, -1}});
  CHECK(p.disclosed() == std::vector<std::size_t>{x, y});
  p.protect();
  CHECK(p.state(z) == CellState::Secondary);
  CHECK(p.disclosed().empty());
}

TEST_CASE("the October caseload: 33 open at the start, 34 at the end, 35 active, 1 of each flow") {
  DisclosureSystem s(5);
  auto active = s.add(35), is_new = s.add(1), reengaged = s.add(1), exited = s.add(1),
       start = s.add(33), end = s.add(34);
  // open at the start + new + re-engaged − exited = open at the end; everyone active was open
  // at the start or came in during the period.
  s.equal({{start, 1}, {is_new, 1}, {reengaged, 1}, {exited, -1}, {end, -1}});
  s.equal({{start, 1}, {is_new, 1}, {reengaged, 1}, {active, -1}});
  s.at_most_zero({{end, 1}, {active, -1}});
  CHECK(s.disclosed() == std::vector<std::size_t>{is_new, reengaged, exited});
  s.protect();
  CHECK(s.disclosed().empty());
  for (auto c : {is_new, reengaged, exited}) CHECK(s.state(c) == CellState::Primary);
  // What is left shown cannot be the full set of three totals.
  int shown = 0;
  for (auto c : {active, start, end}) shown += s.state(c) == CellState::Shown;
  CHECK(shown <= 1);

  // The attacker's own arithmetic on what is left: every flow count keeps at least two
  // possible values among the integer solutions (brute force over the hidden cells).
  std::vector<int64_t> truth{35, 1, 1, 1, 33, 34};
  std::map<std::size_t, std::set<int64_t>> seen;
  for (int64_t n = 1; n <= 4; ++n)
    for (int64_t r = 1; r <= 4; ++r)
      for (int64_t e = 1; e <= 4; ++e)
        for (int64_t st = 0; st <= 80; ++st) {
          std::vector<int64_t> v{st + n + r, n, r, e, st, st + n + r - e};
          bool ok = v[5] >= 0 && v[5] <= v[0];
          for (std::size_t i = 0; i < v.size() && ok; ++i) {
            if (s.state(i) == CellState::Shown) ok = v[i] == truth[i];
            if (s.state(i) == CellState::Secondary) ok = v[i] >= 5;
          }
          if (!ok) continue;
          for (std::size_t i = 0; i < v.size(); ++i)
            if (s.state(i) != CellState::Shown) seen[i].insert(v[i]);
        }
  for (std::size_t i = 0; i < 6; ++i)
    if (s.state(i) != CellState::Shown) CHECK_MESSAGE(seen[i].size() >= 2, "cell ", i);
}

TEST_CASE("random grids: after protect no hidden cell has a single possible value") {
  std::mt19937 rng(20261101);
  const int64_t k = 3;
  int protected_cases = 0;
  for (int trial = 0; trial < 300; ++trial) {
    std::size_t rows = 2, cols = 2 + rng() % 2;
    std::vector<std::vector<int64_t>> values(rows, std::vector<int64_t>(cols));
    // Mostly small numbers, some zeros, a few large ones.
    for (auto& row : values)
      for (auto& v : row) v = std::array<int64_t, 8>{0, 1, 2, 1, 3, 4, 2, 6}[rng() % 8];
    DisclosureSystem s(k);
    Grid g = grid_system(s, values);
    std::vector<int64_t> truth(s.size());
    {
      std::size_t i = 0;
      for (const auto& row : values)
        for (auto v : row) truth[i++] = v;
      for (std::size_t r = 0; r < rows; ++r) {
        int64_t sum = 0;
        for (auto v : values[r]) sum += v;
        truth[g.row_total[r]] = sum;
      }
      int64_t grand = 0;
      for (std::size_t c = 0; c < cols; ++c) {
        int64_t sum = 0;
        for (std::size_t r = 0; r < rows; ++r) sum += values[r][c];
        truth[g.col_total[c]] = sum;
        grand += sum;
      }
      truth[g.grand] = grand;
    }
    std::vector<CellState> before;
    for (std::size_t i = 0; i < s.size(); ++i) before.push_back(s.state(i));
    auto unprotectable = s.protect();
    CHECK(s.disclosed() == unprotectable);
    // What protect gave up on stays fixed with every non-zero count hidden.
    if (!unprotectable.empty()) {
      DisclosureSystem all = s;
      for (std::size_t i = 0; i < all.size(); ++i)
        if (truth[i] > 0) all.hide(i);
      auto seen_all = possible_values(all, g, truth, k, truth[g.grand] + k);
      for (auto cell : unprotectable) CHECK(seen_all[cell].size() == 1);
    }
    for (std::size_t i = 0; i < s.size(); ++i) {
      // Zeros stay shown; small counts stay hidden as small; only larger ones become secondary.
      if (truth[i] == 0) CHECK(s.state(i) == CellState::Shown);
      if (before[i] == CellState::Primary) CHECK(s.state(i) == CellState::Primary);
      if (s.state(i) == CellState::Secondary) CHECK(truth[i] >= k);
    }
    auto seen = possible_values(s, g, truth, k, truth[g.grand] + k);
    bool any_hidden = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s.state(i) == CellState::Shown) continue;
      any_hidden = true;
      CHECK(seen[i].count(truth[i]) == 1);  // the search includes the truth
      bool given_up = std::binary_search(unprotectable.begin(), unprotectable.end(), i);
      CHECK_MESSAGE((seen[i].size() >= 2) != given_up, "trial ", trial, " cell ", i);
    }
    protected_cases += any_hidden;
  }
  CHECK(protected_cases > 100);  // the search really exercised suppression
}
