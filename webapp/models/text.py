"""What text may go into a column: at most the column's declared length, and no characters
that change how the rest of a line is drawn.

The column is the one place a text limit is written; forms, the domain and the API read it
from here. PostgreSQL refuses a longer value (a 500) while SQLite stores it whole, so a limit
written anywhere else drifts. Every String or Text attribute of every model also passes
through `_on_set` below, so no caller (form, CLI, Open311, CSV import) can store a
direction control or an over-long value."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, event
from sqlalchemy.orm import Mapper

# Bidirectional embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069) and the
# marks (LRM, RLM, ALM): typed into a name, U+202E draws the rest of a line backwards, so
# the phone a dispatcher reads is not the one stored. NUL: no database column holds it.
INVISIBLE = "\x00\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_DROP = dict.fromkeys(map(ord, INVISIBLE))


def plain(value: str) -> str:
    """`value` without direction controls and NUL characters."""
    return value.translate(_DROP)


def max_length(attribute) -> int | None:
    """The declared length of a model's text column (`User.username`), None for Text."""
    return getattr(attribute.property.columns[0].type, "length", None)


def column_max(name: str) -> int:
    """Templates' maxlength: column_max("care_card.name")."""
    from webapp.extensions import db

    table, column = name.split(".")
    return db.metadata.tables[table].c[column].type.length


class TextTooLong(ValueError):
    """A value longer than its column. The message names the field and the limit."""

    def __init__(self, field, limit: int):
        super().__init__(field, limit)
        self.field, self.limit = field, limit

    def __str__(self) -> str:
        return str(_l("%(field)s: at most %(max)d characters, please.",
                      field=self.field, max=self.limit))


def fit(attribute, value: str | None, label=None) -> str | None:
    """`value` (without direction controls) if it fits `attribute`'s column; else
    TextTooLong naming `label` (or the column's name)."""
    if value is None:
        return None
    value = plain(value)
    limit = max_length(attribute)
    if limit is not None and len(value) > limit:
        raise TextTooLong(label or attribute.key, limit)
    return value


def fit_fields(draft, model, *names: str) -> None:
    """Each of `names` of a (frozen) dataclass `draft` checked against the `model` column
    of that name: a domain's input is refused whole before anything is written."""
    for name in names:
        object.__setattr__(draft, name, fit(getattr(model, name), getattr(draft, name)))


def _text_attributes(mapper: Mapper):
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if isinstance(column.type, String) and column.table is mapper.local_table:
            yield prop.class_attribute, column


def _guard(attribute, column) -> None:
    limit = getattr(column.type, "length", None)

    def on_set(target, value, oldvalue, initiator):
        if not isinstance(value, str):
            return value
        value = plain(value)
        if limit is not None and len(value) > limit:
            raise TextTooLong(f"{column.table.name}.{column.key}", limit)
        return value

    event.listen(attribute, "set", on_set, retval=True)


def guard_text_columns(base) -> None:
    """Called once for the models' base class: every text column gets the guard."""

    @event.listens_for(base, "mapper_configured", propagate=True)
    def _configured(mapper, cls):
        for attribute, column in _text_attributes(mapper):
            _guard(attribute, column)
