#include "verify.h"

#include <fmt/format.h>

#include <algorithm>
#include <ostream>

#include "error.h"
#include "framework_check.h"

namespace outcomes {

bool Verification::damaged() const {
  return std::any_of(store.begin(), store.end(),
                     [](const StoreCheck& c) { return !c.problems.empty(); });
}

int Verification::exit_code() const {
  if (damaged()) return kExitFailure;
  if (misfit()) return kExitInvalidData;
  return kExitOk;
}

namespace {

// The frameworks check as one StoreCheck: a problem per group of entries that no longer fit.
StoreCheck frameworks_check(const JourneyStore& store, const std::vector<Framework>& frameworks) {
  StoreCheck check{"frameworks", {}, ""};
  FrameworkCheck result;
  try {
    result = check_recorded_data(frameworks, store);
  } catch (const Error& e) {
    // A damaged store can stop the read; the store checks above say why.
    check.problems.push_back(fmt::format("not checked: {}", e.what()));
    return check;
  }
  check.detail = fmt::format("{} entr{} checked", result.entries_checked,
                             result.entries_checked == 1 ? "y" : "ies");
  for (const auto& f : result.findings)
    check.problems.push_back(fmt::format(
        "{} entr{} of {}: {}{}{} (see 'outcomes frameworks check')", f.entries,
        f.entries == 1 ? "y" : "ies", f.framework, to_string(f.problem),
        f.measure.empty() ? "" : " ", f.measure));
  return check;
}

}  // namespace

Verification verify_store(const JourneyStore& store, const std::vector<Framework>& frameworks) {
  Verification v;
  v.store = store.check_store();
  v.frameworks = frameworks_check(store, frameworks);
  return v;
}

void render_verification(std::ostream& out, const Verification& verification) {
  auto print = [&](const StoreCheck& c) {
    if (c.problems.empty()) {
      out << c.name << ": ok";
      if (!c.detail.empty()) out << " (" << c.detail << ')';
      out << '\n';
    }
    for (const auto& problem : c.problems) out << c.name << ": problem: " << problem << '\n';
  };
  for (const auto& c : verification.store) print(c);
  print(verification.frameworks);
}

}  // namespace outcomes
