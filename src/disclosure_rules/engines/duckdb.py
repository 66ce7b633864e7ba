"""``--engine duckdb``: the rules evaluated by DuckDB, embedded (DESIGN §16).

Out of core (it spills to a temporary directory past its memory limit) and on every core.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from .base import SqlEngine


class DuckDBEngine(SqlEngine):
    """An embedded DuckDB database for one audit: out of core (it spills to ``temp_directory``
    past ``memory_limit``) and on every core (or ``threads``)."""

    name = "duckdb"
    dialect = "duckdb"

    def __init__(self, *, memory_limit: str | None = None, temp_directory: str | os.PathLike | None = None,
                 threads: int | None = None):
        import duckdb

        super().__init__()
        config: dict[str, Any] = {"preserve_insertion_order": True}
        if memory_limit:
            config["memory_limit"] = str(memory_limit)
        if threads:
            config["threads"] = int(threads)
        self._tmp = None
        if temp_directory is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="disclosure-rules-duckdb-")
            temp_directory = self._tmp.name
        config["temp_directory"] = os.fspath(temp_directory)
        self.con = duckdb.connect(":memory:", config=config)

    def register(self, name: str, table) -> None:
        self.con.register(name, table)

    def unregister(self, name: str) -> None:
        self.con.unregister(name)

    def run(self, sql: str):
        relation = self.con.sql(sql)
        return relation.to_arrow_table() if hasattr(relation, "to_arrow_table") else relation.arrow()

    def close(self) -> None:
        self.con.close()
        if self._tmp is not None:
            self._tmp.cleanup()
