# Two commands on a fresh clone (Python 3.11+ and make): `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DAGSTER_HOME := $(CURDIR)

.PHONY: run test lint dev bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

## Set up and run the whole pipeline on data/raw → data/warehouse/xxgk.duckdb
run: $(BIN)/.installed
	$(BIN)/xxgk run

## Set up, lint and run the tests
test: $(BIN)/.installed lint
	$(BIN)/pytest

## The linters, each on what it checks: sqlfluff on sql/ (.sqlfluff)
lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint sql/

## The Dagster UI, with the schedule and sensor, on http://127.0.0.1:3000
dev: $(BIN)/.installed
	$(BIN)/dagster dev -h 127.0.0.1 -p 3000

## Time full, unchanged and one-file-changed runs on 2,000 varied copies of the bundled reports
bench: $(BIN)/.installed
	$(BIN)/python benchmarks/incremental.py 2000

clean:
	rm -rf $(VENV) .dagster data/warehouse/xxgk.duckdb* data/warehouse/.xxgk.duckdb.* \
		data/warehouse/parquet data/warehouse/site
