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

lint: install-dev ## ruff check, ruff format --check and the import contracts (lint-imports)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install-dev ## Format the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean: ## Remove the virtualenv, the SQLite database and generated files
	rm -rf $(VENV) node_modules db.sqlite3* staticfiles .test-media test-artifacts
