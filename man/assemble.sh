#!/usr/bin/env bash
# Builds man/outcomes.1 from the per-command fragments in man/sections/, in a fixed order.
# The result is committed; tests/check_man.sh checks it against the binary.
set -eu
cd "$(dirname "$0")"
{
  for part in head init frameworks record journey assess report export backup verify forget store tail; do
    cat "sections/$part.1.part"
  done
} > outcomes.1
