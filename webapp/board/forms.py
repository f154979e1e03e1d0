"""The board's query string: which community, which month."""

import re

from wtforms import StringField

from webapp.forms import AppForm

MONTH = re.compile(r"^(20\d\d)-(0[1-9]|1[0-2])$")


class BoardForm(AppForm):
    class Meta:
        csrf = False

    community = StringField()
    month = StringField()

    def month_or(self, default: str) -> str:
        """The month asked for (YYYY-MM), or `default` for anything else."""
        return self.month.data if MONTH.match(self.month.data or "") else default
