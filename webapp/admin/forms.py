"""The admin's forms. They read and clean what was posted (webapp/forms.py) and hand typed
values to the domain, whose rules and messages decide what is stored; the pages keep their
hand-written fields, whose names are these fields' names."""

from wtforms import StringField

from webapp.forms import AppForm


class ClearThrottleForm(AppForm):
    username = StringField()

    @property
    def name(self) -> str:
        # As the login form reads it: lower case, cut to the column's length.
        return (self.username.data or "").lower()[:40]


class ApiKeyForm(AppForm):
    client_name = StringField()
