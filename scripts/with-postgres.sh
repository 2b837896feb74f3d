#!/usr/bin/env bash
# Runs a command next to a throw-away PostgreSQL server: initdb into a temporary folder, a free
# loopback port, then the command with AUTH_TEST_POSTGRES_URL set to the server's URL; the
# server is stopped and its folder removed when the command ends, whatever its outcome.
#   scripts/with-postgres.sh swift test --skip-build
# PG_SETTINGS adds server settings (e.g. "-c synchronous_commit=off"). Installs Debian's
# postgresql package when no server binaries are found.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    "$here/apt-install.sh" postgresql
    bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
fi
command -v psql >/dev/null || "$here/apt-install.sh" postgresql-client

dir="$(mktemp -d /tmp/auth-pg.XXXXXX)"
as_owner=()
stop() {
    [ -f "$dir/data/postmaster.pid" ] && "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1
    rm -rf "$dir"
}
trap stop EXIT
chmod 755 "$dir"
# initdb and postgres refuse to run as root: run them as the postgres system user then.
if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$dir"
    as_owner=(runuser -u postgres --)
fi
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"


"${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log"; exit 1; }
# TLS with a throw-away self-signed certificate, so tests can exercise every sslmode (clients
# that ask for none still connect in clear).
ssl=()
if command -v openssl >/dev/null; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=auth-test-postgres" \
        -keyout "$dir/data/server.key" -out "$dir/data/server.crt" >/dev/null 2>&1 \
        && chmod 600 "$dir/data/server.key" \
        && { [ -z "${as_owner[*]}" ] || chown postgres "$dir/data/server.key" "$dir/data/server.crt"; } \
        && cp "$dir/data/server.crt" "$dir/ca.crt" && chmod 644 "$dir/ca.crt" \
        && ssl=(-c ssl=on) \
        && export AUTH_TEST_POSTGRES_TLS=1 AUTH_TEST_POSTGRES_CA="$dir/ca.crt"
fi
# Throw-away data: no fsync. Enough connections for replicas, workers and parallel tests.
"${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off -c max_connections=1000 ${ssl[*]:-} ${PG_SETTINGS:-}" \
    start >/dev/null || { cat "$dir/server.log"; exit 1; }

export AUTH_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $dir)"
set +e
"$@"
status=$?
set -e
exit $status
