# The README's two commands are `make run` and `make test`; CI runs `make ci`.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
PORT ?= 8000

.PHONY: run test security ci lint install install-test translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

# Compiled catalogues are built, not committed (needs gettext's msgfmt).
translations:
	@if command -v msgfmt >/dev/null 2>&1; then \
		DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv -v 0; \
	else \
		echo "msgfmt (gettext) not found: the interface stays in English. apt-get install gettext"; \
	fi

install: $(VENV)/.installed translations

install-test: $(VENV)/.installed-test translations

## Set up everything on the embedded defaults and run web, worker and scheduler.
run: install
	PORT=$(PORT) BIN=$(BIN) bin/run-local

## Install the test dependencies (and the programs the suite starts: Chromium, Dovecot)
## and run the whole test suite.
test: install-test
	bin/ensure-test-tools
	$(BIN)/pytest

## Only the security and reliability suite (SECURITY.md); `make test` runs it too.
security: install-test
	bin/ensure-test-tools
	$(BIN)/pytest tests/security tests/reliability

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

ci: lint
	bin/ci-checks
	CASETRACKER_FORBID_SKIPS=1 $(MAKE) test
