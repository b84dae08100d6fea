# Klantportaal — the two commands: `make run` and `make test`. Needs only Python 3.11, git, make.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
LOCK := requirements.lock
HOST ?= localhost
PORT ?= 8000

.PHONY: run test install install-dev lint format migrations-check messages lock ci clean \
	bench bench-all bench-report bench-cpu

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (found: $(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Runtime packages only, pinned by the lock file.
$(VENV)/.installed-run: $(BIN)/python pyproject.toml $(LOCK)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c $(LOCK) -e .
	touch $@

# Runtime and test packages.
$(VENV)/.installed-dev: $(VENV)/.installed-run
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c $(LOCK) -e '.[dev]'
	touch $@

# axe-core for the browser suite's accessibility checks, pinned by its package-lock.json. Only
# when npm is on the machine (and the registry answers): without it those checks are skipped (a
# failure in CI). `make run` never needs npm.
AXE_DIR := tests/browser/axe
AXE := $(AXE_DIR)/node_modules/axe-core/axe.min.js

$(AXE): $(AXE_DIR)/package.json $(AXE_DIR)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		{ npm ci --prefix $(AXE_DIR) --no-audit --no-fund --loglevel=error && touch $@; } || \
		echo "npm ci failed: the axe-core accessibility checks of the browser suite will be skipped"; \
	else \
		echo "npm is not installed: the axe-core accessibility checks of the browser suite will be skipped"; \
	fi

install: $(VENV)/.installed-run
install-dev: $(VENV)/.installed-dev $(AXE)

## make run: set up, migrate, load the two demo offices, print their logins, serve on port 8000:
## Van Dam & De Boer at http://localhost:8000 (a host name: passkeys refuse an IP address) and
## Het Baken at http://127.0.0.1:8000, two offices that know nothing of each other
## (HOST and PORT choose another address, e.g. `make run PORT=8101`; the links in the e-mails
## follow it unless PORTAL_BASE_URL is set)
run: export DEBUG = 1
run: export PORTAL_BASE_URL ?= http://$(HOST):$(PORT)
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo
	@echo "Klantportaal, two demo offices: http://localhost:$(PORT)/ (Van Dam & De Boer) and http://127.0.0.1:$(PORT)/ (Het Baken)   e-mails: http://$(HOST):$(PORT)/dev/outbox/"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## make test: set up and run the whole test suite (SQLite; browser tests when Chromium is there)
test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make bench: the pages at scale under gunicorn, driven by wrk (needs `apt-get install wrk`);
## BENCH_SCALE (default 0.2; 1 = 50,000 dossiers), DATABASE_URL for PostgreSQL (its name must
## contain "bench": it is dropped and created). Writes bench/results/*.json and bench/RESULTS.md.
bench: install-dev
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/report.py

## make bench-all: `make bench`, the 1 GB upload/download and the questionnaire PDF benchmarks
bench-all: bench
	$(BIN)/python bench/transfer.py $(BENCH_TRANSFER_SIZE)
	$(BIN)/python bench/pdf.py
	$(BIN)/python bench/report.py

## make bench-cpu: CPU time per request of the benchmarked pages in-process (bench/cpu.py; no wrk,
## quick: scale 0.02 SQLite by default; BENCH_CPU_ARGS e.g. "--reuse" or "--profile /dossiers/")
bench-cpu: install-dev
	$(BIN)/python bench/cpu.py $(BENCH_CPU_ARGS)

bench-report: install-dev
	$(BIN)/python bench/report.py

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHONPATH=src $(BIN)/lint-imports --no-cache
	$(BIN)/mypy

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: install-dev
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

## make messages: refresh the .po files from the code and compile them (needs GNU gettext)
messages: install-dev
	cd src/portal && DEBUG=1 ../../$(BIN)/python ../../manage.py makemessages -l nl -l en --no-obsolete --no-location
	cd src/portal && DEBUG=1 ../../$(BIN)/python ../../manage.py compilemessages

## make lock: re-pin every package (after changing pyproject.toml)
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet -e '.[dev]'
	.venv-lock/bin/python -m pip freeze --exclude-editable | grep -v '^-e' > $(LOCK)
	rm -rf .venv-lock

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
