"""Small SQL helpers that compile differently per database."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Float, Integer, event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class minutes_between(FunctionElement):  # noqa: N801 - reads like the SQL function it is
    """Minutes from the first timestamp to the second, computed by the database."""

    type = Float()
    inherit_cache = True
    name = "minutes_between"


@compiles(minutes_between, "sqlite")
def _sqlite_minutes(element, compiler, **kw):
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 1440.0)"


@compiles(minutes_between, "postgresql")
def _postgresql_minutes(element, compiler, **kw):
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 60.0)"


class local_date(FunctionElement):  # noqa: N801
    """The calendar day of a stored (naive UTC) time in an IANA time zone, by the database:
    PostgreSQL knows the zones, SQLite asks Python (the function registered below)."""

    type = Date()
    inherit_cache = True
    name = "local_date"


@compiles(local_date, "sqlite")
def _sqlite_local_date(element, compiler, **kw):
    moment, zone = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"mashang_local_date({moment}, {zone})"


@compiles(local_date, "postgresql")
def _postgresql_local_date(element, compiler, **kw):
    moment, zone = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(timezone({zone}, timezone('UTC', {moment})) AS DATE)"


class whole_seconds_between(FunctionElement):  # noqa: N801
    """Seconds from the first time to the second, each cut to its whole second: exact on
    both databases, so Python counts the same (domain/district/rollup.py)."""

    type = Integer()
    inherit_cache = True
    name = "whole_seconds_between"


@compiles(whole_seconds_between, "sqlite")
def _sqlite_seconds(element, compiler, **kw):
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return (f"(CAST(strftime('%s', {end}) AS INTEGER)"
            f" - CAST(strftime('%s', {start}) AS INTEGER))")


@compiles(whole_seconds_between, "postgresql")
def _postgresql_seconds(element, compiler, **kw):
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return (f"CAST(EXTRACT(EPOCH FROM date_trunc('second', {end}))"
            f" - EXTRACT(EPOCH FROM date_trunc('second', {start})) AS INTEGER)")


class month_start(FunctionElement):  # noqa: N801
    """The first day of a date's month."""

    type = Date()
    inherit_cache = True
    name = "month_start"


@compiles(month_start, "sqlite")
def _sqlite_month_start(element, compiler, **kw):
    day, = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"date({day}, 'start of month')"


@compiles(month_start, "postgresql")
def _postgresql_month_start(element, compiler, **kw):
    day, = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(date_trunc('month', {day}) AS DATE)"


def sqlite_local_date(moment: str | None, zone: str | None) -> str | None:
    if moment is None or zone is None:
        return None
    stored = datetime.fromisoformat(moment).replace(tzinfo=UTC)
    return stored.astimezone(ZoneInfo(zone)).date().isoformat()


@event.listens_for(Engine, "connect")
def _sqlite_functions(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.create_function("mashang_local_date", 2, sqlite_local_date,
                                         deterministic=True)
