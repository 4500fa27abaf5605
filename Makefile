# Whisper's one entry point. `make run` and `make test` are the two commands.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install run test test-fast lint format services-up services-down system bench screenshots clean

$(BIN)/activate:
	$(PY) -m venv $(VENV)

# The virtualenv, with exact pins; reinstalls only when a requirements file changes.
$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

# axe-core for the browser tests' accessibility checks, pinned by package-lock.json;
# reinstalls only when package.json or the lock changes. npm comes from Debian if missing.
node_modules/.installed: package.json package-lock.json
	command -v npm >/dev/null || scripts/install-system.sh
	npm ci --no-audit --no-fund
	touch $@

install: $(VENV)/.installed $(if $(wildcard package.json),node_modules/.installed)

## The embedded default: SQLite, local cache, eager tasks, console mail, demo data.
run: install
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
test: install system
	scripts/test.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install system
	$(PYTHON) bench/run.py

screenshots: install system
	scripts/screenshots.sh

clean:
	scripts/services.sh down || true
	rm -rf .run
