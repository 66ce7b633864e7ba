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
    large_text = True  # a VARCHAR either way: pandas' text is scanned where it lies
    calendar_lists = True  # a lookup indexes a list: a correlated subquery is a join over every row

    def __init__(self, *, memory_limit: str | None = None, temp_directory: str | os.PathLike | None = None,
                 threads: int | None = None, connection=None):
        import duckdb

        super().__init__()
        self._tmp = None
        self._own = connection is None
        if connection is not None:  # the caller's database and its settings; not closed here
            self.con = connection
            settings = {"memory_limit": memory_limit, "temp_directory": temp_directory, "threads": threads}
            for name, value in settings.items():
                if value is not None:
                    self._set(name, value)
            return
        config: dict[str, Any] = {"preserve_insertion_order": True}
        if temp_directory is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="disclosure-rules-duckdb-")
            temp_directory = self._tmp.name
        config["temp_directory"] = os.fspath(temp_directory)
        self.con = duckdb.connect(":memory:", config=config)
        if memory_limit:
            self._set("memory_limit", memory_limit)
        if threads:
            self._set("threads", threads)

    def _set(self, name: str, value) -> None:
        """One setting, refused in the user's words when DuckDB does not take it."""
        import duckdb

        from ..errors import DisclosureRulesError

        if name == "threads":
            try:
                number = int(value)
            except (TypeError, ValueError):
                number = 0
            if number < 1:
                error = DisclosureRulesError(f"threads must be a whole number of at least 1, not {value!r}")
                error.zh = f"线程数须为不小于 1 的整数，而不是 {value!r}"
                raise error
            value = number
        try:
            self.con.execute(f"SET {name} = ?", [str(os.fspath(value)) if name != "threads" else value])
        except duckdb.Error as exc:
            what = {"memory_limit": "memory limit", "temp_directory": "temporary directory"}.get(name, name)
            zh = {"memory_limit": "内存上限", "temp_directory": "临时目录"}.get(name, name)
            hint = (" (write a size such as 4GB or 500MB)", "（请写成 4GB、500MB 这样的大小）") \
                if name == "memory_limit" else ("", "")
            error = DisclosureRulesError(f"DuckDB does not accept the {what} {value!r}{hint[0]}: "
                                         f"{str(exc).splitlines()[0]}")
            error.zh = f"DuckDB 不接受{zh} {value!r}{hint[1]}：{str(exc).splitlines()[0]}"
            raise error from None

    def register(self, name: str, table) -> None:
        self.con.register(name, table)

    def unregister(self, name: str) -> None:
        self.con.unregister(name)

    def run(self, sql: str):
        relation = self.con.sql(sql)
        return relation.to_arrow_table() if hasattr(relation, "to_arrow_table") else relation.arrow()

    def close(self) -> None:
        if self._own:
            self.con.close()
        else:
            self._drop_calendar()
        if self._tmp is not None:
            self._tmp.cleanup()
