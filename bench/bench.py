#!/usr/bin/env python3
"""`make bench`: latency and throughput of every endpoint, the worker and the queue, measured in
one run next to the two ceilings they are judged against (framework and Argon2id hash), written
to BENCHMARKS.md. `make bench-smoke` runs the same steps for a second or so each, so the scripts
cannot rot.

Everything runs on loopback: the API and the worker from this checkout, a real SMTP sink
(scripts/smtp_sink.py, aiosmtpd), wrk for HTTP load. wrk shares the machine's cores with the
server under test; the numbers say so.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LUA = os.path.join(ROOT, "bench", "lua")
SECRET = "bench-secret-key-0123456789-abcdefghijklmnopqrstuv"
PASSWORD = "correct horse battery staple"


def log(message):
    print(message, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Processes:
    """Every process the bench starts, stopped at the end by PID."""

    def __init__(self):
        self.running = []

    def start(self, args, env=None, wait_for=None, log_path=None):
        out = open(log_path, "w") if log_path else subprocess.DEVNULL
        proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE if wait_for else out, stderr=out,
                                cwd=ROOT, text=True)
        self.running.append(proc)
        if wait_for:
            deadline = time.time() + 60
            while time.time() < deadline:
                line = proc.stdout.readline()
                if not line:
                    raise RuntimeError("%s exited before it was ready" % args[0])
                match = re.search(wait_for, line)
                if match:
                    return proc, match
            raise RuntimeError("%s did not start" % args[0])
        return proc, None

    def stop(self, proc):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc in self.running:
            self.running.remove(proc)

    def stop_all(self):
        for proc in list(self.running):
            self.stop(proc)


def rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid):
    """User + system CPU time of a process so far (utime and stime of /proc/PID/stat)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def psql(url, sql, stdin=None):
    """Runs SQL on a PostgreSQL database with psql; returns the first column of each row."""
    out = subprocess.run(["psql", url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql], input=stdin,
                         capture_output=True, text=True, check=True)
    return [line.split("|")[0] for line in out.stdout.splitlines() if line]


