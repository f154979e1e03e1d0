"""The staff pages' forms. The report page's buttons only clean and read what was sent: the
rules (a reason needed, the state that allows a step) are the workflow's, and its refusals
are the page's messages. The queue's filter is a form read from the query string."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FileField,
    HiddenField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional

from webapp.domain.places import picker, printing
from webapp.domain.reports import queue, search
from webapp.domain.shared.photos import process_photo
from webapp.forms import AppForm, TickField, WholeNumberField, clean_text
from webapp.inputs import whole_number
from webapp.models import STAFF_CHANNELS, Report, ReportStatus
from webapp.resident.forms import ReportForm, fits, phone_number, texts_need_a_mobile

NOTE_MAX = 2000


def cut(value):
    """What the page sends is kept to NOTE_MAX characters (the timeline's notes are texts)."""
    return value[:NOTE_MAX] if isinstance(value, str) else value


class ActionForm(AppForm):
    """Every button of the report page: the version the page showed, and where to go back."""

    version = WholeNumberField()
    back = HiddenField()


class AssignForm(ActionForm):
    org = WholeNumberField()
    person = WholeNumberField()


class PriorityForm(ActionForm):
    priority = WholeNumberField(default=-1)  # an unknown priority, refused by the workflow


class NoteForm(ActionForm):
    note = TextAreaField(filters=[cut])


class ReasonForm(ActionForm):
    reason = TextAreaField(filters=[cut])


class EscalateForm(ReasonForm):
    department = WholeNumberField()


class MergeForm(ActionForm):
    original = StringField(filters=[cut])


class ReplyForm(ActionForm):
    text = TextAreaField(filters=[cut])
    canned = WholeNumberField()


class HideForm(ActionForm):
    hidden = TickField()


class PublishPhotosForm(ActionForm):
    public = TickField()


class CallbackForm(ActionForm):
    result = TextAreaField(filters=[cut])
    rating = WholeNumberField()


class ResolveForm(NoteForm):
    photo = FileField()

    def photos(self) -> list:
        """The photo, re-encoded; a file that is not one is refused (PhotoRejected)."""
        upload = self.photo.data
        if not upload or not getattr(upload, "filename", ""):
            return []
        return [process_photo(upload.read(), max_edge=current_app.config["PHOTO_MAX_EDGE"],
                              max_pixels=current_app.config["PHOTO_MAX_PIXELS"])]


class PlanForm(ResolveForm):
    """A major job's plan: what will be done, by when (a local date), a photo."""

    done_by = StringField()

    def done_by_date(self) -> date | None:
        try:
            return date.fromisoformat(self.done_by.data or "")
        except ValueError:
            return None


class RespondForm(NoteForm):
    """The department's answer; `answered_at` is the local time it answered (blank: now)."""

    answered_at = StringField()

    def answered_at_utc(self, timezone: str) -> tuple[datetime | None, bool]:
        """(the time in UTC or None for now, whether something unreadable was typed)."""
        typed = self.answered_at.data or ""
        if not typed:
            return None, False
        try:
            local = datetime.fromisoformat(typed).replace(tzinfo=ZoneInfo(timezone))
        except ValueError:
            return None, True
        return local.astimezone(UTC), False


class QueueForm(AppForm):
    """The queue's filter, from the query string (a GET: nothing to protect)."""

    class Meta:
        csrf = False

    tab = StringField()
    compound = WholeNumberField()
    category = WholeNumberField()
    status = StringField()
    page = WholeNumberField()
    seen = WholeNumberField()
    q = StringField()

    def filter(self) -> queue.QueueFilter:
        status = self.status.data or None
        return queue.QueueFilter(
            tab=self.tab.data if self.tab.data in queue.TABS else "open",
            compound_id=self.compound.data, category_id=self.category.data,
            status=status if status in set(ReportStatus) else None,
            page=max(1, min(self.page.data or 1, 10_000)),
            q=(self.q.data or "")[:search.MAX_QUERY])


def print_choice(args) -> printing.PrintChoice:
    """The print page's query string as the domain's PrintChoice: building ids read as whole
    numbers (anything else is no building), text cleaned, sizes as typed."""
    return printing.PrintChoice(
        kind=clean_text(args.get("kind")) or "posters",
        paper=clean_text(args.get("paper")) or "A4",
        preset=clean_text(args.get("preset")) or "3x8",
        building_ids=tuple(n for n in map(whole_number, args.getlist("buildings"))
                           if n is not None),
        replacements_only=args.get("replaced") == "1",
        cut_guides=args.get("cut_guides") == "1",
        sizes={name: clean_text(args.get(name)) or "" for name in printing.SIZES})


class PlaceForm(AppForm):
    """The place picker's steps, from the query string: compound, building, entrance (0: the
    whole building), or the door code staff scanned."""

    class Meta:
        csrf = False

    compound = WholeNumberField()
    building = WholeNumberField()
    entrance = WholeNumberField()
    code = StringField()

    def picked(self, community_id: int):
        """(the place picked so far, the scanned code or None); None: a code that is not
        an active one of the community."""
        if self.code.data:
            return picker.pick_by_code(community_id, self.code.data)
        return picker.pick(community_id, self.compound.data, self.building.data,
                           self.entrance.data), None


class FileReportForm(ReportForm):
    """A report staff file for a resident (多元点单): the resident's form, with how it came in,
    and the resident's details named as theirs (all optional: a patrol finding has no
    resident)."""

    channel = RadioField(
        _l("How did it come in?"), choices=[c.value for c in STAFF_CHANNELS],
        validators=[InputRequired(message=_l("Please choose how the report came in."))])
    contact_name = StringField(_l("Resident's name"),
                               validators=[Optional(), fits(Report.contact_name)])
    contact_phone = StringField(_l("Resident's phone"),
                                validators=[fits(Report.contact_phone), phone_number])
    care_card = BooleanField(_l("Elderly or living alone (care card 爱心联系卡)"))
    sms_updates = BooleanField(_l("Text the tracking link to the resident"),
                               validators=[texts_need_a_mobile("contact_phone")])
