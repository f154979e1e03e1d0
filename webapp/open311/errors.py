"""The spec's error answer: an HTTP status and a list of (code, description), in either
format. Every refusal of the API is an Open311Error, raised anywhere below a view."""

from webapp.open311.formats import render


class Open311Error(Exception):
    """An answer of the spec's error shape: HTTP status and a list of (code, description)."""

    def __init__(self, status: int, *descriptions: str, code: int | None = None):
        super().__init__(descriptions[0] if descriptions else str(status))
        self.status = status
        self.errors = [(code or status, d) for d in descriptions]


def bad(description: str) -> Open311Error:
    """400 with one description: a parameter the spec's client got wrong."""
    return Open311Error(400, description)


def descriptions(error: Open311Error) -> list[str]:
    """What an error says, to be gathered with others into one answer."""
    return [d for _code, d in error.errors]


def errors(ext: str, status: int, items):
    return render(ext, "errors", [{"code": code, "description": str(text)}
                                  for code, text in items], status)
