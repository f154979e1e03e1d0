"""The overview's query string: which month, which street."""

from wtforms import StringField

from webapp.board.forms import MONTH
from webapp.forms import AppForm


class OverviewForm(AppForm):
    class Meta:
        csrf = False

    month = StringField()
    street = StringField()

    def month_or(self, default: str) -> str:
        """The month asked for (YYYY-MM), or `default` for anything else."""
        return self.month.data if MONTH.match(self.month.data or "") else default
