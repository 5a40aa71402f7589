#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for Keel's tests: Debian's `postgresql` package (installed when
# missing), a cluster in DIR owned by an unprivileged user (initdb and pg_ctl refuse root), on
# 127.0.0.1:PORT, without fsync. Prints the URL for KEEL_TEST_POSTGRES_URL.
#
#   export KEEL_TEST_POSTGRES_URL=$(bash .ci/postgres.sh start /tmp/keel-pg)   # 54329 unless PORT is set
#   bash .ci/postgres.sh stop /tmp/keel-pg
set -euo pipefail

action=${1:?usage: postgres.sh start|stop DIR}
dir=${2:?usage: postgres.sh start|stop DIR}
port=${PORT:-54329}
bin=/usr/lib/postgresql/15/bin

# As root, the server runs as Debian's `postgres` user; otherwise as whoever runs this.
as_owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "$action" in
start)
    if [ ! -x "$bin/initdb" ]; then
        sudo=$([ "$(id -u)" -eq 0 ] || echo sudo)
        $sudo apt-get update -q >/dev/null
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q postgresql >/dev/null
    fi
    [ -x "$bin/initdb" ] || { echo "PostgreSQL 15 is not installed at $bin" >&2; exit 1; }
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_owner "$bin/initdb" -D "$dir/data" -U keel --auth=trust >"$dir/initdb.log"
    fi
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=300" \
        start >&2
    echo "postgres://keel@127.0.0.1:$port/postgres?sslmode=disable"
    ;;
stop)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast stop >&2
    ;;
*)
    echo "usage: postgres.sh start|stop DIR" >&2
    exit 2
    ;;
esac
