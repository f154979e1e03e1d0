"""What every form of the app shares, so that input is cleaned and parsed once, here.

    class ServiceForm(AppForm):
        name_zh = StringField()                     # trimmed, no NUL or direction controls
        duration = WholeNumberField(smallest=5)     # an int, or None

Text fields of an `AppForm` (every StringField kind but passwords) lose NUL and direction
controls (webapp.models.text.plain) and surrounding blanks; a `WholeNumberField` reads ASCII
digits only, within a range (webapp.inputs.whole_number). Rules and their messages stay where
they are: validators on a field, or the domain function the form's values are handed to."""

from __future__ import annotations

from functools import lru_cache

from babel import support
from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, PasswordField, StringField
from wtforms.i18n import messages_path
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, TextInput

from webapp.inputs import LARGEST_ID, whole_number
from webapp.models.text import plain


def text_only(value):
    """What is not text (a file sent in a text field, a number or list in a JSON body)
    counts as nothing typed, so that no rule of the field stumbles on it."""
    return value if value is None or isinstance(value, str) else ""


def clean_text(value):
    """Trimmed, without what no column stores (NUL, direction controls: models/text.py)."""
    value = text_only(value)
    return plain(value).strip() if isinstance(value, str) else value


def _cleaned_or_blank(value):
    """An AppForm's text: cleaned, and "" when the field was not sent at all."""
    value = clean_text(value)
    return "" if value is None else value


@lru_cache(maxsize=8)
def _wtforms_catalogue(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _WTFormsMessages:
    """WTForms' own messages in the page's language, as Flask-WTF gives them, but with each
    language's catalogue read once per process: Flask-WTF reads and parses it from disk for
    every request that makes a form, which cost more than all the rest of a cached board."""

    def gettext(self, string):
        return _wtforms_catalogue(str(get_locale())).ugettext(string)

    def ngettext(self, singular, plural, n):
        return _wtforms_catalogue(str(get_locale())).ungettext(singular, plural, n)


class _CleaningMeta(FlaskForm.Meta):
    def get_translations(self, form):
        if not current_app.config.get("WTF_I18N_ENABLED", True):
            return super().get_translations(form)
        return _WTFormsMessages()

    def bind_field(self, form, unbound_field, options):
        kind = unbound_field.field_class
        if issubclass(kind, StringField) and not issubclass(kind, PasswordField):
            # The field's own filters are in its unbound kwargs; they run after the cleaning.
            declared = unbound_field.kwargs.get("filters") or ()
            options["filters"] = [_cleaned_or_blank, *declared]
        return super().bind_field(form, unbound_field, options)


class AppForm(FlaskForm):
    """The base of the app's forms: text cleaned as the module says."""

    Meta = _CleaningMeta

    def first_error(self) -> str | None:
        """The first problem, in the order the fields are declared."""
        for field in self:
            if field.errors:
                return str(field.errors[0])
        return None


class TickField(Field):
    """A checkbox (or hidden field) that says yes with the value "1": `data` is True then,
    False for anything else or nothing. (WTForms' BooleanField takes "0" for yes.)"""

    widget = CheckboxInput()

    def process_formdata(self, valuelist):
        self.data = bool(valuelist) and valuelist[0] == "1"

    def _value(self):
        return "1"


class WholeNumberField(Field):
    """A whole number between `smallest` and `largest`. `data` is that number, or `default`
    when the field is missing, blank or holds anything else ('²', '1.5', a number out of
    range); `typed` is what was sent, for showing it again. Validating refuses something
    typed that is not such a number, with `message`."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, *, smallest: int = 0,
                 largest: int = LARGEST_ID, message=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.smallest, self.largest = smallest, largest
        self.message = message or _l("Please give a whole number from %(min)d to %(max)d.",
                                     min=smallest, max=largest)
        self.typed = ""

    def process_formdata(self, valuelist):
        self.typed = clean_text(valuelist[0]) if valuelist else ""
        number = whole_number(self.typed, smallest=self.smallest, largest=self.largest)
        fallback = self.default() if callable(self.default) else self.default
        self.data = fallback if number is None else number

    @property
    def unreadable(self) -> bool:
        """Something was typed, but not a whole number in range."""
        return bool(self.typed) and whole_number(
            self.typed, smallest=self.smallest, largest=self.largest) is None

    def pre_validate(self, form):
        if self.unreadable:
            raise ValidationError(self.message)

    def _value(self):
        return self.typed if self.typed else ("" if self.data is None else str(self.data))
