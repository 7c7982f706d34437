# Two commands do all the set-up on a bare machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARGS ?=

.PHONY: run test lint unit bench crash soak clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Start everything on the embedded PostgreSQL and broker, play a zone-day, keep
## serving until Ctrl-C (ONCE=1: exit after the summary). Size and seed of the
## day: ARGS="--enterprises 5 --rounds 2 --seed 7".
run: $(STAMP)
	$(BIN)/bonded up $(if $(ONCE),--once,--serve) $(ARGS)

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

## Benchmarks: every figure with its peer and ratio, in one run, written to
## bench/results.json; never assertions.
bench: $(STAMP)
	$(BIN)/python -m bench.suite $(ARGS)

## The long crash runs: zone-days whose processes are killed and restarted
## (ARGS="--runs 20 --seed 1 --enterprises 3").
crash: $(STAMP)
	$(BIN)/python -m tests.crash $(ARGS)

## The long soak: rounds of commands through HTTP, memory after each
## (ARGS="--rounds 10 --seconds 30").
soak: $(STAMP)
	$(BIN)/python -m bench.soak $(ARGS)

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
