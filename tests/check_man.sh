#!/usr/bin/env bash
# Fails when the man page and the binary disagree: every subcommand registered in the
# binary needs a section '.SS "outcomes CMD"' in man/outcomes.1 (and every such section a
# command), and every long option shown by 'outcomes CMD --help' must be documented.
set -u
bin=$1 man=$2
status=0
[ -f "$man" ] || { echo "missing man page $man"; exit 1; }
# The page's text with troff's escaped hyphens (\-) made plain.
plain=$(mktemp); trap 'rm -f "$plain"' EXIT
sed 's/\\-/-/g' "$man" >"$plain"

subcommands() {  # the subcommand names listed in a --help text
  awk '/^Subcommands:/ {on=1; next} on && /^  [a-z]/ {print $1} on && /^$/ {on=0}'
}
long_options() {  # the long options listed in a --help text
  grep -oE -- '--[a-z][a-z0-9-]*' | sort -u | grep -vx -- '--help'
}
check_command() {  # $1 = "init" or "frameworks show"
  local cmd=$1
  # shellcheck disable=SC2086
  local help; help=$("$bin" $cmd --help 2>&1) || { echo "'outcomes $cmd --help' failed"; status=1; return; }
  if ! grep -qF ".SS \"outcomes $cmd\"" "$man"; then
    echo "man page lacks a section for 'outcomes $cmd' (.SS \"outcomes $cmd\")"; status=1
  fi
  local opt
  for opt in $(printf '%s\n' "$help" | long_options); do
    grep -qE -- "${opt}([^a-z0-9-]|$)" "$plain" ||
      { echo "man page does not document $opt of 'outcomes $cmd'"; status=1; }
  done
  local sub
  for sub in $(printf '%s\n' "$help" | subcommands); do check_command "$cmd $sub"; done
}

top=$("$bin" --help)
registered=$(printf '%s\n' "$top" | subcommands)
[ -n "$registered" ] || { echo "no subcommands found in 'outcomes --help'"; exit 1; }
for cmd in $registered; do check_command "$cmd"; done
for opt in $(printf '%s\n' "$top" | long_options); do
  grep -qE -- "${opt}([^a-z0-9-]|$)" "$plain" || { echo "man page does not document global $opt"; status=1; }
done
# Sections for commands the binary does not have.
while IFS= read -r section; do
  # shellcheck disable=SC2086
  "$bin" $section --help >/dev/null 2>&1 || { echo "man page documents '$section', which the binary lacks"; status=1; }
done < <(sed -n 's/^\.SS "outcomes \(.*\)"$/\1/p' "$man")
[ $status = 0 ] && echo "man page covers every command and option"
exit $status
