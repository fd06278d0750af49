# Shortcode: `make run` to try it, `make test` to check it.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
DEMO_PROFILES ?= 2000
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium
# DATABASE_URL's PostgreSQL, or (unset) an embedded one in .pgdata/ for the command's run.
WITH_DB := $(PY) bin/with_postgres.py --

.PHONY: help install run serve migrate seed _seed _serve _test test lint fmt browser axe bench worker worker-priority \
	worker-bulk worker-background beat check-deploy clean

help:
	@echo "make run      set up .venv, migrate, seed demo data, print a login and serve on :$(PORT)"
	@echo "make test     run the whole test suite (ruff, mypy, pytest, browser tests)"
	@echo "make bench    benchmarks at a million profiles (PostgreSQL + Redis; several minutes)"
	@echo "make worker / make beat   Celery worker (all three queues) and scheduler (needs REDIS_URL)"
	@echo "make worker-priority / worker-bulk / worker-background   a worker for one queue"

$(BIN)/activate: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $(BIN)/activate

install: $(BIN)/activate

migrate: install
	$(WITH_DB) $(PY) manage.py migrate --noinput

seed: install
	$(WITH_DB) $(MAKE) --no-print-directory _seed

run: install
	$(WITH_DB) $(MAKE) --no-print-directory _seed _serve

serve: install
	$(WITH_DB) $(MAKE) --no-print-directory _serve

# The steps below run inside one $(WITH_DB), so they share one database server.
_seed:
	$(PY) manage.py migrate --noinput
	$(PY) manage.py create_roles
	$(PY) manage.py seed_demo --profiles $(DEMO_PROFILES) --if-empty
	$(PY) manage.py dashboard_backfill --days 90
	$(PY) manage.py demo_login

_serve:
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# Browser tests drive Debian's chromium; install it through the system package manager.
browser:
	@test -x $(CHROMIUM) || { \
	  echo "Installing chromium from Debian's packages for the browser tests"; \
	  if [ "$$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# axe-core (npm, pinned by package-lock.json): the browser tests check every page with it.
node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

axe: node_modules/axe-core/axe.min.js

# mypy's Django plugin loads the test settings; it never connects, so any PostgreSQL URL
# does (the settings pick the database backend from it).
MYPY := DATABASE_URL=$${DATABASE_URL:-postgres://localhost/mypy} $(BIN)/mypy .

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(MYPY)

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install browser axe
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(MYPY)
	$(WITH_DB) $(MAKE) --no-print-directory _test

_test:
	$(PY) manage.py makemigrations --check --dry-run --settings=config.settings.test >/dev/null
	$(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS)

# The production settings with real-looking values of everything they require (they refuse
# to start on any development default); check your own deployment with its environment:
# DJANGO_SETTINGS_MODULE=config.settings.production manage.py check --deploy
check-deploy: install
	SECRET_KEY=$$(head -c 48 /dev/urandom | base64) ALLOWED_HOSTS=shortcode.example.org \
	  SMS_WEBHOOK_SECRET=$$(head -c 32 /dev/urandom | base64) \
	  SMS_GATEWAY=messaging.gateways.HttpGateway SMS_GATEWAY_URL=https://sms-gateway.example.org/messages \
	  DATABASE_URL=postgres://shortcode@db.example.org:5432/shortcode \
	  REDIS_URL=redis://redis.example.org:6379/0 \
	  CHANNEL_CREDENTIALS_KEYS=$$(head -c 32 /dev/urandom | base64 | tr '+/' '-_') \
	  DJANGO_SETTINGS_MODULE=config.settings.production $(PY) manage.py check --deploy --fail-level WARNING

bench: install
	$(PY) -m bench $(BENCH_ARGS)

# Queues: priority (replies, HELP, opt-out receipts), bulk (broadcasts), background
# (exports, uploads, analyses, sweeps). See README, "Workers and queues".
WORKER_CONCURRENCY ?= 2

worker: install
	$(BIN)/celery -A config worker -Q priority,bulk,background --loglevel=INFO --concurrency=$(WORKER_CONCURRENCY)

worker-priority worker-bulk worker-background: worker-%: install
	$(BIN)/celery -A config worker -Q $* -n $*@%h --loglevel=INFO --concurrency=$(WORKER_CONCURRENCY)

beat: install
	$(BIN)/celery -A config beat --loglevel=INFO

clean:
	rm -rf $(VENV) .pgdata staticfiles test-artifacts node_modules
