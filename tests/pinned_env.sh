# The environment every end-to-end run of the binary pins, sourced by run_e2e.sh and
# bad_inputs/run.sh with $bin (the binary) and $src (the source tree) set: a fresh
# temporary folder $work (removed on exit) with `outcomes` on PATH, TZ, LC_ALL, HOME and
# today pinned, shipped frameworks from the source tree, and no workspace from outside.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"
ln -s "$bin" "$work/bin/outcomes"
export PATH="$work/bin:$PATH" TZ=UTC LC_ALL=C.UTF-8 HOME="$work" SRC="$src"
export OUTCOMES_NOW=2026-11-15 OUTCOMES_SHARE="$src/frameworks"
# The framework cache goes under HOME, so every run starts without one.
unset OUTCOMES_WORKSPACE OUTCOMES_CACHE XDG_CACHE_HOME
