# Two commands do all the set-up on a bare machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARGS ?=

.PHONY: run test lint unit bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Start the embedded PostgreSQL and broker and play the demo scenario.
run: $(STAMP)
	$(BIN)/bonded up $(ARGS)

## Lint, type-check, check the import contracts, then run the whole suite.
test: $(STAMP) lint
	$(BIN)/python -m pytest $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

## The unit tier alone (no PostgreSQL, no broker): seconds.
unit: $(STAMP)
	$(BIN)/python -m pytest -m 'not integration' $(ARGS)

## Benchmarks: figures and ratios, never assertions.
bench: $(STAMP)
	$(BIN)/python -m bench.store $(ARGS)
	$(BIN)/python -m bench.projections

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
