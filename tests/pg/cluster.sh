#!/bin/bash
# A throw-away PostgreSQL cluster for the tests: Debian's initdb and pg_ctl in a folder of
# its own, reachable only through a Unix socket in that folder, trust authentication for the
# role "outcomes", no fsync. Tests read its libpq connection string from OUTCOMES_TEST_PG
# (tests/CMakeLists.txt sets it to "host=DIR user=outcomes dbname=outcomes").
#
#   cluster.sh start DIR   initialise and start it (DIR is made; one left over is replaced)
#   cluster.sh stop DIR    stop it and remove DIR (always succeeds when nothing is left)
#
# OUTCOMES_PG_CONF, when set, holds more lines for the server's postgresql.conf; they
# override the ones above (bench/pg.sh gives the server more memory).
#
# start exits 77 (the tests' SKIP) when no server can be run here: no PostgreSQL binaries,
# or running as root with no unprivileged user to run the server as (initdb refuses root).
set -u
action=${1:-}
dir=${2:-}
if [[ -z $action || -z $dir || $dir != /* ]]; then
  echo "usage: $0 start|stop ABSOLUTE-DIR" >&2
  exit 2
fi

source "$(dirname "${BASH_SOURCE[0]}")/pg_bin.sh"
bin=$pg_bin

# Runs a command as the server's user: "nobody" when this script runs as root.
as_server() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u nobody -- "$@"
  else
    "$@"
  fi
}

stop() {
  if [[ -n $bin && -f $dir/data/postmaster.pid ]]; then
    as_server "$bin/pg_ctl" stop -D "$dir/data" -m immediate -w >/dev/null 2>&1 ||
      echo "cluster.sh: pg_ctl stop failed in $dir" >&2
  fi
  rm -rf -- "$dir"
}

case $action in
  stop)
    stop
    exit 0
    ;;
  start) ;;
  *)
    echo "usage: $0 start|stop ABSOLUTE-DIR" >&2
    exit 2
    ;;
esac

if [[ -z $bin ]]; then
  echo "SKIP: no PostgreSQL server binaries under /usr/lib/postgresql (install postgresql)"
  exit 77
fi
if [[ $(id -u) -eq 0 ]] && ! { id nobody >/dev/null 2>&1 && command -v runuser >/dev/null; }; then
  echo "SKIP: running as root, and no user 'nobody' (or no runuser) to run the server as"
  exit 77
fi
# A socket path longer than the system allows (107 bytes) cannot be listened on.
if (( ${#dir} + 20 > 107 )); then
  echo "cluster.sh: $dir is too long a path for a Unix socket" >&2
  exit 1
fi

# A cluster left by a run that was killed is stopped and replaced.
stop
mkdir -p -- "$dir" || exit 1
chmod 700 "$dir"
[[ $(id -u) -eq 0 ]] && chown nobody: "$dir"
trap 'status=$?; if (( status != 0 )); then cat "$dir/log" >&2 2>/dev/null; stop; fi' EXIT

if ! as_server "$bin/initdb" -D "$dir/data" -U outcomes --auth=trust --no-sync \
    --encoding=UTF8 --locale=C >"$dir/initdb.log" 2>&1; then
  cat "$dir/initdb.log" >&2
  if grep -q "cannot be run as root\|Permission denied" "$dir/initdb.log"; then
    echo "SKIP: initdb cannot run here"
    exit 77
  fi
  exit 1
fi
cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
unix_socket_permissions = 0700
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 16MB
max_connections = 40
log_min_messages = warning
${OUTCOMES_PG_CONF:-}
CONF
as_server "$bin/pg_ctl" start -D "$dir/data" -l "$dir/log" -w -t 60 >/dev/null || exit 1
# Clients (root included: it may use the socket whatever its mode) connect as "outcomes".
"$bin/psql" -h "$dir" -U outcomes -d postgres -qAt -v ON_ERROR_STOP=1 \
  -c "CREATE DATABASE outcomes" >/dev/null || exit 1
echo "PostgreSQL cluster ready: host=$dir user=outcomes dbname=outcomes"
