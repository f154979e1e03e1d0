"""Bulk loading the way databases like it: a big table's secondary indexes (and, on
PostgreSQL, its unique and foreign-key constraints) are taken off while millions of rows go
in, and put back after, each built once from sorted data and each key checked in one pass —
instead of a random insert into every index and a lookup per key for every row.

Inside the caller's transaction (both databases undo DDL on rollback), and read from the
database itself, so that what is put back is exactly what was there."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import Connection, text

# PostgreSQL: what the catalog says of the tables' keys and indexes, to drop and re-create.
_PG_CONSTRAINTS = text("""
    SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid)
    FROM pg_constraint
    WHERE conrelid = ANY (CAST(:tables AS regclass[])) AND contype IN ('u', 'f')
    ORDER BY contype DESC, conname""")  # unique ones first when put back: keys may use them
_PG_INDEXES = text("""
    SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
    FROM pg_index i
    WHERE i.indrelid = ANY (CAST(:tables AS regclass[])) AND NOT i.indisprimary
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""")


@contextmanager
def indexes_deferred(connection: Connection, tables: list[str]):
    """Within the block, `tables` have no secondary indexes (nor, on PostgreSQL, unique or
    foreign-key constraints); after it, all are back and checked."""
    if connection.dialect.name == "postgresql":
        with _postgresql(connection, tables):
            yield
    else:
        with _sqlite(connection, tables):
            yield


@contextmanager
def _sqlite(connection: Connection, tables: list[str]):
    # Indexes made by CREATE INDEX (sql is set); a UNIQUE column's own index stays.
    marks = ", ".join(f":t{i}" for i in range(len(tables)))
    made = connection.execute(text(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks})"), {f"t{i}": t for i, t in enumerate(tables)}).all()
    raw = connection.connection.driver_connection
    if not raw.in_transaction:
        # The sqlite3 module begins a transaction before a write, not before DDL: dropped
        # alone, the indexes would stay dropped whatever happens next.
        raw.execute("BEGIN")
    for name, _sql in made:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    for _name, sql in made:
        connection.exec_driver_sql(sql)


@contextmanager
def _postgresql(connection: Connection, tables: list[str]):
    names = {"tables": tables}
    constraints = connection.execute(_PG_CONSTRAINTS, names).all()
    indexes = connection.execute(_PG_INDEXES, names).all()
    for table, name, _definition in reversed(constraints):  # keys before what they use
        connection.exec_driver_sql(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    for name, _definition in indexes:
        connection.exec_driver_sql(f"DROP INDEX {name}")
    yield
    for _name, definition in indexes:
        connection.exec_driver_sql(definition)
    for table, name, definition in constraints:
        connection.exec_driver_sql(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
