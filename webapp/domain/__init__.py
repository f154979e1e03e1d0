"""Business rules. Nothing here imports a blueprint, the request or a template.

Two things every area shares: the one kind of refusal, and the one owner of a transaction."""

from __future__ import annotations

from contextlib import contextmanager

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from webapp.extensions import db


class DomainRefused(Exception):
    """A rule said no. str() is the message for the person who asked, in their language;
    `field` names the input it is about, if one; `status` is what a page answers with."""

    status = 422

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field

    def __str__(self) -> str:
        return str(self.message)


class StaleWrite(DomainRefused):
    """Someone else changed the same record since the form was opened."""

    status = 409


STALE_MESSAGE = _l("Someone else changed this at the same moment. Here it is as it is now; "
                   "please check and try again.")


@contextmanager
def unit_of_work():
    """The one owner of a transaction: commits when the block ends, rolls back (once) when it
    raises. Domain functions never commit; views and CLI commands wrap their work in this.
    A write that lost a race surfaces here at the latest, as a StaleWrite."""
    try:
        yield db.session
        db.session.commit()
    except StaleDataError as exc:
        db.session.rollback()
        raise StaleWrite(STALE_MESSAGE) from exc
    except BaseException:
        db.session.rollback()
        raise


@contextmanager
def savepoint():
    """A point inside the unit of work to fall back to, e.g. when the database finds a
    duplicate (an IntegrityError), without ending the unit of work. SQLite's driver opens a
    transaction only at the first write, and a SAVEPOINT outside one commits when it is
    released: so a transaction is opened first."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite" and \
            not connection.connection.driver_connection.in_transaction:
        connection.exec_driver_sql("BEGIN")
    with db.session.begin_nested():
        yield
