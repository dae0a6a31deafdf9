#!/usr/bin/env bash
# Runs one end-to-end case (a tests/e2e/*.test file) against the real binary.
#
# A case is a sequence of sections, each opened by a line "=== KIND [ARG]":
#   === file NAME       the following lines are written to NAME in the case's folder
#   === run             the following line(s) are a shell command (outcomes is on PATH)
#   === stdout          the command's expected standard output, exactly
#   === stdout-has      lines that must each appear somewhere in standard output
#   === stderr          the expected standard error, exactly
#   === stderr-has      lines that must each appear somewhere in standard error
#   === exit N          the expected exit status (default 0)
#   === sqlite-only     the case reads or damages the SQLite file itself, so it does not run
#                       again with the store on PostgreSQL (tests/pg/e2e_env.sh)
#   === pg-only         the case needs its stores on PostgreSQL (several services in one
#                       database): it runs only with OUTCOMES_E2E_PG, and is skipped without
# Lines before the first section are a description. Each "run" is checked when the
# next "run" starts or the file ends; an unstated stdout or stderr must be empty,
# unless the case says "=== any-output" for that run.
# Every case runs in a fresh temporary folder with TZ, LC_ALL, HOME and today pinned;
# $SRC is the source tree (for examples/ and frameworks/).
set -u
bin=$1 case=$2 src=$3
source "$(dirname "$0")/pinned_env.sh"
# With OUTCOMES_E2E_PG (the test cluster's socket folder), workspaces keep their stores on
# PostgreSQL instead, in a database made for this case and dropped after it.
[ -n "${OUTCOMES_E2E_PG:-}" ] && source "$(dirname "$0")/pg/e2e_env.sh"
if [ -z "${OUTCOMES_E2E_PG:-}" ] && grep -q '^=== pg-only' "$case"; then
  echo "SKIP: $case runs only with its stores on PostgreSQL (OUTCOMES_E2E_PG)"
  exit 77
fi
failures=0 runs=0

section="" arg="" cmd="" exp_out="" exp_err="" exp_exit=0 has_out="" has_err=""
check_out=0 check_err=0 any=0 file_name="" file_body=""

fail() { echo "FAIL ($case, run $runs: $cmd): $1"; failures=$((failures + 1)); }

finish_run() {
  [ -z "$cmd" ] && return
  runs=$((runs + 1))
  (cd "$work/ws" && bash -c "$cmd") >"$work/out" 2>"$work/err" </dev/null
  local status=$?
  if [ "$status" != "$exp_exit" ]; then
    fail "exit status $status, expected $exp_exit"
    echo "--- stderr was:"; cat "$work/err"
  fi
  if [ $check_out = 1 ]; then
    printf '%s' "$exp_out" >"$work/exp_out"
    diff -u "$work/exp_out" "$work/out" >"$work/diff" || { fail "stdout differs"; cat "$work/diff"; }
  elif [ $any = 0 ] && [ -z "$has_out" ] && [ -s "$work/out" ]; then
    fail "unexpected stdout"; head -20 "$work/out"
  fi
  if [ $check_err = 1 ]; then
    printf '%s' "$exp_err" >"$work/exp_err"
    diff -u "$work/exp_err" "$work/err" >"$work/diff" || { fail "stderr differs"; cat "$work/diff"; }
  elif [ $any = 0 ] && [ -z "$has_err" ] && [ -s "$work/err" ]; then
    fail "unexpected stderr"; head -20 "$work/err"
  fi
  local line
  while IFS= read -r line; do
    [ -z "$line" ] && continue
    grep -qF -- "$line" "$work/out" || fail "stdout lacks: $line"
  done <<<"$has_out"
  while IFS= read -r line; do
    [ -z "$line" ] && continue
    grep -qF -- "$line" "$work/err" || fail "stderr lacks: $line"
  done <<<"$has_err"
  cmd="" exp_out="" exp_err="" exp_exit=0 has_out="" has_err="" check_out=0 check_err=0 any=0
}

finish_file() {
  [ -z "$file_name" ] && return
  mkdir -p "$(dirname "$work/ws/$file_name")"
  printf '%s' "$file_body" >"$work/ws/$file_name"
  file_name="" file_body=""
}

mkdir -p "$work/ws"
while IFS= read -r line || [ -n "$line" ]; do
  if [[ $line == "=== "* ]]; then
    read -r kind arg <<<"${line#=== }"
    [ "$section" = file ] && finish_file
    case $kind in
      run) finish_run ;;
      file) file_name=$arg; file_body="" ;;
      stdout) check_out=1 ;;
      stderr) check_err=1 ;;
      exit) exp_exit=$arg ;;
      any-output) any=1 ;;
      stdout-has|stderr-has|sqlite-only|pg-only) ;;
      *) echo "FAIL ($case): unknown section '$kind'"; exit 1 ;;
    esac
    section=$kind
    continue
  fi
  case $section in
    file) file_body+="$line"$'\n' ;;
    run) if [ -z "$cmd" ]; then cmd=$line; else cmd+=$'\n'"$line"; fi ;;
    stdout) exp_out+="$line"$'\n' ;;
    stderr) exp_err+="$line"$'\n' ;;
    stdout-has) has_out+="$line"$'\n' ;;
    stderr-has) has_err+="$line"$'\n' ;;
  esac
done <"$case"
[ "$section" = file ] && finish_file
finish_run

if [ $runs = 0 ]; then echo "FAIL ($case): no run section"; exit 1; fi
[ $failures = 0 ] || exit 1
exit 0
