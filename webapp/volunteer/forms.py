"""The volunteer's forms. Signing up, leaving, marking and redeeming are buttons with
nothing to read but their CSRF token (checked for every POST); offering time has fields."""

from datetime import datetime
from zoneinfo import ZoneInfo

from wtforms import HiddenField, StringField, TextAreaField

from webapp.domain.reports.care_visit_help import HelpDraft
from webapp.forms import AppForm, WholeNumberField


class LeaveForm(AppForm):
    reason = StringField()


class OfferForm(AppForm):
    service = WholeNumberField()
    start = StringField()
    places = WholeNumberField(smallest=1)
    location = StringField()

    def places_offered(self) -> int | None:
        """The number of places; one when the field was not sent, None when unreadable."""
        return self.places.data if self.places.raw_data else 1

    def start_in(self, timezone: str) -> datetime | None:
        """The start, a time of day in the community's zone; None when not a date and time."""
        try:
            return datetime.fromisoformat(self.start.data).replace(tzinfo=ZoneInfo(timezone))
        except ValueError:
            return None


class NeedsHelpForm(AppForm):
    """A care visit found the holder in need: what about, and what is needed."""

    submission_key = HiddenField()
    category = WholeNumberField()
    description = TextAreaField()

    def draft(self, language: str) -> HelpDraft:
        return HelpDraft(submission_key=self.submission_key.data or "",
                         category_id=self.category.data,
                         description=self.description.data or "", language=language)
