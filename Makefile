# Targets CI calls too (.ci/run): install, check, test, demo.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO ?= demo-workspace
export SPARK_LOCAL_IP ?= 127.0.0.1

.PHONY: install check lint types imports test test-spark test-long test-fast bench demo clean

$(BIN)/revops: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,spark]"
	touch $@

install: $(BIN)/revops

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

types: install
	$(BIN)/mypy

imports: install
	$(BIN)/lint-imports

check: lint types imports

# Every test, Postgres and Spark included (needs the local PostgreSQL server and Java 17),
# on two workers; all Spark tests share one worker and its one Spark session.
test: install
	$(BIN)/pytest -n 2 --dist loadgroup --durations=25

# Every Spark case, the scenario variants included (`make test` runs the first Spark case
# of each test file, an engine's worked example; Spark plans large queries in minutes).
test-spark: install
	REVOPS_TEST_SPARK=all $(BIN)/pytest -m spark

# Every test at its longest: every Spark case, every role of each sweep (`make test`: the
# role each keeps), and 10 kills per pass of each connector's killed-and-resumed sync
# (`make test` kills twice).
test-long: install
	REVOPS_TEST_SPARK=all REVOPS_TEST_SWEEP=all REVOPS_TEST_KILLS=10 $(BIN)/pytest -n 2 --dist loadgroup

# Without the Postgres and Spark backends, for a quick loop.
test-fast: install
	$(BIN)/pytest -m "not postgres and not spark"

# Load primitives against a plain bulk insert, on DuckDB and PostgreSQL; the demo company
# generator at 2k, 20k and 200k accounts; ingest of the 200k-account company against
# DuckDB's read_csv; the KPI catalog on that company against pandas and hand-written SQL.
bench: install
	$(BIN)/python benchmarks/warehouse_load.py --backend duckdb
	$(BIN)/python benchmarks/warehouse_load.py --backend postgres
	$(BIN)/python benchmarks/demo_generate.py
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/metrics.py
	$(BIN)/python benchmarks/quality.py
	$(BIN)/python benchmarks/pipeline.py
	$(BIN)/python benchmarks/identity.py

# Ends serving the cockpit on the demo company at http://127.0.0.1:8000 (sign-ins printed).
demo: install
	$(BIN)/revops --workspace $(DEMO) demo
	$(BIN)/revops --workspace $(DEMO) serve --host 127.0.0.1 --port 8000

clean:
	rm -rf $(VENV) $(DEMO) .mypy_cache .ruff_cache .pytest_cache
