# The two commands of the README: `make dev` runs the portal, `make test` runs its tests.
# Both create .venv and install the project into it first (Python 3.11+ and a C compiler).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: dev test test-fast install bench-votes clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed

dev: $(VENV)/.installed
	$(BIN)/portal dev

# Lint, format check, types and the import layers first (seconds), then the suite in three
# processes under coverage, which also measures the API, worker and scheduler processes the tests start.
test: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/coverage erase
	$(BIN)/coverage run -m pytest
	$(BIN)/coverage combine -q
	$(BIN)/coverage report

# The edit-test loop: lint, then every test but the browser, fuzz and fault tests (a minute or two).
test-fast: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/pytest -m "not browser and not fuzz and not faults"

bench-votes: $(VENV)/.installed
	$(BIN)/python bench/votes.py

clean:
	rm -rf $(VENV) *.egg-info
