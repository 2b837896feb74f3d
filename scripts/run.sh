#!/usr/bin/env bash
# Migrates the database, then runs the API and the mail worker in the foreground.
# Ctrl-C (or SIGTERM) stops both; if either exits, the other is stopped too.
set -uo pipefail
bin="${1:?usage: run.sh BIN_DIR}"
"$bin/AuthAPI" migrate || exit 1
"$bin/AuthAPI" serve &
api=$!
"$bin/MailWorker" run &
worker=$!
stop() { kill -TERM "$api" "$worker" 2>/dev/null; }
trap stop INT TERM
wait "$api"
status=$?
stop
wait "$worker" 2>/dev/null
exit $status
