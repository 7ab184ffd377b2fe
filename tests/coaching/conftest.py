"""The metric layer's tiny company on each backend, for the coaching analyses over it."""

from __future__ import annotations

from metrics import conftest as metric_fixtures

# The metric tests' company fixtures, found by pytest under these names.
world = metric_fixtures.world
duckdb_world = metric_fixtures.duckdb_world
spark_world = metric_fixtures.spark_world
