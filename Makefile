# Leerplein — `make help` lists the targets. The README's two set-up commands are
# `make run` and `make test`; both work on a fresh machine with Python 3.11.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in pages, feeds, e-mails and calendar files point here (core/site_url.py).
SITE_URL ?= http://$(HOST):$(PORT)
# Test processes (pytest-xdist). xdist's default distribution keeps pytest-django's order
# (transactional tests last in each process); the browser tests share the processes too.
TEST_WORKERS ?= 2

.DEFAULT_GOAL := help
.PHONY: help run test test-fast bench lint format install install-dev messages catalogues chromium html-checker clean
.PHONY: cluster cluster-stop cluster-status cluster-test cluster-packages

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed ## Create .venv and install the runtime dependencies

install-dev: $(VENV)/.installed-dev ## Install runtime and test tools

messages: install ## Compile the nl and en message catalogues (.po -> .mo)
	$(MANAGE) compile_catalogues

catalogues: install-dev ## Re-extract the message catalogues after changing texts (needs xgettext)
	$(MANAGE) makemessages --locale nl --locale en --ignore '.venv/*' --ignore 'tests/*' --ignore 'bench/*'

run: messages ## Install, migrate, load the demo site and serve it on http://$(HOST):$(PORT)/nl/
	SITE_URL=$(SITE_URL) $(MANAGE) migrate --no-input
	SITE_URL=$(SITE_URL) $(MANAGE) load_demo
	SITE_URL=$(SITE_URL) $(MANAGE) runserver $(HOST):$(PORT)

chromium: ## Install Debian's Chromium for the browser tests when it is missing
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The Nu HTML Checker (npm's vnu-jar, run with Java). Without npm or Java its tests skip and say why.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --ignore-scripts --silent && touch $@; \
	else echo "npm is missing: the Nu HTML Checker tests will be skipped"; fi

html-checker: node_modules/.installed ## Install the Nu HTML Checker for the tests (needs npm and Java)

test: install-dev messages chromium html-checker ## Install test tools and run the whole suite (DATABASE_URL picks the database)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) check
	SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
		ALLOWED_HOSTS=leerplein.nl SITE_URL=https://leerplein.nl DJANGO_SETTINGS_MODULE=config.settings.production \
		DATABASE_URL=postgres://check@127.0.0.1:5432/check REDIS_URL=redis://127.0.0.1:6379/0 \
		$(MANAGE) check --deploy --fail-level WARNING
	$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

test-fast: install-dev messages ## Run the suite without the browser tests
	$(BIN)/pytest -m "not e2e" -n $(TEST_WORKERS) $(PYTEST_ARGS)

# `make bench SCALE=5000`: the site with 5,000 story pages beside the demo (bench/scale.py).
bench: install-dev messages ## Benchmark the site under gunicorn, production settings (SCALE=N: N stories)
	$(BIN)/python bench/run.py $(if $(SCALE),--scale $(SCALE))

# --- More than one machine, on loopback (deploy/cluster.py; docs/deployment.md) ------------
CLUSTER := $(BIN)/python deploy/cluster.py
# Debian's packages the cluster runs (redis-server and PostgreSQL are usually there already).
CLUSTER_PACKAGES := haproxy varnish redis-server postgresql

cluster-packages: ## Install Debian's haproxy, varnish, redis-server and postgresql when missing
	@missing=""; for package in $(CLUSTER_PACKAGES); do \
		dpkg -s $$package >/dev/null 2>&1 || missing="$$missing $$package"; done; \
	if [ -n "$$missing" ]; then echo "Installing$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi

# `make cluster NODES=3` for three app nodes; `make cluster FRESH=1` starts from an empty database.
cluster: install-dev messages cluster-packages ## Start the cluster: Varnish :8500 → HAProxy :8501 → 2 app nodes, workers, scheduler
	$(CLUSTER) up $(if $(NODES),--nodes $(NODES)) $(if $(FRESH),--fresh)

cluster-stop: ## Stop every piece of the cluster
	$(CLUSTER) down

cluster-status: ## Show each piece of the cluster: running?, pid, port
	$(CLUSTER) status

# tests/cluster includes a short mixed load (test_faults.py). The cluster goes down whatever
# failed; the exit status is the tests'.
cluster-test: install-dev messages cluster-packages ## Start the cluster, run tests/cluster against it, stop it
	LEERPLEIN_CLUSTER_TESTS=1 $(BIN)/pytest -n 0 tests/cluster $(PYTEST_ARGS); \
		status=$$?; $(CLUSTER) down; exit $$status

# 3 minutes of mixed load through Varnish, then 1 minute each straight at HAProxy with 2 app
# nodes and with 1 (bench/cluster_load.py). The cluster stays up afterwards.
# CLUSTER_BENCH_ARGS="--seconds 60 --compare-seconds 0" for a shorter run.
.PHONY: cluster-bench
cluster-bench: cluster ## Load the cluster (about 5 minutes) and write the "Cluster" section of docs/performance.md
	$(BIN)/python bench/cluster_load.py $(CLUSTER_BENCH_ARGS)

lint: install-dev ## ruff check, ruff format --check and the import contracts (lint-imports)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install-dev ## Format the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean: ## Remove the virtualenv, the SQLite database and generated files
	rm -rf $(VENV) node_modules db.sqlite3* staticfiles .test-media test-artifacts
