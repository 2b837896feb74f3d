#!/usr/bin/env bash
# A PostgreSQL server of its own, for tests that stop and start it (the shared test server
# of with-postgres.sh must stay up for the other tests):
#   scripts/pg-cluster.sh init DIR      initdb into DIR/data (as the postgres user when root)
#   scripts/pg-cluster.sh start DIR PORT
#   scripts/pg-cluster.sh stop DIR      fast shutdown: sessions are ended, as in a restart
set -euo pipefail
# The server outlives this script: it must not inherit descriptors of the caller beyond the
# standard three (Foundation's Process learns that a child exited when a socket it handed
# down is closed by every process holding it — a server keeping it would look like the
# script never ending).
for fd in $(ls /proc/$$/fd); do
    if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
done
bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    as_owner=(runuser -u postgres --)
fi
dir="$2"
case "$1" in
init)
    mkdir -p "$dir" && chmod 755 "$dir"
    [ -z "${as_owner[*]}" ] || chown postgres "$dir"
    "${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log"; exit 1; } ;;
start)
    "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $3 -k $dir -c fsync=off -c max_connections=200" start >/dev/null \
        || { cat "$dir/server.log"; exit 1; } ;;
stop)
    "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null ;;
*)
    echo "usage: $0 init|start|stop DIR [PORT]" >&2; exit 2 ;;
esac
