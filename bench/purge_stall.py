#!/usr/bin/env python3
"""`make bench-purge`: what the purge of a full retention window costs the requests that write
meanwhile. On SQLite (release build): an API with a 20 s purge interval, one client refreshing
its token in a loop (each refresh is a write), and a backlog of audit events past their
retention (ROWS, 450 000 by default: an hour of the soak's load) planted while it runs. Prints
how long the purge took and the refreshes' latency during it (p50, p99, the slowest).
"""
import argparse
import http.client
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import PASSWORD, Bench, log  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=int(os.environ.get("ROWS", "450000")))
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    bench = Bench(argparse.Namespace(smoke=False, release=True, no_build=args.no_build))
    bench.build()
    subprocess.run([os.path.join(bench.bin, "AuthAPI"), "migrate"], env=bench.env(), check=True, capture_output=True)
    api, port = bench.start_api(AUTH_PURGE_INTERVAL="20")
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(path, body):
        connection.request("POST", path, body=json.dumps(body), headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")

    status, _ = call("/api/accounts/signup/", {"email": "purge@example.com", "password": PASSWORD})
    assert status == 201, status
    db = sqlite3.connect(bench.database, timeout=60)
    db.execute("UPDATE users SET is_verified = 1")
    db.commit()
    status, tokens = call("/api/accounts/login/", {"email": "purge@example.com", "password": PASSWORD})
    assert status == 200, status
    old = time.time() - 100 * 86400
    db.executemany("INSERT INTO auth_events (event, user_id, ip, user_agent, detail, created_at) VALUES (?, NULL, ?, ?, '', ?)",
                   (("login_failed", "127.0.0.1", "bench", old) for _ in range(args.rows)))
    db.commit()
    log("planted %d audit events past their retention" % args.rows)

    samples = []            # (started, seconds) of each refresh
    counts = []             # (time, old rows left)
    stop = threading.Event()

    def count():
        reader = sqlite3.connect(bench.database, timeout=60)
        while not stop.is_set():
            counts.append((time.monotonic(), reader.execute("SELECT COUNT(*) FROM auth_events WHERE created_at < ?", (old + 1,)).fetchone()[0]))
            time.sleep(0.1)
        reader.close()

    counter = threading.Thread(target=count, daemon=True)
    counter.start()
    refresh = tokens["refresh"]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        started = time.monotonic()
        status, body = call("/api/accounts/token/refresh/", {"refresh": refresh})
        samples.append((started, time.monotonic() - started))
        assert status == 200, (status, body)
        refresh = body["refresh"]
        if counts and counts[-1][1] == 0:
            break
    time.sleep(0.5)
    stop.set()
    counter.join()
    bench.procs.stop_all()
    first = next((t for t, n in counts if n < args.rows), None)
    gone = next((t for t, n in counts if n == 0), None)
    if gone is None:
        log("FAIL: the backlog was not purged within 120 s")
        return 1
    # The first sample below the backlog is the first commit a reader sees: the end of the only
    # transaction, or of the first round.
    times = sorted(s for _, s in samples)
    slow = [(t, s) for t, s in samples if s > 0.1]
    print("purge of %d rows: first rows gone %.1f s before the last; %d refreshes from the planting to the end, p50 %.1f ms, "
          "p99 %.1f ms, slowest %.1f ms, %d over 100 ms" % (
              args.rows, gone - first, len(times), 1000 * statistics.median(times), 1000 * times[int(0.99 * (len(times) - 1))],
              1000 * times[-1], len(slow)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
