#!/usr/bin/env python3
"""`make soak` (SOAK_MINUTES=20 by default): a mixed load for a long while against the release
build — GET me, refresh, login, logout, send-otp, signups that delete themselves again — with
the worker and a real SMTP sink, on SQLite. Every minute it samples the RSS of the API and the
worker, the database's size, the rows of the tables the purge bounds and the latency of the last
minute; at the end it prints the table RELIABILITY.md holds and fails when an unexpected answer
came, memory kept growing or the database kept growing once every retention window had passed.

The retention windows are shortened (SOAK_WINDOWS=short, the default: 5-minute refresh tokens,
audit events and sent mail, 2 minutes of grace, a purge every 30 s) so that the run reaches the
plateau the production windows (a day and more) reach only after days; SOAK_WINDOWS=production
keeps the defaults and then checks no plateau.

Expected answers only: 200, 201, 202, 204, 205 (throttling is off, every request is valid).
"""
import argparse
import http.client
import json
import os
import random
import sqlite3
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import PASSWORD, Bench, log, rss_mib  # noqa: E402

EXPECTED = {200, 201, 202, 204, 205}

# The windows of SOAK_WINDOWS=short, in seconds.
SHORT_WINDOWS = {"refresh": 300, "grace": 120, "audit": 300, "mail": 300, "purge": 30}
BOUNDED_TABLES = ("login_sessions", "auth_events", "mail_jobs")


class Client:
    def __init__(self, port):
        self.port = port
        self.connection = None

    def request(self, method, path, body=None, token=None):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = "Bearer " + token
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(2):
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                self.connection.request(method, path, body=data, headers=headers)
                response = self.connection.getresponse()
                raw = response.read()
                return response.status, (json.loads(raw) if raw else {})
            except (http.client.HTTPException, ConnectionError, OSError):
                self.connection = None
                if attempt == 1:
                    raise
        raise RuntimeError("unreachable")


