"""``--engine spark``: the rules evaluated by Spark SQL (DESIGN §16).

``audit(..., engine=session)`` runs on a SparkSession the caller has (a cluster's); with
``engine="spark"`` a local session is made once per process (``local[*]``: every core) and
kept for later audits. The queries are the kinds' SQLGlot lowerings rendered in Spark's
dialect, the same lowerings DuckDB runs.
"""

from __future__ import annotations

from .base import SqlEngine

_LOCAL = None


def local_session():
    """A local SparkSession (every core, no web UI), made once per process."""
    global _LOCAL
    if _LOCAL is None:
        from pyspark.sql import SparkSession

        _LOCAL = (SparkSession.builder.master("local[*]").appName("disclosure-rules")
                  .config("spark.ui.enabled", "false")
                  .config("spark.ui.showConsoleProgress", "false")
                  .config("spark.sql.shuffle.partitions", "4")
                  .config("spark.sql.session.timeZone", "UTC")
                  .config("spark.sql.execution.arrow.pyspark.enabled", "true")
                  # x / 0 is unknown (NULL), as the expression lowering expects, not an error
                  .config("spark.sql.ansi.enabled", "false")
                  .getOrCreate())
        _LOCAL.sparkContext.setLogLevel("ERROR")
    return _LOCAL


class SparkEngine(SqlEngine):
    """Spark SQL on ``session`` (default: a local session)."""

    name = "spark"
    dialect = "spark"

    def __init__(self, session=None):
        super().__init__()
        self.spark = session if session is not None else local_session()
        # under ANSI mode x / 0 raises instead of being unknown: then where/expect are computed in
        # numpy (the caller's session settings are theirs)
        self.lower_expressions = str(self.spark.conf.get("spark.sql.ansi.enabled", "false")).lower() != "true"

    def register(self, name: str, table) -> None:
        self.spark.createDataFrame(table).createOrReplaceTempView(name)

    def unregister(self, name: str) -> None:
        self.spark.catalog.dropTempView(name)

    def run(self, sql: str):
        return self.spark.sql(sql).toArrow()

    def close(self) -> None:
        self._drop_calendar()  # the session stays open, without the audit's views
