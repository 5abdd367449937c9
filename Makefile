# Two commands on a fresh machine with python3 and make:  `make demo`  and  `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint typecheck contracts unit bench screenshots clean

$(BIN)/omnifill: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: $(BIN)/omnifill  ## install into .venv, seed the demo on SQLite, serve on http://127.0.0.1:8000
	$(BIN)/omnifill serve --demo --host $(HOST) --port $(PORT)

test: lint typecheck contracts  ## ruff, mypy, the import contract, then pytest
	$(BIN)/pytest -q -n 2 --dist loadgroup

lint: $(BIN)/omnifill
	$(BIN)/ruff check src tests benchmarks

typecheck: $(BIN)/omnifill
	$(BIN)/mypy

contracts: $(BIN)/omnifill
	$(BIN)/lint-imports

bench: $(BIN)/omnifill  ## print the intake table (see docs/PERFORMANCE.md)
	$(BIN)/python benchmarks/intake.py

screenshots: $(BIN)/omnifill  ## run the browser tests, saving each page's picture into docs/screenshots/
	OMNIFILL_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q tests/e2e/test_console_browser.py tests/e2e/test_console_network_browser.py tests/e2e/test_console_desk_browser.py

clean:
	rm -rf $(VENV) omnifill.db omnifill.db-wal omnifill.db-shm .pytest_cache .mypy_cache .ruff_cache
