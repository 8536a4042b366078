# shellcheck shell=bash disable=SC2034  # PG_PORT/PG_URL are read by the caller
# A throwaway PostgreSQL server for the test suite, sourced by scripts/test.
#
#   source scripts/lib/postgres.sh
#   trap pg_stop EXIT          # the caller owns the trap (it may have more to clean)
#   pg_start                   # sets PG_PORT and PG_URL
#   GOVHALL_TEST_DATABASE_URL="$PG_URL" cargo test ...
#
# Everything (data, socket, log) lives in one mktemp dir under /tmp, so nothing
# touches the machine's own cluster and pg_stop leaves nothing behind.
# fsync & co. are off (and initdb --no-sync): the data is thrown away anyway,
# and it is much faster. PG_DURABLE=1 (scripts/bench) keeps PostgreSQL's
# durable defaults instead: fsync on, synchronous_commit on, full-page writes.
# PG_SETTINGS adds server settings (`-c name=value …`), e.g. a larger
# shared_buffers for the 10M-case supervision benchmark.

PG_BASE_PORT=${PG_BASE_PORT:-55432}
PG_DURABLE=${PG_DURABLE:-0}
# Set by pg_start, read by the caller.
PG_TMP=""  # the temp dir; empty until pg_start made it, and again after pg_stop
PG_PORT="" # the port it listens on (127.0.0.1)
PG_URL=""  # postgres://postgres@127.0.0.1:PORT/postgres

# Highest installed server version, e.g. /usr/lib/postgresql/15/bin.
pg_bindir() {
  local dir
  dir=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
  if [[ -z "$dir" || ! -x "$dir/initdb" || ! -x "$dir/pg_ctl" ]]; then
    echo "error: no PostgreSQL server found under /usr/lib/postgresql/*/bin (apt-get install postgresql)" >&2
    return 1
  fi
  echo "$dir"
}

# initdb and postgres refuse to run as root: as root, run them as the postgres
# user; otherwise run them as ourselves (the temp dir is ours then).
pg_as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# True when something already accepts TCP connections on 127.0.0.1:$1.
pg_port_busy() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pg_start() {
  local bindir port tries=20 sync_flag=--no-sync
  local settings="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  if [[ "$PG_DURABLE" == 1 ]]; then
    sync_flag="" settings="-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
  fi
  # More server settings for a run (e.g. PG_SETTINGS="-c shared_buffers=2GB").
  settings="$settings ${PG_SETTINGS:-}"
  bindir=$(pg_bindir)

  PG_TMP=$(mktemp -d /tmp/govhall-pg.XXXXXX)
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres: "$PG_TMP"
  fi

  # UTF-8 collation like production; plain C if this machine lacks the C.UTF-8 locale.
  if ! pg_as_owner "$bindir/initdb" -D "$PG_TMP/data" -A trust -U postgres --encoding=UTF8 --locale=C.UTF-8 $sync_flag \
      >"$PG_TMP/initdb.log" 2>&1; then
    echo "initdb --locale=C.UTF-8 failed; retrying with --locale=C" >&2
    pg_as_owner rm -rf "$PG_TMP/data"
    if ! pg_as_owner "$bindir/initdb" -D "$PG_TMP/data" -A trust -U postgres --encoding=UTF8 --locale=C $sync_flag \
        >>"$PG_TMP/initdb.log" 2>&1; then
      cat "$PG_TMP/initdb.log" >&2
      echo "error: initdb failed" >&2
      return 1
    fi
  fi

  # First free port from PG_BASE_PORT on; if we lose a race for it, try the next.
  for ((port = PG_BASE_PORT; port < PG_BASE_PORT + tries; port++)); do
    pg_port_busy "$port" && continue
    if pg_as_owner "$bindir/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -t 60 \
        -o "-k $PG_TMP -p $port -c listen_addresses=127.0.0.1 $settings -c max_connections=300" \
        start >>"$PG_TMP/pg_ctl.log" 2>&1; then
      PG_PORT=$port
      PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
      echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $PG_TMP)"
      return 0
    fi
    if ! grep -q 'could not bind\|Address already in use' "$PG_TMP/server.log" 2>/dev/null; then
      break # not a port clash: retrying will not help
    fi
  done
  cat "$PG_TMP/pg_ctl.log" "$PG_TMP/server.log" >&2 2>/dev/null || true
  echo "error: could not start PostgreSQL (ports $PG_BASE_PORT..$((PG_BASE_PORT + tries - 1)))" >&2
  return 1
}

# Stop the server (if it runs) and remove the temp dir. Safe to call twice and
# from an EXIT trap: never fails.
pg_stop() {
  [[ -n "$PG_TMP" ]] || return 0
  if [[ -f "$PG_TMP/data/postmaster.pid" ]]; then
    local bindir
    bindir=$(pg_bindir) || true
    if ! pg_as_owner "$bindir/pg_ctl" -D "$PG_TMP/data" -m fast -w -t 30 stop >/dev/null 2>&1; then
      # Never leave a server behind: kill the postmaster outright.
      echo "warning: pg_ctl stop failed; killing the postmaster" >&2
      kill -KILL "$(head -n 1 "$PG_TMP/data/postmaster.pid")" 2>/dev/null || true
    fi
  fi
  rm -rf "$PG_TMP"
  PG_TMP=""
}

# Last lines of the server log, for when tests failed.
pg_log_tail() {
  [[ -n "$PG_TMP" && -f "$PG_TMP/server.log" ]] && tail -n "${1:-40}" "$PG_TMP/server.log"
  return 0
}
