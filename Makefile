# Whisper's one entry point. `make run` and `make test` are the two commands.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install run test test-fast lint format services-up services-down system bench screenshots audit clean

$(BIN)/activate:
	$(PY) -m venv $(VENV)

# The virtualenv, with exact pins; reinstalls only when a requirements file changes.
# `make run` needs only the runtime (.installed-run); the tools come with the
# dev marker, which also upgrades a virtualenv that `make run` made.
$(VENV)/.installed-run: requirements.txt | $(BIN)/activate
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(VENV)/.installed-run $@

# axe-core for the browser tests' accessibility checks, pinned by package-lock.json;
# reinstalls only when package.json or the lock changes. npm comes from Debian if missing.
node_modules/.installed: package.json package-lock.json
	command -v npm >/dev/null || scripts/install-system.sh
	npm ci --no-audit --no-fund
	touch $@

install: $(VENV)/.installed $(if $(wildcard package.json),node_modules/.installed)

## The embedded default: SQLite, local cache, eager tasks, console mail, demo data.
## Only requirements.txt: no dev tools, no npm, no system packages.
run: $(VENV)/.installed-run
	scripts/messages.sh compile
	DJANGO_SETTINGS_MODULE=whisper.settings.dev $(PYTHON) manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=whisper.settings.dev $(PYTHON) manage.py seed_demo
	DJANGO_SETTINGS_MODULE=whisper.settings.dev $(PYTHON) manage.py runserver 127.0.0.1:8000

## Debian packages for the real services (as root; does nothing when present).
system:
	scripts/install-system.sh

services-up: system
	scripts/services.sh up

services-down:
	scripts/services.sh down

## Everything, on the real services; they are stopped afterwards, pass or fail.
test: system install
	scripts/test.sh

## The edit–test loop: the same, without the browser, stack and reliability tests.
test-fast: system $(VENV)/.installed
	scripts/test.sh -m "not browser and not stack" --ignore=tests/reliability

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install system
	$(PYTHON) bench/run.py

screenshots: install system
	scripts/screenshots.sh

## Lighthouse (phone profile) on the guest page and the dashboard with 200 gifts: docs/audit.md.
audit: install
	$(PYTHON) scripts/audit.py

clean:
	scripts/services.sh down || true
	rm -rf .run
