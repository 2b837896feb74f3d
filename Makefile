# Two commands do everything on a fresh Debian machine: `make run` and `make test`.
SWIFT ?= swift
# System libraries the package links (system-library targets) and the build needs.
APT_PACKAGES := libsqlite3-dev libargon2-dev libcurl4-openssl-dev pkg-config
.PHONY: deps test-deps bench-deps build run test bench bench-smoke clean

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

## test: build everything with the tests, then run every test
test: test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

## bench-deps: wrk (HTTP load) and the test dependencies (the SMTP sink)
bench-deps: test-deps
	@scripts/apt-install.sh wrk

## bench: release build, every endpoint, worker and queue under load; writes BENCHMARKS.md
bench: bench-deps
	python3 bench/bench.py

## bench-smoke: the same steps for about a second each on the debug build (CI runs it)
bench-smoke: bench-deps
	python3 bench/bench.py --smoke

clean:
	rm -rf .build
