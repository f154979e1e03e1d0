"""Writing generated rows fast: plain tuples, no ORM objects, in batches — executemany on
SQLite, COPY on PostgreSQL — with ids chosen here, so that children can name their parents
without reading anything back.

The rows bypass the mapper's listeners (models/search.py's search row, the goes_first flag,
the text guard): whoever generates them writes what those would have written."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import Connection, Table, func, select, text

from webapp.extensions import db

BATCH = 20_000  # rows of a table held before they are written
# SQLite's page cache while writing, in KiB: the unique hash columns (link and key digests)
# take their rows in random order, and an index that no longer fits the default 2 MiB
# cache is read back from disk page by page.
SQLITE_CACHE_KIB = 256 * 1024


class BulkWriter:
    """Buffers rows per table and writes them in the order the tables were declared with
    `table()` (parents first), so that foreign keys hold at every statement."""

    def __init__(self, connection: Connection):
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"
        self.columns: dict[str, tuple[str, ...]] = {}
        self.pending: dict[str, list[tuple]] = defaultdict(list)
        self.written: dict[str, int] = defaultdict(int)
        self._ids: dict[str, itertools.count] = {}
        self._times: dict[str, tuple[int, ...]] = {}
        if not self.postgres:
            self._cache = connection.exec_driver_sql("PRAGMA cache_size").scalar()
            connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")

    def table(self, name: str, *columns: str) -> None:
        """Declare the columns (in order) that rows of `name` carry."""
        table: Table = db.metadata.tables[name]
        self.columns[name] = columns
        # SQLite stores times and dates as text in SQLAlchemy's spelling; PostgreSQL takes
        # them as they are.
        self._times[name] = tuple(i for i, c in enumerate(columns)
                                  if issubclass(table.c[c].type.python_type, date))

    def ids(self, name: str) -> itertools.count:
        """The fresh ids of `name`: after every row the table has, and every one given."""
        if name not in self._ids:
            table = db.metadata.tables[name]
            start = (self.connection.scalar(select(func.max(table.c.id))) or 0) + 1
            self._ids[name] = itertools.count(start)
        return self._ids[name]

    def next_id(self, name: str) -> int:
        return next(self.ids(name))

    def add(self, name: str, row: tuple) -> None:
        rows = self.pending[name]
        rows.append(row)
        if len(rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        for name in self.columns:  # declaration order: parents before children
            rows = self.pending.pop(name, None)
            if rows:
                self._write(name, rows)
                self.written[name] += len(rows)

    def _write(self, name: str, rows: list[tuple]) -> None:
        columns = self.columns[name]
        if self.postgres:
            cursor = self.connection.connection.driver_connection.cursor()
            with cursor.copy(f'COPY "{name}" ({", ".join(columns)}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
            return
        times = self._times[name]
        if times:
            rows = [_stamped(row, times) for row in rows]
        marks = ", ".join("?" * len(columns))
        self.connection.exec_driver_sql(
            f'INSERT INTO "{name}" ({", ".join(columns)}) VALUES ({marks})', rows)

    def finish(self) -> None:
        """Write what is left and, on PostgreSQL, move each id sequence past the ids given."""
        self.flush()
        if not self.postgres:
            self.connection.exec_driver_sql(f"PRAGMA cache_size = {self._cache}")
            return
        for name in self._ids:
            self.connection.execute(text(
                f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                f"(SELECT max(id) FROM \"{name}\"))"))


def _stamped(row: tuple, times: tuple[int, ...]) -> tuple:
    row = list(row)
    for i in times:
        value = row[i]
        if isinstance(value, datetime):
            row[i] = value.isoformat(" ", "microseconds")
        elif value is not None:
            row[i] = value.isoformat()
    return tuple(row)


def naive(moment: datetime) -> datetime:
    """What UtcDateTime stores: naive UTC."""
    return moment.replace(tzinfo=None)
