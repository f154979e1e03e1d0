"""A transaction that only read ends with COMMIT rather than ROLLBACK (PostgreSQL).

psycopg prepares a statement on a connection once it has run five times there, and
PostgreSQL then parses and plans it once instead of at every run (a millisecond for the
Open311 listing's six-table join). But psycopg forgets every prepared statement whenever a
ROLLBACK is sent, and a request that only read ends its transaction with one: when the ORM
session closes, and when a plain connection goes back to the pool. So nothing ever stayed
prepared.

For a transaction that ran only SELECTs, COMMIT and ROLLBACK do the same. The engine
notes any other statement; just before SQLAlchemy rolls back a transaction that ran none, it
commits it, and the rollback that follows finds nothing to do. A transaction that wrote
anything (or ran anything not known to be a plain read) is rolled back as before."""

from psycopg.pq import TransactionStatus
from sqlalchemy import event
from sqlalchemy.engine import Engine

WROTE = "wrote_in_transaction"


def _begin(connection) -> None:
    connection.info[WROTE] = False


def _statement(connection, _cursor, statement: str, _parameters, _context, _many) -> None:
    if not connection.info.get(WROTE) and \
            not statement.lstrip()[:7].upper().startswith("SELECT"):
        connection.info[WROTE] = True


def _rollback(connection) -> None:
    if connection.invalidated or connection.info.get(WROTE, True):
        return  # a lost connection has nothing to commit, and no statement to keep
    # Only the outermost transaction gets here: savepoints have their own events. One that
    # failed (a statement's error) is left to the rollback.
    dbapi_connection = connection.connection.dbapi_connection
    if dbapi_connection.info.transaction_status == TransactionStatus.INTRANS:
        dbapi_connection.commit()


def listen(engine: Engine) -> None:
    """Called by the app factory. Only on PostgreSQL: any listener slows every statement a
    little, and SQLite prepares nothing to keep."""
    if engine.dialect.name != "postgresql":
        return
    for name, listener in (("begin", _begin), ("before_cursor_execute", _statement),
                           ("rollback", _rollback)):
        if not event.contains(engine, name, listener):
            event.listen(engine, name, listener)