def mint_refresh_tokens(database, user_id, count, signer=None):
    """Sessions inserted directly, with refresh tokens signed as the API signs them (HS256 with
    the secret key's bytes, or `signer`: (header, sign) from `current_key_signer`): a pool large
    enough that each token is presented once. `database` is a SQLite path or a PostgreSQL URL."""
    now = int(time.time())
    header, sign = signer or (b64url(b'{"alg":"HS256","typ":"JWT"}'),
                              lambda data: hmac.new(SECRET.encode(), data, hashlib.sha256).digest())
    rows, tokens = [], []
    for _ in range(count):
        sid, jti = b64url(secrets.token_bytes(16)), secrets.token_hex(16)
        claims = {"exp": now + 86400, "iat": now, "iss": "swift-auth", "jti": jti, "sid": sid, "token_type": "refresh",
                  "user_id": user_id}
        signing_input = header + "." + b64url(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
        signature = sign(signing_input.encode())
        tokens.append(signing_input + "." + b64url(signature))
        rows.append((sid, user_id, jti, now, now, now + 86400, "bench", "127.0.0.1"))
    if database.startswith("postgres"):
        csv = "\n".join(",".join(str(v) for v in row) for row in rows) + "\n"
        psql(database, "\\copy login_sessions (id, user_id, refresh_jti, created_at, last_used_at, expires_at, user_agent, ip)"
             " FROM STDIN WITH (FORMAT csv)", stdin=csv)
        return tokens
    with sqlite3.connect(database, timeout=30) as db:
        db.executemany("INSERT INTO login_sessions (id, user_id, refresh_jti, created_at, last_used_at, expires_at,"
                       " user_agent, ip) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return tokens


def current_key_signer(database, secret=SECRET):
    """The API's current signing key, opened as the API opens it (HKDF-SHA256 of the secret key,
    AES-256-GCM with the kid as associated data; `cryptography`, so it also checks that our
    sealing is the standard one), as (token header, sign) for `mint_refresh_tokens`."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF
    import jwt.algorithms
    with sqlite3.connect(database, timeout=30) as db:
        kid, algorithm, sealed = db.execute(
            "SELECT kid, algorithm, private_key FROM signing_keys WHERE state = 'current'").fetchone()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"swift-auth signing keys", info=b"aes-256-gcm v1").derive(secret.encode())
    pem = AESGCM(key).decrypt(sealed[:12], sealed[12:], kid.encode())
    algo = jwt.algorithms.get_default_algorithms()[algorithm]
    private = algo.prepare_key(pem)
    header = b64url(json.dumps({"alg": algorithm, "kid": kid, "typ": "JWT"}, separators=(",", ":")).encode())
    return header, lambda data: algo.sign(data, private)


def seed_jobs(database, count, tag):
    """`count` unverified users, each with a queued verification mail, inserted directly."""
    now = time.time()
    if database.startswith("postgres"):
        psql(database, """
            WITH new AS (
                INSERT INTO users (email, email_key, password, date_joined)
                SELECT 'w%(tag)s-' || i || '@bench.example', 'w%(tag)s-' || i || '@bench.example',
                       '$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAA', %(now)f
                FROM generate_series(0, %(last)d) AS i
                RETURNING id, email)
            INSERT INTO mail_jobs (kind, payload, run_at, created_at, updated_at)
            SELECT 'verify_email', json_build_object('email', email, 'user_id', id)::text, %(now)f, %(now)f, %(now)f FROM new
            """ % {"tag": tag, "now": now, "last": count - 1})
        return
    with sqlite3.connect(database, timeout=30) as db:
        for i in range(count):
            email = "w%s-%d@bench.example" % (tag, i)
            cur = db.execute("INSERT INTO users (email, email_key, password, date_joined) VALUES (?, ?, ?, ?)",
                             (email, email, "$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAA", now))
            payload = json.dumps({"email": email, "user_id": cur.lastrowid}, sort_keys=True)
            db.execute("INSERT INTO mail_jobs (kind, payload, run_at, created_at, updated_at)"
                       " VALUES ('verify_email', ?, ?, ?, ?)", (payload, now, now, now))


def post(url, body, token=None):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


class Bench:
    def __init__(self, args):
        self.args = args
        self.procs = Processes()
        self.tmp = tempfile.mkdtemp(prefix="swift-auth-bench-")
        self.results = {"endpoints": [], "signup_smtp": [], "worker": [], "notes": [], "postgres": [], "pg_worker": [],
                        "admin": [], "metrics_ab": []}
        self.bin = None
        self.database = os.path.join(self.tmp, "auth.sqlite")
        # Settings every process of this run gets (the soak's short retention windows).
        self.extra_env = {}

    # --- set-up -----------------------------------------------------------------------------

    def build(self):
        config = "debug" if self.args.smoke and not self.args.release else "release"
        if not self.args.no_build:
            log("building (%s)..." % config)
            subprocess.run(["swift", "build", "-c", config], cwd=ROOT, check=True)
        self.bin = subprocess.run(["swift", "build", "-c", config, "--show-bin-path"], cwd=ROOT, check=True,
                                  capture_output=True, text=True).stdout.strip()
        self.results["build"] = config

    def env(self, **extra):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AUTH_")}
        env.update(AUTH_DATABASE=self.database, AUTH_SECRET_KEY=SECRET, AUTH_THROTTLE="off",
                   AUTH_HOST="127.0.0.1", LOG_LEVEL="warning")
        env.update(self.extra_env)
        env.update(extra)
        return env

    def start_sink(self, mode="ok"):
        directory = tempfile.mkdtemp(prefix="sink-", dir=self.tmp)
        with open(os.path.join(directory, "mode"), "w") as f:
            f.write(mode)
        proc, match = self.procs.start([sys.executable, os.path.join(ROOT, "scripts", "smtp_sink.py"), "--dir", directory],
                                       wait_for=r"listening on (\d+)")
        return proc, int(match.group(1)), directory

    def start_api(self, **extra):
        proc, match = self.procs.start([os.path.join(self.bin, "AuthAPI"), "serve"], env=self.env(AUTH_PORT="0", **extra),
                                       wait_for=r"listening on http://127\.0\.0\.1:(\d+)",
                                       log_path=None)
        return proc, int(match.group(1))

    def start_worker(self, smtp_url, concurrency=4):
        env = self.env(AUTH_SMTP_URL=smtp_url, AUTH_MAIL_CONCURRENCY=str(concurrency), AUTH_SMTP_CONNECT_TIMEOUT="1",
                       AUTH_MAIL_RETRY_BASE="5")
        proc, _ = self.procs.start([os.path.join(self.bin, "MailWorker"), "run"], env=env,
                                   log_path=os.path.join(self.tmp, "worker-%d.log" % time.time_ns()))
        return proc

    # --- load -------------------------------------------------------------------------------

    def wrk_replicas(self, urls, script, connections=None, duration=None, warmup=0, **env):
        """Load spread over replicas: one wrk per replica at the same time, connections split
        evenly. req/s add up; each latency percentile is the worse of the replicas'."""
        if len(urls) == 1:
            return self.wrk(urls[0], script, connections, duration, warmup, **env)
        connections = connections or self.args.connections
        share = max(1, connections // len(urls))
        results = [None] * len(urls)
        import threading

        def one(i):
            extra = dict(env)
            if "BENCH_POOL" in extra:
                extra["BENCH_POOL"] = "%s.%d" % (extra["BENCH_POOL"], i)
            results[i] = self.wrk(urls[i], script, share, duration, warmup, **extra)
        threads = [threading.Thread(target=one, args=(i,)) for i in range(len(urls))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        merged = {"rps": sum(r["rps"] for r in results), "requests": sum(r["requests"] for r in results),
                  "non2xx": sum(r["non2xx"] for r in results), "socket_errors": sum(r["socket_errors"] for r in results),
                  "connections": share * len(urls)}
        for key in ("p50_ms", "p90_ms", "p99_ms"):
            merged[key] = max(r[key] for r in results)
        return merged

    def wrk(self, url, script, connections=None, duration=None, warmup=None, **env):
        connections = connections or self.args.connections
        duration = duration or self.args.duration
        warmup = self.args.warmup if warmup is None else warmup
        threads = min(self.args.threads, connections)
        run_env = dict(os.environ, BENCH_LUA_DIR=LUA, BENCH_THREADS=str(threads), BENCH_RUN=secrets.token_hex(3))
        run_env.update({k: str(v) for k, v in env.items()})
        if warmup > 0 and not env.get("BENCH_POOL"):
            subprocess.run(["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % warmup,
                            "-s", os.path.join(LUA, script), url], env=dict(run_env, BENCH_RUN=secrets.token_hex(3)),
                           capture_output=True, text=True)
        out = subprocess.run(["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % duration, "--latency",
                              "-s", os.path.join(LUA, script), url], env=run_env, capture_output=True, text=True)
        match = re.search(r"BENCH_JSON (\{.*\})", out.stdout)
        if not match:
            raise RuntimeError("wrk failed: %s %s" % (out.stdout, out.stderr))
        data = json.loads(match.group(1))
        seconds = data["duration_us"] / 1e6
        return {"rps": data["requests"] / seconds if seconds else 0.0, "requests": data["requests"],
                "p50_ms": data["p50_us"] / 1e3, "p90_ms": data["p90_us"] / 1e3, "p99_ms": data["p99_us"] / 1e3,
                "non2xx": data["non2xx"], "socket_errors": data["socket_errors"], "connections": connections}

    def measured_cpu(self, processes, run):
        """Runs a load and adds the cores each process used meanwhile: on hash-bound endpoints
        that says where the CPU went that the hashing did not get."""
        before = {name: cpu_seconds(proc.pid) for name, proc in processes.items()}
        started = time.monotonic()
        result = run()
        elapsed = time.monotonic() - started
        result["cpu_cores"] = {name: (cpu_seconds(proc.pid) - before[name]) / elapsed for name, proc in processes.items()}
        return result

    def record(self, name, result, api=None, **extra):
        if api is not None:
            result["rss_mib"] = rss_mib(api.pid)
        result["name"] = name
        result.update(extra)
        self.results["endpoints"].append(result)
        log("  %-28s %9.1f req/s  p50 %7.2f ms  p99 %7.2f ms  non-2xx %d  RSS %s" % (
            name, result["rps"], result["p50_ms"], result["p99_ms"], result["non2xx"],
            "%.0f MiB" % result["rss_mib"] if "rss_mib" in result else "-"))

    # --- the runs ---------------------------------------------------------------------------

    def ceilings(self):
        self.framework_ceiling("framework ceiling: GET /hello")
        # The ceiling is measured, not extrapolated: one thread per core hashing at once in one
        # process, as the service's hashing threads do (they share memory bandwidth, caches and
        # the kernel's work of mapping each hash's 19 MiB).
        self.results["hash_single_ms"] = self.hash_ms()
        self.results["hash_ms"] = self.hash_ms("threads", str(os.cpu_count() or 1))
        self.results["hash_reference_ms"] = self.hash_ms("reference")
        log("  Argon2id hash: %.2f ms alone, %.2f ms each with %d at once; libargon2 %.2f ms" % (
            self.results["hash_single_ms"], self.results["hash_ms"], os.cpu_count() or 1, self.results["hash_reference_ms"]))

    def hash_ms(self, *extra):
        count = "5" if self.args.smoke else "30"
        return float(subprocess.run([os.path.join(self.bin, "HelloBench"), "hash", count] + list(extra),
                                    env=self.env(), capture_output=True, text=True, check=True).stdout.strip())

    def framework_ceiling(self, name):
        port = free_port()
        hello, _ = self.procs.start([os.path.join(self.bin, "HelloBench"), "serve", str(port)],
                                    wait_for=r"listening on")
        self.record(name, self.wrk("http://127.0.0.1:%d/hello" % port, "plain_get.lua"), hello)
        self.procs.stop(hello)

    def endpoints(self):
        subprocess.run([os.path.join(self.bin, "AuthAPI"), "migrate"], env=self.env(), check=True, capture_output=True)
        subprocess.run([os.path.join(self.bin, "AuthAPI"), "createsuperuser", "--email", "bench@bench.example"],
                       env=self.env(AUTH_SUPERUSER_PASSWORD=PASSWORD), check=True, capture_output=True)
        sink, sink_port, _ = self.start_sink()
        worker = self.start_worker("smtp://127.0.0.1:%d" % sink_port)
        api, port = self.start_api()
        base = "http://127.0.0.1:%d" % port
        accounts = base + "/api/accounts"
        login = post(accounts + "/login/", {"email": "bench@bench.example", "password": PASSWORD})
        access, user_id = login["access"], login["id"]
        memory = {"idle": rss_mib(api.pid)}
        slow = max(8, self.args.connections // 4)

        self.record("GET /healthz", self.wrk(base + "/healthz", "plain_get.lua"), api)
        self.record("GET me", self.wrk(accounts + "/me/", "get_auth.lua", BENCH_TOKEN=access), api)
        self.record("PATCH me", self.wrk(accounts + "/me/", "post_json.lua", BENCH_METHOD="PATCH", BENCH_TOKEN=access,
                                         BENCH_BODY='{"first_name":"Bench"}'), api)
        self.record("POST token/verify", self.wrk(accounts + "/token/verify/", "post_json.lua",
                                                  BENCH_BODY=json.dumps({"token": access})), api)
        pool_size = 6000 if self.args.smoke else 20000 * self.args.duration
        for name, path, field in [("POST token/refresh", "/token/refresh/", "refresh"), ("POST logout", "/logout/", "refresh")]:
            pool = os.path.join(self.tmp, "pool-%s.txt" % field + path.strip("/").replace("/", "-"))
            with open(pool, "w") as f:
                f.write("\n".join(mint_refresh_tokens(self.database, user_id, pool_size)))
            result = self.wrk(accounts + path, "token_pool.lua", BENCH_POOL=pool, BENCH_FIELD=field)
            if result["requests"] > pool_size:
                self.results["notes"].append("%s: pool of %d tokens exhausted (%d requests)" % (name, pool_size, result["requests"]))
            self.record(name, result, api)
        self.record("POST send-otp", self.wrk(accounts + "/send-otp/", "unique_email.lua"), api)
        # The ceiling again right after the read load: the machine's speed drifts over minutes,
        # and the ratios use the higher of the two (the stricter).
        self.framework_ceiling("framework ceiling again: GET /hello")
        memory["read load"] = max(e["rss_mib"] for e in self.results["endpoints"]
                                  if "rss_mib" in e and not e["name"].startswith("framework"))
        processes = {"API": api, "worker": worker, "SMTP sink": sink}
        self.record("POST login", self.measured_cpu(processes, lambda: self.wrk(
            accounts + "/login/", "post_json.lua", connections=slow,
            BENCH_BODY=json.dumps({"email": "bench@bench.example", "password": PASSWORD}))), api)
        self.record("POST signup", self.measured_cpu(processes, lambda: self.wrk(
            accounts + "/signup/", "unique_email.lua", connections=slow, BENCH_WITH_PASSWORD="1")), api, smtp="fast")
        self.results["signup_smtp"].append(self.results["endpoints"][-1])

        # Signup when the mail server is slow, and when there is none: the queue keeps them equal.
        self.procs.stop(worker)
        slow_sink, slow_port, slow_dir = self.start_sink("slow:1")
        worker = self.start_worker("smtp://127.0.0.1:%d" % slow_port)
        result = self.wrk(accounts + "/signup/", "unique_email.lua", connections=slow, BENCH_WITH_PASSWORD="1")
        self.record("POST signup, SMTP answers after 1 s", result, api, smtp="slow")
        self.results["signup_smtp"].append(result)
        self.procs.stop(worker)
        self.procs.stop(slow_sink)
        worker = self.start_worker("smtp://127.0.0.1:%d" % free_port())
        result = self.wrk(accounts + "/signup/", "unique_email.lua", connections=slow, BENCH_WITH_PASSWORD="1")
        self.record("POST signup, no SMTP server", result, api, smtp="absent")
        self.results["signup_smtp"].append(result)
        self.procs.stop(worker)
        # Whether the hashing buffers go back to the system once the hashing load ends.
        memory["after hash load"] = rss_mib(api.pid)
        # The hash ceiling again after the hashing load; the ratios use the faster time (the stricter).
        self.results["hash_ms_again"] = self.hash_ms("threads", str(os.cpu_count() or 1))
        self.results["hash_ceiling_rps"] = (os.cpu_count() or 1) / (min(self.results["hash_ms"], self.results["hash_ms_again"]) / 1000)
        log("  Argon2id hash again: %.2f ms each -> ceiling %.0f hashes/s" % (
            self.results["hash_ms_again"], self.results["hash_ceiling_rps"]))
        time.sleep(2 if self.args.smoke else 60)
        memory["a minute later" if not self.args.smoke else "2 s later"] = rss_mib(api.pid)
        self.results["memory"] = memory
        log("  API RSS: " + ", ".join("%s %.0f MiB" % item for item in memory.items()))
        with sqlite3.connect(os.path.join(self.tmp, "auth.sqlite"), timeout=30) as db:
            db.execute("UPDATE mail_jobs SET state = 'done' WHERE state IN ('queued', 'running')")
        self.api, self.port, self.sink_port = api, port, sink_port
        self.procs.stop(sink)

    def algorithms(self):
        """GET me, token/verify, token/refresh and the JWKS under each signing algorithm, each on a
        fresh SQLite database of its own (the API generates its first key there)."""
        self.results.setdefault("algorithms", [])
        for algorithm in ("HS256", "ES256", "EdDSA", "RS256"):
            database = os.path.join(self.tmp, "keys-%s.sqlite" % algorithm.lower())
            env = self.env(AUTH_DATABASE=database, AUTH_JWT_ALGORITHM=algorithm, AUTH_PORT="0")
            subprocess.run([os.path.join(self.bin, "AuthAPI"), "migrate"], env=env, check=True, capture_output=True)
            subprocess.run([os.path.join(self.bin, "AuthAPI"), "createsuperuser", "--email", "bench@bench.example"],
                           env=dict(env, AUTH_SUPERUSER_PASSWORD=PASSWORD), check=True, capture_output=True)
            api, match = self.procs.start([os.path.join(self.bin, "AuthAPI"), "serve"], env=env,
                                          wait_for=r"listening on http://127\.0\.0\.1:(\d+)")
            base = "http://127.0.0.1:%d" % int(match.group(1))
            accounts = base + "/api/accounts"
            login = post(accounts + "/login/", {"email": "bench@bench.example", "password": PASSWORD})
            row = {"algorithm": algorithm}
            row["me"] = self.wrk(accounts + "/me/", "get_auth.lua", BENCH_TOKEN=login["access"])
            row["verify"] = self.wrk(accounts + "/token/verify/", "post_json.lua", BENCH_BODY=json.dumps({"token": login["access"]}))
            # RSA signing in Python is slow and the endpoint too (two RSA signatures per refresh).
            per_second = 4000 if algorithm == "RS256" else 20000
            pool_size = (per_second // 4 if self.args.smoke else per_second) * max(1, self.args.duration)
            pool = os.path.join(self.tmp, "pool-%s.txt" % algorithm)
            signer = None if algorithm == "HS256" else current_key_signer(database)
            with open(pool, "w") as f:
                f.write("\n".join(mint_refresh_tokens(database, login["id"], pool_size, signer)))
            row["refresh"] = self.wrk(accounts + "/token/refresh/", "token_pool.lua", BENCH_POOL=pool, BENCH_FIELD="refresh")
            row["jwks"] = self.wrk(base + "/.well-known/jwks.json", "plain_get.lua")
            if row["refresh"]["requests"] > pool_size:
                self.results["notes"].append("%s refresh: pool of %d tokens exhausted (%d requests)" % (
                    algorithm, pool_size, row["refresh"]["requests"]))
            for name in ("me", "verify", "jwks"):
                if row[name]["non2xx"]:
                    self.results["notes"].append("%s %s: %d non-2xx answers" % (algorithm, name, row[name]["non2xx"]))
            log("  %-6s me %8.0f  verify %8.0f  refresh %8.0f  jwks %8.0f req/s" % (
                algorithm, row["me"]["rps"], row["verify"]["rps"], row["refresh"]["rps"], row["jwks"]["rps"]))
            self.results["algorithms"].append(row)
            self.procs.stop(api)

    def worker_throughput(self):
        count = 100 if self.args.smoke else 2000
        for concurrency in (1, 4):
            sink, sink_port, sink_dir = self.start_sink()
            seed_jobs(self.database, count, "c%d" % concurrency)
            env = self.env(AUTH_SMTP_URL="smtp://127.0.0.1:%d" % sink_port, AUTH_MAIL_CONCURRENCY=str(concurrency))
            started = time.monotonic()
            subprocess.run([os.path.join(self.bin, "MailWorker"), "run", "--once"], env=env, check=True, capture_output=True)
            elapsed = time.monotonic() - started
            delivered = sum(1 for name in os.listdir(sink_dir) if name.endswith(".eml")
                            and (b"wc%d-" % concurrency) in open(os.path.join(sink_dir, name), "rb").readline())
            entry = {"concurrency": concurrency, "jobs": count, "delivered": delivered, "seconds": elapsed,
                     "mails_per_s": delivered / elapsed}
            self.results["worker"].append(entry)
            log("  worker, %d in flight: %d mails in %.2f s = %.0f mails/s" % (concurrency, delivered, elapsed, entry["mails_per_s"]))
            self.procs.stop(sink)

    def postgres(self):
        """The same endpoints on PostgreSQL with 1 and 2 API replicas, and the worker with 1, 2
        and 4 workers, on a throw-away server (scripts/with-postgres.sh sets its URL)."""
        admin = os.environ.get("AUTH_TEST_POSTGRES_URL")
        if not admin:
            self.results["notes"].append("PostgreSQL rows skipped: no server (run through scripts/with-postgres.sh)")
            return
        name = "bench_%s" % secrets.token_hex(4)
        psql(admin, "CREATE DATABASE %s" % name)
        parts = urllib.parse.urlsplit(admin)
        self.database = urllib.parse.urlunsplit(parts._replace(path="/" + name))
        self.results["pg_version"] = psql(admin, "SHOW server_version")[0].split()[0]
        subprocess.run([os.path.join(self.bin, "AuthAPI"), "migrate"], env=self.env(), check=True, capture_output=True)
        subprocess.run([os.path.join(self.bin, "AuthAPI"), "createsuperuser", "--email", "bench@bench.example"],
                       env=self.env(AUTH_SUPERUSER_PASSWORD=PASSWORD), check=True, capture_output=True)
        sink, sink_port, _ = self.start_sink()
        duration = self.args.pg_duration
        slow = max(8, self.args.connections // 4)
        for replicas in (1, 2):
            worker = self.start_worker("smtp://127.0.0.1:%d" % sink_port)
            apis = [self.start_api() for _ in range(replicas)]
            bases = ["http://127.0.0.1:%d" % port for _, port in apis]
            accounts = [b + "/api/accounts" for b in bases]
            login = post(accounts[0] + "/login/", {"email": "bench@bench.example", "password": PASSWORD})
            access, user_id = login["access"], login["id"]
            rows = []

            def run(label, result):
                result["rss_mib"] = max(rss_mib(p.pid) for p, _ in apis)
                result["name"] = label
                result["replicas"] = replicas
                rows.append(result)
                log("  pg x%d %-22s %9.1f req/s  p50 %7.2f ms  p99 %7.2f ms  non-2xx %d" % (
                    replicas, label, result["rps"], result["p50_ms"], result["p99_ms"], result["non2xx"]))

            run("GET /healthz", self.wrk_replicas([b + "/healthz" for b in bases], "plain_get.lua", duration=duration))
            run("GET me", self.wrk_replicas([a + "/me/" for a in accounts], "get_auth.lua", duration=duration, BENCH_TOKEN=access))
            run("PATCH me", self.wrk_replicas([a + "/me/" for a in accounts], "post_json.lua", duration=duration,
                                              BENCH_METHOD="PATCH", BENCH_TOKEN=access, BENCH_BODY='{"first_name":"Bench"}'))
            run("POST token/verify", self.wrk_replicas([a + "/token/verify/" for a in accounts], "post_json.lua",
                                                       duration=duration, BENCH_BODY=json.dumps({"token": access})))
            pool_size = 3000 if self.args.smoke else 12000 * duration
            for label, path in [("POST token/refresh", "/token/refresh/"), ("POST logout", "/logout/")]:
                pool = os.path.join(self.tmp, "pg-pool-%d-%s" % (replicas, path.strip("/").replace("/", "-")))
                tokens = mint_refresh_tokens(self.database, user_id, pool_size)
                share = len(tokens) // replicas
                for i in range(replicas):
                    with open(pool + (".%d" % i if replicas > 1 else ""), "w") as f:
                        f.write("\n".join(tokens[i * share:(i + 1) * share]))
                result = self.wrk_replicas([a + path for a in accounts], "token_pool.lua", duration=duration,
                                           BENCH_POOL=pool, BENCH_FIELD="refresh")
                if result["requests"] > pool_size:
                    self.results["notes"].append("PostgreSQL %s: pool of %d tokens exhausted" % (label, pool_size))
                run(label, result)
            run("POST send-otp", self.wrk_replicas([a + "/send-otp/" for a in accounts], "unique_email.lua", duration=duration))
            run("POST login", self.wrk_replicas([a + "/login/" for a in accounts], "post_json.lua", connections=slow,
                                                duration=duration,
                                                BENCH_BODY=json.dumps({"email": "bench@bench.example", "password": PASSWORD})))
            run("POST signup", self.wrk_replicas([a + "/signup/" for a in accounts], "unique_email.lua", connections=slow,
                                                 duration=duration, BENCH_WITH_PASSWORD="1"))
            self.results["postgres"].extend(rows)
            for proc, _ in apis:
                self.procs.stop(proc)
            self.procs.stop(worker)
        psql(self.database, "UPDATE mail_jobs SET state = 'done' WHERE state IN ('queued', 'running')")

        # Fast sink: what the machine does flat out. A sink that takes 50 ms per mail (a remote
        # server's latency): how workers add up when the bound is the wait, not the CPU.
        for label, mode, count in [("fast sink", "ok", 100 if self.args.smoke else 2000),
                                   ("sink answers after 50 ms", "slow:0.05", 40 if self.args.smoke else 400)]:
            for workers in (1, 2, 4):
                self.pg_workers(label, mode, count, workers)
        self.procs.stop(sink)

    ADMIN_NAMES = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Margaret", "Niklaus"]
    ADMIN_SURNAMES = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Hamilton", "Wirth"]

    def seed_users(self, database, count):
        """`count` users written straight into the database (the hash is a placeholder: nobody logs in)."""
        rows = []
        for i in range(1, count + 1):
            email = "user%d.%s@example%d.com" % (i, self.ADMIN_SURNAMES[(i // 10) % 10].lower(), i % 50)
            rows.append((email, email, "!bench", self.ADMIN_NAMES[i % 10], self.ADMIN_SURNAMES[(i // 10) % 10],
                         i % 3 == 0, time.time() - i))
        if database.startswith("postgres"):
            text = "".join("%s\t%s\t%s\t%s\t%s\t%s\t%s\n" % (e, k, p, f, l, "t" if v else "f", d) for e, k, p, f, l, v, d in rows)
            psql(database, "COPY users (email, email_key, password, first_name, last_name, is_verified, date_joined) FROM STDIN",
                 stdin=text)
            psql(database, "ANALYZE users")
        else:
            with sqlite3.connect(database, timeout=30) as db:
                db.executemany("INSERT INTO users (email, email_key, password, first_name, last_name, is_verified, date_joined) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
                db.execute("ANALYZE")

    def operations(self):
        """The operator's side: the admin's user list and search over 100k users on each backend
        (one staff client at a time — wrk -c2 — as operators use it), and what metrics cost GET me."""
        count = 2000 if self.args.smoke else 100000
        duration = 1 if self.args.smoke else 3
        self.results["admin_users"] = count
        saved = self.database
        backends = [("SQLite", os.path.join(self.tmp, "admin.sqlite"))]
        admin = os.environ.get("AUTH_TEST_POSTGRES_URL")
        if admin:
            name = "bench_admin_%s" % secrets.token_hex(4)
            psql(admin, "CREATE DATABASE %s" % name)
            backends.append(("PostgreSQL", urllib.parse.urlunsplit(urllib.parse.urlsplit(admin)._replace(path="/" + name))))
        rare = "user%d.%s@" % (count // 2 + 7, self.ADMIN_SURNAMES[((count // 2 + 7) // 10) % 10].lower())
        queries = [("list, page 1", "?page_size=50"),
                   ("list, page 1000 (offset 50k)" if not self.args.smoke else "list, page 20", "?page=%d" % (1000 if not self.args.smoke else 20)),
                   ("filter is_verified=true", "?is_verified=true"),
                   ("search, 1 match", "?search=" + urllib.parse.quote(rare)),
                   ("search 'hopper', 10 % match", "?search=hopper"),
                   ("search 'ho', 2 letters (scan)", "?search=ho")]
        for label, database in backends:
            self.database = database
            started = time.monotonic()
            subprocess.run([os.path.join(self.bin, "AuthAPI"), "migrate"], env=self.env(), check=True, capture_output=True)
            subprocess.run([os.path.join(self.bin, "AuthAPI"), "createsuperuser", "--email", "bench@bench.example"],
                           env=self.env(AUTH_SUPERUSER_PASSWORD=PASSWORD), check=True, capture_output=True)
            self.seed_users(database, count)
            seeded = time.monotonic() - started
            api, port = self.start_api()
            base = "http://127.0.0.1:%d/api/admin/users/" % port
            token = post("http://127.0.0.1:%d/api/accounts/login/" % port, {"email": "bench@bench.example", "password": PASSWORD})["access"]
            for name, query in queries:
                request = urllib.request.Request(base + query, headers={"Authorization": "Bearer " + token})
                with urllib.request.urlopen(request, timeout=60) as response:
                    matched = json.load(response)["count"]
                result = self.wrk(base + query, "get_auth.lua", connections=2, duration=duration, warmup=0, BENCH_TOKEN=token)
                result.update(backend=label, name=name, matched=matched, seed_seconds=seeded)
                self.results["admin"].append(result)
                log("  %-10s %-34s %7.1f req/s  p50 %7.2f ms  p99 %7.2f ms  (%d match)" % (
                    label, name, result["rps"], result["p50_ms"], result["p99_ms"], matched))
            self.procs.stop(api)
        self.database = saved

        # Metrics on and off, alternating on one database: what counting every request costs GET me.
        self.database = os.path.join(self.tmp, "admin.sqlite")
        for round in range(1 if self.args.smoke else 2):
            for metrics in (False, True):
                extra = {"AUTH_METRICS_PORT": str(free_port())} if metrics else {}
                api, port = self.start_api(**extra)
                token = post("http://127.0.0.1:%d/api/accounts/login/" % port, {"email": "bench@bench.example", "password": PASSWORD})["access"]
                result = self.wrk("http://127.0.0.1:%d/api/accounts/me/" % port, "get_auth.lua", BENCH_TOKEN=token)
                result.update(metrics=metrics, round=round)
                self.results["metrics_ab"].append(result)
                log("  GET me, metrics %-3s %9.1f req/s  p99 %6.2f ms" % ("on" if metrics else "off", result["rps"], result["p99_ms"]))
                self.procs.stop(api)
        self.database = saved

    def pg_workers(self, label, mode, count, workers):
        """`count` jobs drained by `workers` concurrent `MailWorker run --once` (4 sends each)."""
        pg_sink, pg_sink_port, pg_sink_dir = self.start_sink(mode)
        seed_jobs(self.database, count, "pg%d%s" % (workers, secrets.token_hex(2)))
        env = self.env(AUTH_SMTP_URL="smtp://127.0.0.1:%d" % pg_sink_port, AUTH_MAIL_CONCURRENCY="4")
        started = time.monotonic()
        runs = [subprocess.Popen([os.path.join(self.bin, "MailWorker"), "run", "--once"], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(workers)]
        for proc in runs:
            proc.wait()
        elapsed = time.monotonic() - started
        delivered = sum(1 for n in os.listdir(pg_sink_dir) if n.endswith(".eml"))
        entry = {"workers": workers, "jobs": count, "delivered": delivered, "seconds": elapsed,
                 "mails_per_s": delivered / elapsed, "sink": label}
        self.results["pg_worker"].append(entry)
        log("  pg worker x%d (4 in flight each), %s: %d mails in %.2f s = %.0f mails/s" % (
            workers, label, delivered, elapsed, entry["mails_per_s"]))
        self.procs.stop(pg_sink)

    def latency_and_contention(self):
        sink, sink_port, sink_dir = self.start_sink()
        worker = self.start_worker("smtp://127.0.0.1:%d" % sink_port)
        accounts = "http://127.0.0.1:%d/api/accounts" % self.port
        sent = {}
        total = 10 if self.args.smoke else 60
        for i in range(total):
            email = "lat-%s-%d@bench.example" % (secrets.token_hex(2), i)
            sent[email] = time.time()
            post(accounts + "/signup/", {"email": email, "password": PASSWORD})
            time.sleep(0.1)
        arrived = {}
        deadline = time.time() + 30
        while len(arrived) < total and time.time() < deadline:
            for name in os.listdir(sink_dir):
                if name.endswith(".eml") and name not in arrived:
                    path = os.path.join(sink_dir, name)
                    with open(path, "rb") as f:
                        first = f.readline().decode().strip()
                    arrived[name] = (first.split(": ", 1)[1], os.stat(path).st_mtime)
            time.sleep(0.01)
        delays = sorted(mtime - sent[email] for email, mtime in arrived.values() if email in sent)
        self.results["mail_latency"] = {
            "count": len(delays), "median_ms": statistics.median(delays) * 1000 if delays else None,
            "p99_ms": delays[min(len(delays) - 1, int(len(delays) * 0.99))] * 1000 if delays else None}
        log("  signup to mail: median %.0f ms, p99 %.0f ms over %d mails" % (
            self.results["mail_latency"]["median_ms"] or 0, self.results["mail_latency"]["p99_ms"] or 0, len(delays)))
        self.procs.stop(worker)

        # The queue under contention: signups while a worker drains a backlog at full speed.
        seed_jobs(self.database, 300 if self.args.smoke else 5000, "contention")
        worker = self.start_worker("smtp://127.0.0.1:%d" % sink_port, concurrency=4)
        time.sleep(0.3)
        result = self.wrk(accounts + "/signup/", "unique_email.lua", connections=max(8, self.args.connections // 4),
                          BENCH_WITH_PASSWORD="1")
        self.record("POST signup while worker drains", result, self.api)
        self.results["contention"] = result
        self.procs.stop(worker)
        self.procs.stop(sink)

    # --- report -----------------------------------------------------------------------------

    def report(self):
        r = self.results
        ceiling = max(e["rps"] for e in r["endpoints"] if e["name"].startswith("framework"))
        hash_ceiling = r["hash_ceiling_rps"]
        model = "unknown"
        try:
            with open("/proc/cpuinfo") as f:
                model = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
        except (OSError, StopIteration):
            pass
        lines = ["# Benchmarks", "",
                 "Written by `make bench` (bench/bench.py) on %s. %s build." % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), r["build"]),
                 "",
                 "Machine: %d cores (%s), %s; wrk shares these cores with the server under test, so every number "
                 "includes the load generator's own CPU use." % (os.cpu_count() or 0, model, platform.platform()),
                 "Load: `wrk -t%d -c%d -d%ds` after a %ds warm-up; signup and login at -c%d (hash-bound). "
                 "Throttling off (`AUTH_THROTTLE=off`), fresh temporary database, worker sending to a loopback aiosmtpd sink."
                 % (self.args.threads, self.args.connections, self.args.duration, self.args.warmup, max(8, self.args.connections // 4)),
                 "",
                 "## Endpoints", "",
                 "| endpoint | req/s | p50 ms | p90 ms | p99 ms | non-2xx | API RSS MiB | vs framework | vs hash ceiling |",
                 "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for e in r["endpoints"]:
            hashy = any(k in e["name"] for k in ("signup", "login"))
            lines.append("| %s (c=%d) | %.0f | %.2f | %.2f | %.2f | %d | %s | %.0f %% | %s |" % (
                e["name"], e["connections"], e["rps"], e["p50_ms"], e["p90_ms"], e["p99_ms"], e["non2xx"],
                "%.0f" % e["rss_mib"] if "rss_mib" in e else "-", 100 * e["rps"] / ceiling,
                "%.0f %%" % (100 * e["rps"] / hash_ceiling) if hashy else ""))
        lines += ["", "Framework ceiling: the higher of its two runs (%s req/s), before and after the read endpoints: "
                  "the machine's speed drifts over minutes." % " and ".join(
                      "%.0f" % e["rps"] for e in r["endpoints"] if e["name"].startswith("framework")),
                  "", "Hash ceiling: one Argon2id hash (m=%s KiB, t=%s, p=%s) takes %.2f ms alone and %.2f ms (%.2f ms after the "
                  "hashing load; the faster counts) each with %d hashed at once in one process (one thread per core, as the "
                  "service hashes), so %d cores top out at %.0f hashes/s." % (
                      os.environ.get("AUTH_ARGON2_MEMORY_KIB", "19456"), os.environ.get("AUTH_ARGON2_ITERATIONS", "2"),
                      os.environ.get("AUTH_ARGON2_PARALLELISM", "1"), r["hash_single_ms"], r["hash_ms"], r["hash_ms_again"],
                      os.cpu_count() or 1, os.cpu_count() or 1, hash_ceiling)
                  + " That is the service's implementation (libsodium's `crypto_pwhash` at one lane); libargon2's portable "
                  "reference code takes %.2f ms for the same hash alone, %.2f\u00d7 libsodium's."
                  % (r["hash_reference_ms"], r["hash_reference_ms"] / r["hash_single_ms"])]
        for e in r["endpoints"]:
            if "cpu_cores" in e:
                lines += ["", "CPU during %s (c=%d), in cores of %d: %s (the rest: wrk and idle time)." % (
                    e["name"], e["connections"], os.cpu_count() or 1,
                    ", ".join("%s %.2f" % item for item in e["cpu_cores"].items()))]
        lines += [
                  "", "API memory (RSS): " + ", ".join("%s %.0f MiB" % item for item in r.get("memory", {}).items()) + ".",
                  "", "## Signup and the mail server", "",
                  "| SMTP server | signup req/s | p99 ms | vs fast |", "|---|---:|---:|---:|"]
        fast = r["signup_smtp"][0]["rps"]
        for label, e in zip(["fast (loopback sink)", "answers after 1 s", "absent"], r["signup_smtp"]):
            # A smoke run can finish no signup in its second on a busy machine: no ratio then.
            ratio = "%.0f %%" % (100 * e["rps"] / fast) if fast else "-"
            lines.append("| %s | %.0f | %.2f | %s |" % (label, e["rps"], e["p99_ms"], ratio))
        if r.get("algorithms"):
            healthz = next((e["rps"] for e in r["endpoints"] if e["name"] == "GET /healthz"), 0)
            lines += ["", "## Signing algorithms", "",
                      "Each on a fresh SQLite database of its own (`AUTH_JWT_ALGORITHM`; the API generated its first key). "
                      "GET me and token/verify verify one signature per request, token/refresh verifies one and signs two; "
                      "the JWKS is served from memory (`/healthz` above: %.0f req/s)." % healthz, "",
                      "| algorithm | GET me req/s | token/verify req/s | token/refresh req/s | refresh p99 ms | GET jwks.json req/s |",
                      "|---|---:|---:|---:|---:|---:|"]
            for a in r["algorithms"]:
                lines.append("| %s | %.0f | %.0f | %.0f | %.2f | %.0f |" % (
                    a["algorithm"], a["me"]["rps"], a["verify"]["rps"], a["refresh"]["rps"], a["refresh"]["p99_ms"], a["jwks"]["rps"]))
        lines += ["", "## Worker", "", "| sends in flight | mails | seconds | mails/s |", "|---:|---:|---:|---:|"]
        for w in r["worker"]:
            lines.append("| %d | %d | %.2f | %.0f |" % (w["concurrency"], w["delivered"], w["seconds"], w["mails_per_s"]))
        lat = r.get("mail_latency", {})
        lines += ["", "Signup to mail at the sink under a light load (10 signups/s): median %.0f ms, p99 %.0f ms (%d mails)." % (
            lat.get("median_ms") or 0, lat.get("p99_ms") or 0, lat.get("count", 0)),
                  "", "Queue under contention: %.0f signups/s (p99 %.1f ms) while a worker drains a backlog at full speed, "
                  "against %.0f signups/s alone." % (r["contention"]["rps"], r["contention"]["p99_ms"], fast)]
        if r["postgres"]:
            lines += ["", "## PostgreSQL", "",
                      "The same endpoints with `AUTH_DATABASE=postgres://…` on a local PostgreSQL %s (default settings but "
                      "`fsync=off`; the server shares the cores too), `wrk -d%ds`, no warm-up. With 2 replicas, one wrk per replica runs at "
                      "once on half the connections: req/s are summed, latencies are the worse replica's." % (
                          r.get("pg_version", ""), self.args.pg_duration),
                      "", "| endpoint | 1 replica req/s | p99 ms | 2 replicas req/s | p99 ms | 2 vs 1 | SQLite req/s |",
                      "|---|---:|---:|---:|---:|---:|---:|"]
            sqlite_rps = {e["name"]: e["rps"] for e in r["endpoints"]}
            one = [e for e in r["postgres"] if e["replicas"] == 1]
            two = {e["name"]: e for e in r["postgres"] if e["replicas"] == 2}
            for e in one:
                t = two.get(e["name"])
                lines.append("| %s (c=%d) | %.0f | %.2f | %s | %s | %s | %s |" % (
                    e["name"], e["connections"], e["rps"], e["p99_ms"], "%.0f" % t["rps"] if t else "-",
                    "%.2f" % t["p99_ms"] if t else "-", "%.2f×" % (t["rps"] / e["rps"]) if t and e["rps"] else "-",
                    "%.0f" % sqlite_rps[e["name"]] if e["name"] in sqlite_rps else "-"))
            lines += ["", "Workers on PostgreSQL, each `MailWorker run --once` with 4 sends in flight, started together on "
                      "one backlog:", "",
                      "| SMTP sink | workers | mails | seconds | mails/s | vs 1 worker |", "|---|---:|---:|---:|---:|---:|"]
            for w in r["pg_worker"]:
                one = next(x for x in r["pg_worker"] if x["sink"] == w["sink"] and x["workers"] == 1)
                lines.append("| %s | %d | %d | %.2f | %.0f | %.2f× |" % (
                    w["sink"], w["workers"], w["delivered"], w["seconds"], w["mails_per_s"],
                    w["mails_per_s"] / one["mails_per_s"] if one["mails_per_s"] else 0))
        if r["admin"]:
            lines += ["", "## Admin user list and search", "",
                      "`GET /api/admin/users/` over %d users (plus the staff account) with a staff token, one staff client at a time "
                      "(`wrk -c2`); each answer counts every match (DRF's `count`) and returns a page of 50. Search of three "
                      "characters or more is answered by a trigram index (SQLite: FTS5 `trigram`; PostgreSQL: `pg_trgm` GIN), "
                      "shorter terms scan." % r["admin_users"], "",
                      "| query | backend | matches | req/s | p50 ms | p99 ms |", "|---|---|---:|---:|---:|---:|"]
            for a in r["admin"]:
                lines.append("| %s | %s | %d | %.0f | %.2f | %.2f |" % (a["name"], a["backend"], a["matched"], a["rps"], a["p50_ms"], a["p99_ms"]))
            seeds = {a["backend"]: a["seed_seconds"] for a in r["admin"]}
            lines += ["", "Seeding (migrate, then the users written with the search index kept up to date): " + ", ".join(
                "%s %.1f s" % item for item in seeds.items()) + "."]
        if r["metrics_ab"]:
            on = [m["rps"] for m in r["metrics_ab"] if m["metrics"]]
            off = [m["rps"] for m in r["metrics_ab"] if not m["metrics"]]
            lines += ["", "## What metrics cost", "",
                      "GET me with and without `AUTH_METRICS_PORT` (every request counted and timed by route, method and status), "
                      "alternating: off %s, on %s req/s; on/off %.0f %%." % (
                          " / ".join("%.0f" % x for x in off), " / ".join("%.0f" % x for x in on),
                          100 * (sum(on) / len(on)) / (sum(off) / len(off)) if on and off and sum(off) else 0)]
        for note in r["notes"]:
            lines.append("\nNote: " + note)
        text = "\n".join(lines) + "\n"
        print(text)
        if not self.args.smoke:
            with open(os.path.join(ROOT, "BENCHMARKS.md"), "w") as f:
                f.write(text)
        with open(os.path.join(self.tmp, "results.json"), "w") as f:
            json.dump(r, f, indent=2)

    def run(self):
        started = time.monotonic()

        def phase(name, step):
            begun = time.monotonic()
            log("%s..." % name)
            step()
            log("  (%s: %.0f s)" % (name, time.monotonic() - begun))
        try:
            phase("build", self.build)
            phase("ceilings", self.ceilings)
            phase("endpoints", self.endpoints)
            phase("signing algorithms", self.algorithms)
            phase("worker", self.worker_throughput)
            phase("latency and contention", self.latency_and_contention)
            phase("postgres", self.postgres)
            phase("operator side", self.operations)
            self.results["seconds"] = time.monotonic() - started
            self.report()
        finally:
            self.procs.stop_all()
            shutil.rmtree(self.tmp, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a second or so per step, debug build, no BENCHMARKS.md")
    parser.add_argument("--release", action="store_true", help="with --smoke: use the release build")
    parser.add_argument("--no-build", action="store_true", help="use the existing build")
    # Defaults sized so that `make bench` from a clean clone (release build included) stays
    # under 10 minutes on a 2-core machine; raise them for steadier numbers.
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--pg-duration", type=int, default=2,
                        help="seconds per PostgreSQL endpoint run (no warm-up: the SQLite runs before warmed the binaries)")
    args = parser.parse_args()
    if args.smoke:
        args.duration, args.warmup, args.connections, args.pg_duration = 1, 0, 4, 1
    for tool in ("wrk",):
        if not shutil.which(tool):
            sys.exit("%s is missing: run `make bench-deps`" % tool)
    Bench(args).run()


if __name__ == "__main__":
    main()
