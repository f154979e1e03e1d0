"""Numbers from URLs, query strings and forms, parsed one way everywhere.

str.isdigit() accepts '²' and '٣', which int() then refuses or misreads, and an id beyond
the database's integer range makes the database raise instead of finding nothing: both
were 500s. Here a number is ASCII digits only, within the range of an id column."""

from werkzeug.routing import IntegerConverter

# PostgreSQL's integer, the type of every id column.
LARGEST_ID = 2**31 - 1


def whole_number(value, *, largest: int = LARGEST_ID, smallest: int = 0) -> int | None:
    """The number written in `value`, or None if it is not a whole number within range."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    negative = value.startswith("-")
    digits = value[1:] if negative else value
    if not digits or len(digits) > 18 or not (digits.isascii() and digits.isdigit()):
        return None
    number = -int(digits) if negative else int(digits)
    return number if smallest <= number <= largest else None


class IdConverter(IntegerConverter):
    """<int:…> in a route: a number beyond an id's range does not match (a 404)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(url_map, *args, **kwargs)


def init_app(app) -> None:
    app.url_map.converters["int"] = IdConverter
