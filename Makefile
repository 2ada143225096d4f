# parkctl — everyday commands. `make test` and `make demo` work on a fresh
# machine: they install the pinned emulator into .venv when it is missing.

# moto 5.2.5: earlier 5.x answer Enable/DisableAlarmActions with HTTP 500.
MOTO_VERSION := 5.2.5
VENV := .venv
MOTO := $(VENV)/bin/moto_server
PYTHON ?= python3
DEMO_PORT ?= 5055

.PHONY: test lint demo bench moto fmt

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

demo: $(MOTO)
	cargo build --locked --quiet --examples --bins
	./scripts/demo.sh $(DEMO_PORT)

bench: $(MOTO)
	cargo build --locked --release --quiet --examples --bins
	cargo run --locked --release --quiet --example bench
