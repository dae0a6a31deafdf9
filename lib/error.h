// Errors of the outcomes library: one hierarchy, caught once in main.
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

namespace outcomes {

// Documented exit codes of the outcomes binary.
enum ExitCode : int { kExitOk = 0, kExitFailure = 1, kExitUsage = 2, kExitInvalidData = 3 };

// A runtime failure (I/O, database, missing workspace): exit 1.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  virtual int exit_code() const { return kExitFailure; }
};

// The command line was wrong (unknown id given as an option, bad flag value): exit 2.
class UsageError : public Error {
 public:
  using Error::Error;
  int exit_code() const override { return kExitUsage; }
};

// Input data (YAML, CSV, JSONL, values) was invalid; nothing was written: exit 3.
// `problems` holds every problem found, each already formatted with its location
// ("file:line:column: key: message"); what() is a one-line summary.
class InvalidInput : public Error {
 public:
  InvalidInput(std::string summary, std::vector<std::string> problems = {})
      : Error(std::move(summary)), problems_(std::move(problems)) {}
  const std::vector<std::string>& problems() const { return problems_; }
  int exit_code() const override { return kExitInvalidData; }

 private:
  std::vector<std::string> problems_;
};

}  // namespace outcomes
