"""Is a pooled database connection still alive when a request takes it?

`pool_pre_ping` asks the server (SELECT 1) at every checkout: a round trip on every request,
most of a small page's database time. But a server that ends a connection (a restart,
pg_terminate_backend, an idle timeout) says so on its socket first (an error message, then
end of file), so an idle connection whose socket has anything to read is dead. Looking costs
one poll() and no round trip; a dead connection is replaced before the request sees it.

A connection cut without a word (a network partition) is found at its first statement
instead: SQLAlchemy then invalidates it and every older connection of the pool, and that one
request fails. DB_PRE_PING=true (MASHANG_DB_PRE_PING) asks the server every time instead."""

import select

from sqlalchemy import event, exc
from sqlalchemy.pool import Pool


def has_news(dbapi_connection) -> bool:
    """Whether the server has written to this idle connection (or it is already closed)."""
    try:
        fd = dbapi_connection.fileno()
    except Exception:  # the driver knows it is closed
        return True
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))


def _probe(dbapi_connection, _record, _proxy) -> None:
    # SQLite's connections are files in this process: nothing can end them behind our back.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        return
    if has_news(dbapi_connection):
        # The pool discards this connection and checks out (or opens) another.
        raise exc.DisconnectionError("the database server closed this connection")


def engine_options(config) -> dict:
    server = not config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    return {"pool_pre_ping": server and bool(config.get("DB_PRE_PING"))}


def listen() -> None:
    """Called once by the app factory."""
    if not event.contains(Pool, "checkout", _probe):
        event.listen(Pool, "checkout", _probe)
