"""The board's query string: which community, which month."""

import re
from dataclasses import dataclass

from webapp.forms import clean_text

MONTH = re.compile(r"^(20\d\d)-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class BoardQuery:
    """Read without a form class: the board is the busiest public page, and two optional
    lookups need no more than cleaning and a pattern."""

    community: str | None
    month: str | None

    @classmethod
    def of(cls, args) -> "BoardQuery":
        return cls(clean_text(args.get("community")) or None, args.get("month"))

    def month_or(self, default: str) -> str:
        """The month asked for (YYYY-MM), or `default` for anything else."""
        return self.month if MONTH.match(self.month or "") else default
