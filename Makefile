# Shopfloor: `make run` starts the local cloud, `make test` runs every test. Both bootstrap themselves.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
VENV_READY := $(VENV)/.requirements-installed
NODE_READY := node_modules/.package-lock-installed
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

# The stage `make deploy` and `make destroy` act on (infra/stages.py): dev by default, or prod.
STAGE ?= dev
# Its CDK Stage's id, which selects its stacks: dev -> Dev (`cdk deploy 'Dev/*'`).
STAGE_ID = $(shell stage='$(STAGE)'; echo "$${stage^}")
PROD_DESTROY_REFUSED := make destroy refuses STAGE=prod: its data stack holds the shop's data (retained, termination-protected)

.PHONY: help run test lint unit integration e2e infra-test browser screenshots bench build synth deploy destroy openapi docs clean

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(VENV_READY): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { echo "Python 3.11 or newer is required: install python3 (or run make PYTHON=/path/to/python3.11)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

$(NODE_READY): package.json package-lock.json
	@command -v node >/dev/null && command -v npm >/dev/null || { echo "Node.js 20 or newer is required: install nodejs and npm"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

java:
	@command -v java >/dev/null || { echo "Java 17 or newer is required for DynamoDB Local: install openjdk-17-jre-headless"; exit 1; }

.PHONY: java

# The browser tests drive Debian's Chromium (never Playwright's download). Installed with apt-get
# when missing, as root or with passwordless sudo; otherwise one line says what to install.
# CHROMIUM_EXECUTABLE is the path checked first (then `chromium`, `sudo` and `apt-get` on PATH):
# tests/infra/test_makefile.py points it and PATH at nothing.
CHROMIUM_EXECUTABLE := /usr/bin/chromium
CHROMIUM_MISSING := Chromium is required for the browser tests: install the Debian package chromium (apt-get install chromium)
chromium:
	@test -x "$(CHROMIUM_EXECUTABLE)" || command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"; \
	  else echo "$(CHROMIUM_MISSING)"; exit 1; fi; \
	  command -v apt-get >/dev/null || { echo "$(CHROMIUM_MISSING)"; exit 1; }; \
	  echo "Installing the Debian package chromium for the browser tests (apt-get, about a minute)"; \
	  install="$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 chromium"; \
	  update="$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq -o DPkg::Lock::Timeout=300"; \
	  { apt-cache show chromium >/dev/null 2>&1 && $$install >/dev/null 2>&1; } \
	    || { $$update >/dev/null 2>&1 && $$install >/dev/null 2>&1; } \
	    || { echo "$(CHROMIUM_MISSING)"; exit 1; }; \
	}

.PHONY: chromium
bootstrap: $(VENV_READY) $(NODE_READY) java ## set up .venv and node_modules (idempotent)
.PHONY: bootstrap

run: bootstrap ## start the whole application locally (Ctrl-C stops it)
	$(PY) -m infra.local

sync: bootstrap ## one offers sync cycle now, against the running local cloud; prints what changed
	$(PY) -m infra.local.sync

.PHONY: sync

seed: $(VENV_READY) ## load the demo seeds into the running local cloud (ARGS="FILE ..."; ARGS="--api-url <ApiUrl>" for a deployed stack)
	$(PY) -m infra.seed $(ARGS)

.PHONY: seed

archive: $(VENV_READY) ## list the warranty archive in the running local cloud's S3 (ARGS="--show KEY")
	$(PY) -m infra.local.archive $(ARGS)

.PHONY: archive

mail: $(VENV_READY) ## list the e-mails the running local cloud sent, oldest first (ARGS="--to ADDRESS" or "--show ID")
	$(PY) -m infra.local.mail $(ARGS)

.PHONY: mail

test: bootstrap chromium lint ## run every test: lint, unit (on every core), infra, integration, browser
	$(PY) -m pytest tests/unit -n auto
	$(PY) -m pytest tests --ignore=tests/unit

lint: $(VENV_READY) ## ruff and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

unit: $(VENV_READY) ## unit tests only (on every core)
	$(PY) -m pytest tests/unit -n auto

integration: bootstrap ## integration tests only (starts the local cloud on free ports)
	$(PY) -m pytest tests/integration

e2e: $(VENV_READY) $(if $(SITE_URL),chromium) ## the client-side suites against a deployed stack: API_URL=<ApiUrl> SITE_URL=<SiteUrl> make e2e
	$(PY) -m pytest tests/e2e

infra-test: bootstrap ## synthesized-template tests and cdk-nag
	$(PY) -m pytest tests/infra

browser: bootstrap chromium ## browser tests only: the web pages in Chromium against the local cloud
	$(PY) -m pytest tests/browser

screenshots: bootstrap chromium ## regenerate the README's images docs/images/menu.png and board.png
	SHOPFLOOR_README_IMAGES=docs/images $(PY) -m pytest tests/browser/test_screenshots.py -q -p no:cacheprovider

bench: bootstrap chromium ## benchmarks that print tables (ARGS=--only=cold-start, calls, sync, cost or page-weight)
	$(PY) -m tests.performance $(ARGS)

build: $(VENV_READY) ## build the dependency layer (no Docker)
	$(PY) -m infra.build

synth: bootstrap ## write every stage's templates to cdk.out (offline, no credentials)
	npx --no-install cdk synth --quiet $(ARGS)

deploy: bootstrap ## deploy every stack of STAGE (dev, or prod) with your AWS credentials (ARGS="-c senderEmail=... -c shopEmail=...")
	npx --no-install cdk deploy '$(STAGE_ID)/*' $(ARGS)

destroy: destroyable bootstrap ## destroy every stack of STAGE (dev); refuses prod
	npx --no-install cdk destroy '$(STAGE_ID)/*' $(ARGS)

# Before bootstrap: the refusal costs nothing and calls no AWS.
destroyable:
	@if [ "$(STAGE)" = prod ]; then echo "$(PROD_DESTROY_REFUSED)"; exit 1; fi

.PHONY: destroyable

openapi: $(VENV_READY) ## print the merged OpenAPI document (the docs function's is made when its code is built)
	$(PY) -m infra.openapi

docs: $(VENV_READY) ## regenerate the topology diagram in docs/architecture.md
	$(PY) -m infra.diagram --write

clean: ## remove build output (keeps .venv, node_modules and local data)
	rm -rf build cdk.out .pytest_cache .mypy_cache .ruff_cache
