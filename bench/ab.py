#!/usr/bin/env python3
"""`make bench-ab A=DIR B=DIR`: two builds of the API side by side on the endpoints every
request path goes through — GET me, token/verify, token/refresh — in alternating rounds
(A, B, B, A, …) on one SQLite database, so that both meet the same machine: a change is judged
by the ratio of medians, not by figures from different days. DIR is a folder holding an
`AuthAPI` binary (`swift build -c release --show-bin-path`, or a copy of an older build).
"""
import argparse
import json
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the bench's own processes, wrk runner and token minting)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a", required=True, help="folder with the baseline AuthAPI")
    parser.add_argument("--b", required=True, help="folder with the changed AuthAPI")
    parser.add_argument("--rounds", type=int, default=4, help="rounds; each runs both builds once")
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    args.smoke, args.release, args.no_build, args.pg_duration = False, True, True, 0
    runner = bench.Bench(args)
    try:
        results = {"A": {}, "B": {}}
        runner.bin = args.a
        env = runner.env()
        bench.subprocess.run([os.path.join(args.a, "AuthAPI"), "migrate"], env=env, check=True, capture_output=True)
        bench.subprocess.run([os.path.join(args.a, "AuthAPI"), "createsuperuser", "--email", "ab@bench.example"],
                             env=runner.env(AUTH_SUPERUSER_PASSWORD=bench.PASSWORD), check=True, capture_output=True)
        for round in range(args.rounds):
            order = ["A", "B"] if round % 2 == 0 else ["B", "A"]
            for label in order:
                runner.bin = args.a if label == "A" else args.b
                api, port = runner.start_api()
                accounts = "http://127.0.0.1:%d/api/accounts" % port
                login = bench.post(accounts + "/login/", {"email": "ab@bench.example", "password": bench.PASSWORD})
                access, user_id = login["access"], login["id"]
                runs = {
                    "GET me": lambda: runner.wrk(accounts + "/me/", "get_auth.lua", BENCH_TOKEN=access),
                    "POST token/verify": lambda: runner.wrk(accounts + "/token/verify/", "post_json.lua",
                                                            BENCH_BODY=json.dumps({"token": access})),
                }
                pool = os.path.join(runner.tmp, "pool-%d-%s.txt" % (round, label))
                with open(pool, "w") as f:
                    f.write("\n".join(bench.mint_refresh_tokens(runner.database, user_id, 20000 * args.duration)))
                runs["POST token/refresh"] = lambda: runner.wrk(accounts + "/token/refresh/", "token_pool.lua",
                                                                 BENCH_POOL=pool, BENCH_FIELD="refresh")
                for name, run in runs.items():
                    result = run()
                    results[label].setdefault(name, []).append(result["rps"])
                    bench.log("round %d %s %-20s %9.1f req/s  p99 %6.2f ms  non-2xx %d" % (
                        round + 1, label, name, result["rps"], result["p99_ms"], result["non2xx"]))
                runner.procs.stop(api)
        print("| endpoint | A (req/s, median of %d) | B | B / A |" % args.rounds)
        print("|---|---:|---:|---:|")
        for name in results["A"]:
            a, b = statistics.median(results["A"][name]), statistics.median(results["B"][name])
            print("| %s | %.0f | %.0f | %.3f |" % (name, a, b, b / a))
    finally:
        runner.procs.stop_all()
        bench.shutil.rmtree(runner.tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
