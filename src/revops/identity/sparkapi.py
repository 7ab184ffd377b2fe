"""Splink on the warehouse's Spark session, with intermediate results kept in memory.

Splink breaks the lineage of its intermediate tables (blocked pairs, comparison vectors,
term frequencies, predictions) so each step does not recompute the ones before; by
default it writes them as Parquet under a checkpoint folder the session may not have.
Here they are persisted in memory (spilling to disk when short), and released with
their temporary views when the run ends, so the shared session is left as it was.
"""

from __future__ import annotations

from typing import Any

from splink.internals.spark.database_api import SparkAPI

from revops.errors import IdentityError


class PersistingSparkAPI(SparkAPI):
    """Splink's SparkAPI persisting its intermediate tables and able to release them."""

    def __init__(self, session: Any) -> None:
        from pyspark.errors import AnalysisException

        super().__init__(  # type: ignore[no-untyped-call]
            spark_session=session,
            break_lineage_method="persist",
            register_udfs_automatically=False,
        )
        # The similarity functions come from the jar the session was started with
        # (revops.warehouse.spark); a session started elsewhere may lack it.
        try:
            for udf in _scala_udfs():
                session.udf.registerJavaFunction(*udf)
        except AnalysisException as error:
            raise IdentityError(
                "the Spark session lacks Splink's similarity functions: start it with "
                "spark.jars set to splink's jar (revops does for the sessions it starts) "
                f"or set identity.engine: duckdb ({str(error).splitlines()[0]})"
            ) from None
        self._persisted: list[Any] = []
        self._views: list[str] = []
        self._to_persist: Any = None

    def _table_registration(self, input: Any, table_name: str) -> None:
        # Splink registers inputs under temporary views too: the records, and tables it
        # builds in Python (u estimation's aggregated counts, which it does not drop).
        super()._table_registration(input, table_name)
        self._views.append(table_name)

    def _repartition_if_needed(self, spark_df: Any, templated_name: str) -> Any:
        # The frame Splink persists is this one; it may return another made from it (the
        # blocked pairs are repartitioned after persisting), which holds no cache itself.
        self._to_persist = super()._repartition_if_needed(  # type: ignore[no-untyped-call]
            spark_df, templated_name
        )
        return self._to_persist

    def _break_lineage_and_repartition(
        self, spark_df: Any, templated_name: str, physical_name: str
    ) -> Any:
        result = super()._break_lineage_and_repartition(  # type: ignore[no-untyped-call]
            spark_df, templated_name, physical_name
        )
        level = self._to_persist.storageLevel
        if level.useMemory or level.useDisk:
            self._persisted.append(self._to_persist)
        self._views.append(physical_name)
        return result

    def release(self) -> None:
        """Unpersist every intermediate table and drop its temporary view."""
        for frame in self._persisted:
            frame.unpersist()
        for view in dict.fromkeys(self._views):
            self.spark.catalog.dropTempView(view)
        self._persisted.clear()
        self._views.clear()


def _scala_udfs() -> list[tuple[Any, ...]]:
    from splink.internals.spark.jar_location import get_scala_udfs

    return [tuple(udf) for udf in get_scala_udfs()]  # type: ignore[no-untyped-call]
