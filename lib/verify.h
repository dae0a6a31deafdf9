// `outcomes verify`: is a workspace's store sound? Its own consistency (from the store
// backend) and whether the recorded data still fits the workspace's frameworks.
#pragma once
#include <iosfwd>
#include <vector>

#include "framework.h"
#include "store.h"

namespace outcomes {

// Every check of a store, in the order printed.
struct Verification {
  std::vector<StoreCheck> store;  // the backend's checks (JourneyStore::check_store)
  StoreCheck frameworks;          // recorded data against the workspace's frameworks
  // True when a check of the store itself found a problem.
  bool damaged() const;
  // True when the store is sound but some recorded data no longer fits a framework.
  bool misfit() const { return !damaged() && !frameworks.problems.empty(); }
  // The exit code of `verify`: 0 when every check passed, 1 (kExitFailure) when the store
  // itself has a problem (whatever else), 3 (kExitInvalidData) when only recorded data no
  // longer fits a framework.
  int exit_code() const;
};

// Runs every check on `store` and compares its entries with `frameworks`; reads only.
Verification verify_store(const JourneyStore& store, const std::vector<Framework>& frameworks);

// Prints a line per check, "NAME: ok[ (detail)]", or "NAME: problem: …" once per problem.
void render_verification(std::ostream& out, const Verification& verification);

}  // namespace outcomes
