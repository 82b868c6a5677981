# Wijkregie — `make demo` and `make test` are all a new developer needs.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_SEED ?= 1
DEMO_SIGNALS ?= 50000

.PHONY: install demo serve test lint typecheck pytest e2e bench attacks clean messages

install: $(PY_STAMP) $(NPM_STAMP) messages

$(PY_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

messages: $(PY_STAMP)
	$(BIN)/wijkregie compile-translations

# The demo runs over plain HTTP on this machine: cookies without the Secure flag, and the TOTP
# second login step relaxed for the printed personas (ADR 0015). Both are defaults only:
# `WIJKREGIE_MFA_REQUIRED=1 make demo` asks every persona to set up an authenticator app.
demo serve: export WIJKREGIE_MFA_REQUIRED ?= 0
demo serve: export SECURE_COOKIES ?= 0

demo: install
	mkdir -p var
	$(BIN)/wijkregie migrate --noinput
	$(BIN)/wijkregie demo-data --seed $(DEMO_SEED) --signals $(DEMO_SIGNALS)
	@# The background worker (web imports, e-mail to residents) runs beside the server and is
	@# stopped with it: the trap fires when runserver ends, also on Ctrl-C.
	$(BIN)/wijkregie db_worker --queue-name '*' --no-reload >var/worker.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	echo "Achtergrondverwerker gestart (pid $$worker, log: var/worker.log)."; \
	$(BIN)/wijkregie runserver $(HOST):$(PORT) --noreload

serve: install
	$(BIN)/wijkregie runserver $(HOST):$(PORT) --noreload

lint: $(PY_STAMP)
	$(BIN)/ruff check src e2e benchmarks attacks conftest.py
	$(BIN)/ruff format --check src e2e benchmarks attacks conftest.py

typecheck: $(PY_STAMP)
	$(BIN)/mypy src

pytest: install
	$(BIN)/pytest

test: install lint typecheck pytest

bench: install
	$(BIN)/python benchmarks/run_all.py

# Attacks tried on a real server with PostgreSQL (DATABASE_URL's server, default
# 127.0.0.1:5432): concurrent resident reports, a killed process, a dump scan, API fuzzing.
attacks: install
	test -x .venv-attacks/bin/schemathesis || { $(PYTHON) -m venv .venv-attacks && \
		.venv-attacks/bin/pip install --quiet -e ".[attacks]"; }
	$(BIN)/python attacks/reports.py
	$(BIN)/python attacks/dump_and_fuzz.py

clean:
	rm -rf $(VENV) .venv-attacks node_modules var .mypy_cache .ruff_cache .pytest_cache
