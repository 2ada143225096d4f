# parkctl — everyday commands. `make test` and `make demo` work on a fresh
# machine: they install the pinned emulator into .venv when it is missing.

# moto 5.2.5: earlier 5.x answer Enable/DisableAlarmActions with HTTP 500.
MOTO_VERSION := 5.2.5
VENV := .venv
MOTO := $(VENV)/bin/moto_server
PYTHON ?= python3
DEMO_PORT ?= 5055

.PHONY: test lint demo bench bench-build bench-quick bench-targets moto fmt man install

$(MOTO):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check 'moto[server]==$(MOTO_VERSION)'

moto: $(MOTO)

test: $(MOTO)
	cargo test --locked --all-targets

lint:
	cargo fmt --check
	cargo clippy --locked --all-targets -- -D warnings

fmt:
	cargo fmt

# The man page, from the same clap definitions as --help.
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
man:
	cargo run --locked --quiet -- man > $(TARGET_DIR)/parkctl.1
	@echo "wrote $(TARGET_DIR)/parkctl.1 (view it with: man -l $(TARGET_DIR)/parkctl.1)"

install:
	cargo install --locked --path .

demo: $(MOTO)
	cargo build --locked --quiet --examples --bins
	./scripts/demo.sh $(DEMO_PORT)

# One release build (the bench and parkctl), copied at once to this
# checkout's target/bench/ (a target directory shared with other checkouts
# may get their binaries next), then run from there: the bench runs the
# parkctl beside it.
BENCH_BIN := target/bench
bench-build:
	cargo build --locked --release --quiet --example bench --bins
	mkdir -p $(BENCH_BIN)/examples
	cp $(TARGET_DIR)/release/parkctl $(BENCH_BIN)/parkctl
	cp $(TARGET_DIR)/release/examples/bench $(BENCH_BIN)/examples/bench

bench: $(MOTO) bench-build
	$(BENCH_BIN)/examples/bench $(BENCH_ARGS)

# The small account in about a minute: target/BENCHMARKS.quick.md.
bench-quick: $(MOTO) bench-build
	$(BENCH_BIN)/examples/bench --quick $(BENCH_ARGS)

# N targets against one through a 25 ms proxy (the "Many targets" section).
bench-targets: $(MOTO)
	cargo build --locked --release --quiet --bins
	cargo run --locked --release --quiet --example bench_targets
