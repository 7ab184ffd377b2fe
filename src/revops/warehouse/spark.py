"""A distributed engine: Spark (local mode here, a cluster in production)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from revops.errors import WarehouseError
from revops.warehouse.base import Changes, LoadSpec, Progress, Warehouse, Write
from revops.warehouse.batch import QueryRows, new_load_id
from revops.warehouse.url import WarehouseURL

if TYPE_CHECKING:
    import ibis.expr.schema as sch
    import ibis.expr.types as ir
    import pyarrow as pa
    from pyspark.sql import SparkSession

_VERSION = "__v"


class SparkWarehouse(Warehouse):
    """Tables are views over immutable versions; a load swaps the view in one step.

    Spark has no transactions over plain tables, so a load writes the table's next
    version as a new physical table, then repoints the view (one metastore update).
    A process killed before the swap leaves an orphan version that the next load of
    the table drops; readers never see it.
    """

    backend = "spark"

    @classmethod
    def connect(
        cls, url: WarehouseURL, schema_prefix: str = "", session: SparkSession | None = None
    ) -> SparkWarehouse:
        """Attach to `session`, or start a local-mode session with its metastore at `url.path`."""
        import ibis

        return cls(ibis.pyspark.connect(session or spark_session(url)), url, schema_prefix)

    def has_table(self, name: str, namespace: str = "core") -> bool:
        qualified = f"{self.schema_name(namespace)}.{name}"
        return bool(self.con._session.catalog.tableExists(qualified))

    def list_tables(self, namespace: str) -> list[str]:
        schema = self.schema_name(namespace)
        if schema not in self.con.list_databases():
            return []
        # Spark lists session temp views (ibis memtables) in every database: skip them.
        catalog = self.con._session.catalog
        return sorted(
            t.name
            for t in catalog.listTables(schema)
            if not t.isTemporary and _VERSION not in t.name
        )

    def execute(self, sql: str) -> None:
        self.con.raw_sql(sql)

    def create_table(self, name: str, schema: sch.Schema, namespace: str) -> None:
        version = f"{name}{_VERSION}{new_load_id()}"
        self.con.create_table(version, schema=schema, database=self.schema_name(namespace))
        self._point(name, namespace, version)

    def rewrite_table(self, name: str, namespace: str, content: ir.Table) -> None:
        version = f"{name}{_VERSION}{new_load_id()}"
        self.con.create_table(version, content, database=self.schema_name(namespace))
        self._point(name, namespace, version)
        self._drop_versions(name, namespace, keep=version)

    def _apply_many(self, writes: Sequence[Write], progress: Progress) -> list[Changes]:
        return [self._apply(spec, rows, target, progress) for spec, rows, target in writes]

    def _apply(
        self, spec: LoadSpec, rows: pa.Table | QueryRows, target: ir.Table, progress: Progress
    ) -> Changes:
        staged_view = f"_revops_stage_{new_load_id()}"
        session = self.con._session
        if not isinstance(rows, QueryRows):
            session.createDataFrame(rows).createOrReplaceTempView(staged_view)
        try:
            staged = rows.expr if isinstance(rows, QueryRows) else self.con.table(staged_view)
            to_write = self._changed_rows(staged, target, spec.mode, spec.key)
            changes = self._count_changes(to_write, target, spec.mode, spec.key)
            next_version = self._next_version(target, changes.rows, spec)
            version = f"{spec.name}{_VERSION}{new_load_id()}"
            database = self.schema_name(spec.namespace)
            self.con.create_table(version, next_version, database=database)
            progress("staged")
            self._point(spec.name, spec.namespace, version)
            progress("applied")
            self._drop_versions(spec.name, spec.namespace, keep=version)
            return changes
        finally:
            session.catalog.dropTempView(staged_view)

    def _next_version(self, target: ir.Table, changed: ir.Table, spec: LoadSpec) -> ir.Table:
        changed = changed.select(*target.columns).cast(target.schema())
        if spec.mode == "replace":
            if spec.scope is None:
                return changed
            import ibis

            inside = [target[c].isin(list(v)) for c, v in spec.scope.items()]
            outside = target.filter(~ibis.and_(*inside)) if inside else target
            return outside.union(changed, distinct=False)
        if spec.mode == "append":
            return target.union(changed, distinct=False)
        return target.anti_join(changed, list(spec.key)).union(changed, distinct=False)

    def _point(self, name: str, namespace: str, version: str) -> None:
        view = self.qualified(name, namespace)
        source = self.qualified(version, namespace)
        self.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM {source}")

    def _drop_versions(self, name: str, namespace: str, keep: str) -> None:
        schema = self.schema_name(namespace)
        prefix = f"{name}{_VERSION}"
        for table in self.con.list_tables(database=schema):
            if table.startswith(prefix) and table != keep:
                self.con.drop_table(table, database=schema, force=True)


def spark_session(url: WarehouseURL) -> Any:
    """A local-mode Spark session with a Derby metastore and warehouse under `url.path`.

    Raises:
        WarehouseError: pyspark is not installed (`pip install revops[spark]`).
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise WarehouseError(
            "the Spark warehouse needs pyspark: pip install 'revops[spark]'"
        ) from None
    if url.path is None:  # pragma: no cover - parse always sets it
        raise WarehouseError(f"no folder for the Spark warehouse in {url.display}")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    home = url.path
    home.mkdir(parents=True, exist_ok=True)
    return (
        SparkSession.builder.master(url.master)
        .appName("revops")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        # Splink's string-similarity functions (Jaro-Winkler, Damerau-Levenshtein) for
        # identity resolution on this session are Scala UDFs shipped in its jar.
        .config("spark.jars", _splink_jar())
        .config("spark.sql.warehouse.dir", str(home / "warehouse"))
        .config(
            "spark.hadoop.javax.jdo.option.ConnectionURL",
            f"jdbc:derby:;databaseName={home / 'metastore_db'};create=true",
        )
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={home}")
        .enableHiveSupport()
        .getOrCreate()
    )


def _splink_jar() -> str:
    """The jar of Splink's Spark similarity functions, for this Spark version."""
    from splink.backends.spark import similarity_jar_location

    return str(similarity_jar_location())
