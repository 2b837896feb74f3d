# Two commands do everything on a fresh Debian machine: `make run` and `make test`.
SWIFT ?= swift
# System libraries the package links (system-library targets) and the build needs.
APT_PACKAGES := libsqlite3-dev libargon2-dev libsodium-dev libcurl4-openssl-dev pkg-config
.PHONY: deps test-deps bench-deps build run test faults soak bench-purge bench bench-ab bench-smoke clean

## deps: install the missing system packages (apt-get, only when something is missing)
deps:
	@scripts/apt-install.sh $(APT_PACKAGES)

## test-deps: python3 and aiosmtpd for the loopback SMTP server of the tests
test-deps: deps
	@scripts/install-test-deps.sh

## build: release build of AuthAPI and MailWorker
build: deps
	$(SWIFT) build -c release

## run: build, migrate, then run API and worker in the foreground (Ctrl-C stops both)
run: build
	@scripts/run.sh "$$($(SWIFT) build -c release --show-bin-path)"

## test: build everything with the tests, then run every test twice: on SQLite, then on a
## throw-away PostgreSQL server (2 API replicas, 2 workers per end-to-end test); the fault suite
## runs on its own after the rest, since its time bounds (503 within 2 s) are measured
## against a machine not loaded by 60 other suites at once
# Swift Testing starts every test at once by default: on 2 cores the PostgreSQL run had some 190
# API processes and a load of 79, and connections to the server timed out after 10 s (CI failed).
# 8 tests at a time take no longer on this machine and keep the load near the core count.
export SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH ?= 8

test: test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip FaultTests
	$(SWIFT) test --skip-build --filter FaultTests
	scripts/with-postgres.sh $(SWIFT) test --skip-build --skip FaultTests
	scripts/with-postgres.sh $(SWIFT) test --skip-build --filter FaultTests

## faults: the fault suite alone (about 2 minutes), on SQLite then on a throw-away PostgreSQL:
## API killed under load, PostgreSQL stopped and started, a full disk, a stalled worker, SMTP
## servers that hang or drop, a replica whose clock is ahead (make test runs it too)
faults: test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --filter FaultTests
	scripts/with-postgres.sh $(SWIFT) test --skip-build --filter FaultTests

## soak: SOAK_MINUTES (20) of mixed load on the release build with a worker and an SMTP sink;
## prints RSS, database size, bounded tables' rows and latency per minute (RELIABILITY.md), fails
## on errors, memory growth, or database growth once the windows passed (SOAK_WINDOWS=short, the
## default, shortens them to minutes; production keeps a day and more, and checks no plateau)
soak: bench-deps
	python3 bench/soak.py

## bench-purge: the purge of a retention window's backlog (ROWS audit events, 450000) while a
## client refreshes in a loop: how long it took and the slowest write meanwhile
bench-purge: bench-deps
	python3 bench/purge_stall.py

## bench-deps: wrk (HTTP load) and the test dependencies (the SMTP sink)
bench-deps: test-deps
	@scripts/apt-install.sh wrk

## bench: release build, every endpoint, worker and queue under load; writes BENCHMARKS.md
bench: bench-deps
	scripts/with-postgres.sh python3 bench/bench.py

## bench-ab: two builds side by side (A=folder B=folder, each holding an AuthAPI), in alternating
## rounds on GET me, token/verify and token/refresh: the ratio of medians says what a change cost
bench-ab: bench-deps
	python3 bench/ab.py --a "$(A)" --b "$(B)"

## bench-smoke: the same steps for about a second each on the debug build (CI runs it)
bench-smoke: bench-deps
	scripts/with-postgres.sh python3 bench/bench.py --smoke

clean:
	rm -rf .build

## fuzz: libFuzzer + ASan on the network-facing parsers (Linux), FUZZ_SECONDS each on a copy of
## the seed corpus in Fuzz/corpus/<Name>/; fails on any crash (input under .build-fuzz/artifacts/)
FUZZ_SECONDS ?= 60
FUZZERS ?= FuzzRequests FuzzJWT FuzzEmail
FUZZ_SCRATCH := .build-fuzz
# SwiftPM's own --sanitize (not -Xswiftc -sanitize=...): only then does it leave `main` to libFuzzer
# instead of renaming the executable's entry point to <Name>_main, which fails to link.
FUZZ_BUILD = AUTH_FUZZ=1 $(SWIFT) build --scratch-path $(FUZZ_SCRATCH) -c debug --sanitize=fuzzer --sanitize=address
.PHONY: fuzz
fuzz: deps
	@set -e; for f in $(FUZZERS); do $(FUZZ_BUILD) --product $$f; done
	@bin="$$($(FUZZ_BUILD) --show-bin-path)"; failed=""; summary=""; \
	mkdir -p $(FUZZ_SCRATCH)/logs; \
	for f in $(FUZZERS); do \
	  corpus="$$(mktemp -d)"; cp -R Fuzz/corpus/$$f/. "$$corpus/"; \
	  mkdir -p $(FUZZ_SCRATCH)/artifacts/$$f; log=$(FUZZ_SCRATCH)/logs/$$f.log; \
	  echo "== $$f: $(FUZZ_SECONDS) s (log: $$log)"; \
	  if "$$bin/$$f" -max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 \
	       -artifact_prefix=$(FUZZ_SCRATCH)/artifacts/$$f/ "$$corpus" >"$$log" 2>&1; then \
	    line="$$f: $$(grep -E '^Done [0-9]+ runs' "$$log" | tail -n 1)"; \
	  else \
	    tail -n 60 "$$log"; failed="$$failed $$f"; \
	    line="$$f: FAILED after $$(grep -E '^stat::number_of_executed_units' "$$log" | awk '{print $$2}') runs, input: $$(grep -oE 'Test unit written to [^ ]+' "$$log" | cut -d' ' -f5)"; \
	  fi; \
	  echo "$$line"; summary="$$summary$$line\n"; rm -rf "$$corpus"; \
	done; \
	printf "== fuzz summary\n$$summary"; \
	if [ -n "$$failed" ]; then echo "fuzz: crash in$$failed"; exit 1; fi
