#!/usr/bin/env bash
# A PostgreSQL for the tests.
#   scripts/postgres.sh start   prints the URL of the server to use: the one at
#                               127.0.0.1:5432 when it answers, else a throwaway one
#                               (initdb into a temporary directory, a free port)
#   scripts/postgres.sh stop DIR  stops a throwaway server and removes its directory
set -euo pipefail

case "${1:-}" in
  start)
    if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
      echo "postgresql://postgres@127.0.0.1:5432/postgres"
      exit 0
    fi
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    [ -n "$bindir" ] || { echo "no PostgreSQL installed (apt-get install postgresql)" >&2; exit 1; }
    dir=$(mktemp -d /tmp/sabot-pg.XXXXXX)
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_postgres=()
    if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; as_postgres=(runuser -u postgres --); fi
    "${as_postgres[@]}" "$bindir/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
    "${as_postgres[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null
    echo "postgresql://postgres@127.0.0.1:$port/postgres $dir"
    ;;
  stop)
    dir=${2:?usage: scripts/postgres.sh stop DIR}
    bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    as_postgres=()
    [ "$(id -u)" = 0 ] && as_postgres=(runuser -u postgres --)
    "${as_postgres[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast stop >/dev/null || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: scripts/postgres.sh start | stop DIR" >&2
    exit 2
    ;;
esac
