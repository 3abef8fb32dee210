PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_DB ?= example_store/demo.sqlite3
SALEOR_PYTHON ?=
SALEOR_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/saleor
# The browser tests' Chromium (tests/browser/); another build: make test CHROMIUM=...
CHROMIUM ?= /usr/bin/chromium

APP_PORT ?= 8100
SALEOR_API_URL ?= http://127.0.0.1:8000/graphql/
APP_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/journey_app
APP_BROKER_URL ?= redis://127.0.0.1:6379/0
APP_ENV = DEBUG=1 APP_PORT=$(APP_PORT) DATABASE_URL=$(APP_DATABASE_URL) \
	CELERY_BROKER_URL=$(APP_BROKER_URL) APP_ALLOWED_SALEOR_URLS=$(SALEOR_API_URL)

.PHONY: install chromium demo serve app test test-app test-saleor lint format schema emails bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed

## Simulate a few months of a store on SQLite and print its stage distribution.
demo: install
	rm -f $(DEMO_DB)
	EXAMPLE_STORE_DB=$(DEMO_DB) $(BIN)/python -m example_store migrate -v0
	EXAMPLE_STORE_DB=$(DEMO_DB) $(BIN)/python -m example_store demo

## Serve the example store's GraphQL at http://127.0.0.1:8000/graphql/<channel>/
serve: install
	EXAMPLE_STORE_DB=$(DEMO_DB) $(BIN)/python -m example_store runserver 127.0.0.1:8000

## The Saleor App on embedded defaults: web on APP_PORT, a Celery worker with beat.
## Install it in the Saleor at SALEOR_API_URL from http://127.0.0.1:$(APP_PORT)/api/manifest
app: install
	$(APP_ENV) $(BIN)/python -m saleor_journey_app journey_app_migrate -v0
	@echo "Manifest: http://127.0.0.1:$(APP_PORT)/api/manifest (for the Saleor at $(SALEOR_API_URL))"
	$(APP_ENV) $(BIN)/celery -A saleor_journey_app.celery:app worker --beat \
		--loglevel=INFO --schedule=/tmp/journey-app-beat-$(APP_PORT) & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(APP_ENV) $(BIN)/gunicorn saleor_journey_app.wsgi -b 127.0.0.1:$(APP_PORT) \
		--workers 2 --access-logfile -

## Chromium for the browser tests: Debian's package, installed when run as root;
## otherwise the target fails saying what to run (the tests fail, never skip, without it).
chromium:
	@if [ -x "$(CHROMIUM)" ]; then exit 0; \
	elif [ "$(CHROMIUM)" = /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] \
		&& command -v apt-get >/dev/null; then \
		echo "Installing Chromium for the browser tests: apt-get install chromium fonts-nanum"; \
		apt-get update -q && apt-get install -y -q chromium fonts-nanum; \
	else \
		echo "Chromium is not installed at $(CHROMIUM); the browser tests (tests/browser/) need it." >&2; \
		echo "Run:  sudo apt-get install chromium       (Debian, Ubuntu)" >&2; \
		echo "or:   make test CHROMIUM=/path/to/chromium (another Chromium or Chrome)" >&2; \
		exit 1; \
	fi

## The test suite on PostgreSQL and Redis (the app's too); tests/saleor/ when SALEOR_PYTHON is set.
test: install chromium
	JOURNEY_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest
	$(MAKE) --no-print-directory test-app
	@if [ -n "$(SALEOR_PYTHON)" ]; then $(MAKE) --no-print-directory test-saleor; \
	else echo "tests/saleor: NOT RUN - set SALEOR_PYTHON to a Python that imports saleor (see README)"; fi

## The Saleor App's tests (their own Django settings: tests/app/pytest.ini).
test-app: install
	$(BIN)/python -m pytest -c tests/app/pytest.ini --rootdir . tests/app -p no:cacheprovider

## The plugin inside a real Saleor 3.23: SALEOR_PYTHON=<saleor venv>/bin/python
test-saleor:
	DATABASE_URL=$(SALEOR_DATABASE_URL) $(SALEOR_PYTHON) -m pytest -c tests/saleor/pytest.ini \
		--rootdir tests/saleor tests/saleor -p no:cacheprovider --reuse-db

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy saleor_journey_plugin saleor_journey_app example_store benchmarks
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Regenerate graphql/schema.graphql from the code.
schema: install
	$(BIN)/python -m example_store export_journey_schema graphql/schema.graphql

## Compile the campaign emails' MJML sources into the shipped HTML templates.
emails: install
	$(BIN)/python -m example_store journey_build_emails

bench: install
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) $(DEMO_DB) build *.egg-info