class Soak:
    def __init__(self, args):
        self.args = args
        self.bench = Bench(argparse.Namespace(smoke=args.smoke, release=False, no_build=args.no_build))
        if args.windows == "short":
            w = SHORT_WINDOWS
            self.bench.extra_env = {
                "AUTH_REFRESH_TTL": str(w["refresh"]), "AUTH_RETENTION_GRACE": str(w["grace"]),
                "AUTH_AUDIT_RETENTION_DAYS": repr(w["audit"] / 86400), "AUTH_MAIL_RETENTION_DAYS": repr(w["mail"] / 86400),
                "AUTH_PURGE_INTERVAL": str(w["purge"]),
            }
            # A row lives at most its window plus one purge interval; one more minute for the sample.
            longest = max(w["refresh"], w["audit"], w["mail"]) + w["grace"]
            self.plateau_minute = int((longest + 2 * w["purge"]) // 60) + 2
        else:
            self.plateau_minute = None
        self.lock = threading.Lock()
        self.latencies = []          # (op, seconds) of the current minute
        self.statuses = {}
        self.unexpected = []
        self.stop = threading.Event()
        self.counter = 0

    def record(self, op, started, status, body):
        took = time.monotonic() - started
        with self.lock:
            self.latencies.append((op, took))
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status not in EXPECTED and len(self.unexpected) < 20:
                self.unexpected.append((op, status, body))

    def account(self, client, email):
        status, body = client.request("POST", "/api/accounts/signup/", {"email": email, "password": PASSWORD})
        assert status == 201, (status, body)
        db = sqlite3.connect(self.bench.database, timeout=30)
        db.execute("UPDATE users SET is_verified = 1 WHERE email_key = ?", (email,))
        db.commit()
        db.close()
        status, body = client.request("POST", "/api/accounts/login/", {"email": email, "password": PASSWORD})
        assert status == 200, (status, body)
        return body["access"], body["refresh"]

    def lane(self, index, port):
        client = Client(port)
        email = "soak-%d@example.com" % index
        access, refresh = self.account(client, email)
        rng = random.Random(index)
        while not self.stop.is_set():
            op = rng.choices(["me", "refresh", "login", "logout", "send-otp", "signup-delete"],
                             weights=[45, 15, 15, 5, 10, 10])[0]
            started = time.monotonic()
            try:
                if op == "me":
                    status, body = client.request("GET", "/api/accounts/me/", token=access)
                elif op == "refresh":
                    status, body = client.request("POST", "/api/accounts/token/refresh/", {"refresh": refresh})
                    if status == 200:
                        access, refresh = body["access"], body["refresh"]
                elif op in ("login", "logout"):
                    if op == "logout":
                        status, body = client.request("POST", "/api/accounts/logout/", {"refresh": refresh}, token=access)
                        self.record(op, started, status, body)
                        started = time.monotonic()
                    status, body = client.request("POST", "/api/accounts/login/", {"email": email, "password": PASSWORD})
                    op = "login"
                    if status == 200:
                        access, refresh = body["access"], body["refresh"]
                elif op == "send-otp":
                    with self.lock:
                        self.counter += 1
                        n = self.counter
                    status, body = client.request("POST", "/api/accounts/send-otp/", {"email": "nobody-%d@example.com" % n})
                else:
                    with self.lock:
                        self.counter += 1
                        n = self.counter
                    other = "passing-%d@example.com" % n
                    status, body = client.request("POST", "/api/accounts/signup/", {"email": other, "password": PASSWORD})
                    self.record("signup", started, status, body)
                    if status == 201:
                        started = time.monotonic()
                        status, body = client.request("DELETE", "/api/accounts/me/", {"password": PASSWORD}, token=body["access"])
                        op = "delete"
                self.record(op, started, status, body)
            except Exception as error:  # a broken connection is an unexpected answer too
                self.record(op, started, -1, repr(error))

    def table_rows(self):
        db = sqlite3.connect(self.bench.database, timeout=30)
        try:
            return {table: db.execute("SELECT COUNT(*) FROM %s" % table).fetchone()[0] for table in BOUNDED_TABLES}
        finally:
            db.close()

    def database_mib(self):
        total = 0
        for suffix in ("", "-wal", "-shm"):
            path = self.bench.database + suffix
            if os.path.exists(path):
                total += os.path.getsize(path)
        return total / 2 ** 20

    def run(self):
        bench = self.bench
        bench.build()
        import subprocess
        subprocess.run([os.path.join(bench.bin, "AuthAPI"), "migrate"], env=bench.env(), check=True, capture_output=True)
        _, sink_port, _ = bench.start_sink()
        api, port = bench.start_api()
        worker = bench.start_worker("smtp://127.0.0.1:%d" % sink_port)
        lanes = [threading.Thread(target=self.lane, args=(i, port), daemon=True) for i in range(self.args.lanes)]
        for thread in lanes:
            thread.start()
        rows = []
        minutes = self.args.minutes
        try:
            for minute in range(1, minutes + 1):
                deadline = time.monotonic() + (1 if self.args.smoke else 60)
                while time.monotonic() < deadline:
                    time.sleep(0.2)
                with self.lock:
                    sample, self.latencies = self.latencies, []
                times = sorted(t for _, t in sample)
                row = {
                    "minute": minute, "requests": len(times),
                    "p50_ms": 1000 * times[len(times) // 2] if times else 0,
                    "p99_ms": 1000 * times[int(len(times) * 0.99)] if times else 0,
                    "api_rss": rss_mib(api.pid), "worker_rss": rss_mib(worker.pid), "db_mib": self.database_mib(),
                }
                row.update(self.table_rows())
                rows.append(row)
                log("minute %(minute)3d: %(requests)6d requests  p50 %(p50_ms)6.2f ms  p99 %(p99_ms)7.2f ms  "
                    "API %(api_rss)5.1f MiB  worker %(worker_rss)5.1f MiB  database %(db_mib)6.1f MiB  "
                    "sessions %(login_sessions)d  events %(auth_events)d  jobs %(mail_jobs)d" % row)
        finally:
            self.stop.set()
            for thread in lanes:
                thread.join(timeout=30)
            db = sqlite3.connect(bench.database, timeout=30)
            counts = {table: db.execute("SELECT COUNT(*) FROM %s" % table).fetchone()[0]
                      for table in ("users", "login_sessions", "auth_events", "mail_jobs", "throttle_hits", "send_cooldowns")}
            queued = db.execute("SELECT COUNT(*) FROM mail_jobs WHERE state IN ('queued', 'running')").fetchone()[0]
            dead = db.execute("SELECT COUNT(*) FROM mail_jobs WHERE state = 'dead'").fetchone()[0]
            db.close()
            bench.procs.stop_all()
        print(self.report(rows, counts, queued, dead))
        failures = []
        if self.unexpected:
            failures.append("unexpected answers: %r" % self.unexpected[:5])
        warm = rows[len(rows) // 4:] if len(rows) >= 4 else rows
        if len(warm) >= 2:
            growth = warm[-1]["api_rss"] - min(r["api_rss"] for r in warm)
            if growth > max(16, 0.25 * warm[0]["api_rss"]):
                failures.append("API RSS grew by %.1f MiB after warm-up" % growth)
        if dead:
            failures.append("%d dead mail jobs" % dead)
        failures.extend(self.plateau(rows))
        for failure in failures:
            log("FAIL: " + failure)
        return 1 if failures else 0

    def plateau(self, rows):
        """Once every window has passed, the database file and the bounded tables stop growing:
        the file may grow by 10 % (free pages are reused, the WAL settles), a table's rows by
        25 % (the load's rate varies from minute to minute)."""
        if self.plateau_minute is None or self.args.smoke:
            log("no plateau to check (%s)" % ("smoke: a second per sample" if self.args.smoke else "production windows"))
            return []
        settled = [r for r in rows if r["minute"] >= self.plateau_minute]
        if len(settled) < 3:
            log("plateau not checked: the run ended %d minute(s) after the windows passed (needs 3)" % len(settled))
            return []
        first = settled[0]
        failures = []
        if max(r["db_mib"] for r in settled) > 1.10 * first["db_mib"] + 1:
            failures.append("database grew from %.1f to %.1f MiB after minute %d" % (
                first["db_mib"], max(r["db_mib"] for r in settled), first["minute"]))
        for table in BOUNDED_TABLES:
            peak = max(r[table] for r in settled)
            if peak > 1.25 * first[table] + 100:
                failures.append("%s grew from %d to %d rows after minute %d" % (table, first[table], peak, first["minute"]))
        log("plateau from minute %d: database %.1f-%.1f MiB" % (
            first["minute"], min(r["db_mib"] for r in settled), max(r["db_mib"] for r in settled)))
        return failures

    def report(self, rows, counts, queued, dead):
        lines = ["| minute | requests | p50 ms | p99 ms | API RSS MiB | worker RSS MiB | database MiB | sessions | audit events | mail jobs |",
                 "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in rows:
            lines.append("| %(minute)d | %(requests)d | %(p50_ms).2f | %(p99_ms).2f | %(api_rss).1f | %(worker_rss).1f | %(db_mib).1f "
                         "| %(login_sessions)d | %(auth_events)d | %(mail_jobs)d |" % r)
        total = sum(self.statuses.values())
        lines.append("")
        lines.append("Answers: %s (%d in all); unexpected: %d. Rows at the end: %s. Mail jobs still queued: %d, dead: %d." % (
            ", ".join("%s × %d" % (k, v) for k, v in sorted(self.statuses.items())), total, len(self.unexpected),
            ", ".join("%s %d" % kv for kv in counts.items()), queued, dead))
        if len(rows) >= 2:
            p99 = [r["p99_ms"] for r in rows[1:]]
            lines.append("p99 after the first minute: median %.2f ms, highest %.2f ms." % (statistics.median(p99), max(p99)))
        return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=int, default=int(os.environ.get("SOAK_MINUTES", "20")))
    parser.add_argument("--lanes", type=int, default=6)
    parser.add_argument("--windows", choices=["short", "production"], default=os.environ.get("SOAK_WINDOWS", "short"))
    parser.add_argument("--smoke", action="store_true", help="debug build, a second per 'minute'")
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    sys.exit(Soak(args).run())


if __name__ == "__main__":
    main()
