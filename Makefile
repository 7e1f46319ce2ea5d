# The README's two commands are `make run` and `make test`; CI runs `make ci`.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
PORT ?= 8000

.PHONY: run test ci lint install install-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## Set up everything on the embedded defaults and run web, worker and scheduler.
run: install
	PORT=$(PORT) BIN=$(BIN) bin/run-local

## Install the test dependencies and run the whole test suite.
test: install-test
	$(BIN)/pytest

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

ci: lint
	bin/ci-checks
	CASETRACKER_FORBID_SKIPS=1 $(MAKE) test
