# Ordermesh: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format unit e2e bench bench-erp install chromium constraints clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the pins change.
$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The browser test's headless Chromium, from Debian's package (never a browser
# download); installed only when it is missing.
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	$$SUDO apt-get update -qq && \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium

chromium: $(CHROMIUM)

## Start the whole product with its embedded outside systems (Ctrl-C stops all of it).
run: $(STAMP)
	$(BIN)/python -m sandbox.stack

## Lint, type-check, then the whole suite.
test: $(STAMP) $(CHROMIUM) lint
	$(BIN)/python -m pytest -q -ra

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

unit: $(STAMP)
	$(BIN)/python -m pytest -q -m "not e2e"

e2e: $(STAMP)
	$(BIN)/python -m pytest -q -m e2e

## Order flow benchmark on the embedded stack: prints a table, writes bench/results/.
bench: $(STAMP)
	$(BIN)/python -m bench.order_flow --orders 500 --concurrency 20 --erp-calls-per-second 200

## ERP call budget: 200 orders at once, ERP calls per second from mock-sap's log.
bench-erp: $(STAMP)
	$(BIN)/python -m bench.erp_rate --orders 200 --limit 20

constraints: $(STAMP)
	{ sed -n '1,2p' constraints.txt; $(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

clean:
	rm -rf $(VENV) .data .mypy_cache .ruff_cache .pytest_cache
