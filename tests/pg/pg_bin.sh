# Sourced by every script that runs PostgreSQL's own programs (cluster.sh, test_db.sh,
# bench/pg.sh): sets pg_bin to the newest Debian /usr/lib/postgresql/VERSION/bin holding
# initdb, pg_ctl and psql, or to nothing when there is none.
# shellcheck shell=bash
pg_bin=
for pg_bin_candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  if [ -x "$pg_bin_candidate/initdb" ] && [ -x "$pg_bin_candidate/pg_ctl" ] &&
     [ -x "$pg_bin_candidate/psql" ]; then
    pg_bin=$pg_bin_candidate
    break
  fi
done
unset pg_bin_candidate
