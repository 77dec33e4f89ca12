#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for tests and benchmarks.
#
#   scripts/pg_test_cluster.sh start DIR   initdb a fresh cluster, start it, create database
#                                          rssflow_test, write its libpq URI to DIR/conninfo
#   scripts/pg_test_cluster.sh stop DIR    stop it (pg_ctl stop -m fast) and delete its data
#
# The server listens only on a unix socket (listen_addresses = ''), so clusters in different
# DIRs never collide and nothing is reachable from the network. Authentication is trust for
# the local socket only. When run as root the server runs as the `postgres` user (initdb
# refuses root). When DIR is not reachable by that user, or too long for a socket path, the
# data and socket live in a mktemp directory under /tmp whose path is kept in DIR/pgroot.
set -euo pipefail

die() { echo "pg_test_cluster: $*" >&2; exit 1; }

[[ $# -eq 2 ]] || die "usage: $0 start|stop DIR"
action=$1
dir=$2
dbname=rssflow_test
port=5432

find_bin() {
  local candidate
  for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [[ -x $candidate/pg_ctl ]] && { echo "$candidate"; return; }
  done
  if command -v pg_ctl >/dev/null 2>&1; then dirname "$(readlink -f "$(command -v pg_ctl)")"; return; fi
  die "no PostgreSQL server binaries (pg_ctl) on PATH or under /usr/lib/postgresql/*/bin"
}
bin=$(find_bin)
# initdb's shell commands write to /dev/null; a program that renamed a file over it breaks them.
[[ -c /dev/null ]] || die "/dev/null is not a character device (something replaced it; as root: rm /dev/null && mknod -m 666 /dev/null c 1 3)"

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

run_user() { if [[ $(id -u) -eq 0 ]]; then echo postgres; else id -un; fi; }

stop_cluster() {
  local root
  [[ -f $dir/pgroot ]] || return 0
  root=$(cat "$dir/pgroot")
  if [[ -f $root/data/postmaster.pid ]]; then
    as_owner "$bin/pg_ctl" -D "$root/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  [[ $root != "$dir" ]] && rm -rf -- "$root"
  rm -rf -- "$dir/data" "$dir/pgroot" "$dir/conninfo" "$dir/initdb.log"
}

start_cluster() {
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  stop_cluster  # a cluster left by an interrupted run
  local root=$dir
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres: "$dir"
    if ! runuser -u postgres -- test -w "$dir" || (( ${#dir} > 80 )); then
      root=$(mktemp -d /tmp/rssflow-pg.XXXXXX)
      chown postgres: "$root"
    fi
  elif (( ${#dir} > 80 )); then
    root=$(mktemp -d /tmp/rssflow-pg.XXXXXX)
  fi
  echo "$root" > "$dir/pgroot"

  as_owner "$bin/initdb" -D "$root/data" -U postgres --auth=trust --encoding=UTF8 \
    --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  cat >>"$root/data/postgresql.conf" <<CONF
listen_addresses = ''
port = $port
unix_socket_directories = '$root'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
shared_buffers = 128MB
CONF
  as_owner "$bin/pg_ctl" -D "$root/data" -l "$root/server.log" -w -t 60 start >/dev/null \
    || { cat "$root/server.log" >&2; die "pg_ctl start failed"; }
  as_owner "$bin/createdb" -h "$root" -p "$port" -U postgres "$dbname"
  echo "postgresql:///$dbname?host=$root&port=$port&user=postgres" > "$dir/conninfo"
  chmod a+r "$dir/conninfo"
  echo "pg_test_cluster: running as $(run_user), conninfo in $dir/conninfo"
}

case $action in
  start) start_cluster ;;
  stop) [[ -d $dir ]] && dir=$(cd "$dir" && pwd); stop_cluster ;;
  *) die "unknown action '$action' (start|stop)" ;;
esac
