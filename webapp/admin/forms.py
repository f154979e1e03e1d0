"""The admin's forms. They read and clean what was posted (webapp/forms.py) and hand typed
values to the domain, whose rules and messages decide what is stored; the pages keep their
hand-written fields, whose names are these fields' names."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import request
from flask_wtf.file import FileField
from wtforms import PasswordField, StringField, TextAreaField

from webapp.domain.notify import deliveries
from webapp.domain.people import accounts
from webapp.domain.places import csv_import
from webapp.domain.reports import categories, questions
from webapp.domain.services import care_cards, care_visits, catalogue, rewards, slot_changes
from webapp.forms import AppForm, TickField, WholeNumberField
from webapp.inputs import LARGEST_ID, whole_number
from webapp.models import Milestone


class ConfirmForm(AppForm):
    """The second press of a button that asks first (admin/confirm.py)."""

    confirmed = TickField()


class ClearThrottleForm(AppForm):
    username = StringField()

    @property
    def name(self) -> str:
        # As the login form reads it: lower case, cut to the column's length.
        return (self.username.data or "").lower()[:40]


class ApiKeyForm(AppForm):
    client_name = StringField()


class RobotForm(AppForm):
    """An organisation's group robot: its kind ("" for none), webhook and DingTalk's signing
    secret (empty keeps the saved one)."""

    kind = StringField()
    webhook = StringField()
    secret = StringField()


class OrganizationForm(AppForm):
    """Adding an organisation (its kind, name and duty phone), or changing name and phone."""

    kind = StringField()
    name = StringField()
    phone = StringField()


class CommunityForm(AppForm):
    """The community's own details."""

    name = StringField()
    hotline = StringField()
    hotline_24h = StringField()


class RoutingFilterForm(AppForm):
    """The routing table's filter, from the query string (a GET: nothing to protect)."""

    class Meta:
        csrf = False

    name = StringField()
    missing = StringField()


class RoutingTableForm(AppForm):
    """The routing table's one save: the compounds shown (`compound`, repeated), and for each
    its partner company (partner-<id>) and grid (grid-<id>), blank for none; or, on a
    compound's own page, each category's exception (category-<id>, blank for none)."""

    def choices(self) -> dict[int, tuple[int | None, int | None]]:
        form = request.form
        ids = (whole_number(value) for value in form.getlist("compound"))
        return {compound_id: (whole_number(form.get(f"partner-{compound_id}", "")),
                              whole_number(form.get(f"grid-{compound_id}", "")))
                for compound_id in ids if compound_id is not None}

    def exceptions(self, category_ids) -> dict[int, int | None]:
        return {category_id: whole_number(request.form.get(f"category-{category_id}", ""))
                for category_id in category_ids}


# --- accounts -------------------------------------------------------------------------------

class UserForm(AppForm):
    """Creating an account, or changing one (role, organisation, state, a new password)."""

    username = StringField()
    display_name = StringField()
    password = PasswordField()
    role = StringField()
    org = WholeNumberField()
    phone = StringField()
    active = TickField()

    def organization(self, orgs):
        """The chosen one of `orgs` (the community's), or None."""
        return next((o for o in orgs if o.id == self.org.data), None)

    def changes(self, orgs) -> accounts.AccountChanges:
        """A name or phone field not sent at all changes nothing (None)."""
        return accounts.AccountChanges(
            role=self.role.data, organization=self.organization(orgs), active=self.active.data,
            password=self.password.data or "",
            display_name=self.display_name.data if self.display_name.raw_data else None,
            phone=self.phone.data if self.phone.raw_data else None)


# --- categories and their questions ---------------------------------------------------------

class CategoryNameForm(AppForm):
    """A community's own category: its names, icon and (when added) whether it is major."""

    name_zh = StringField()
    name_en = StringField()
    icon = StringField()
    major = TickField()

    def draft(self, is_major: bool | None = None) -> categories.CategoryDraft:
        """`is_major` as the category has it, when editing (it is not changed)."""
        return categories.CategoryDraft(
            name_zh=self.name_zh.data, name_en=self.name_en.data, icon=self.icon.data,
            is_major=self.major.data if is_major is None else is_major)


class CategoryForm(AppForm):
    """A community's own routing, SLA targets (a number and its unit per milestone: minutes,
    hours or working days), the share urgent reports get, privacy and one more canned reply
    for a category."""

    routing = StringField()
    canned = TextAreaField()
    private = TickField()
    urgent_percent = WholeNumberField(smallest=1, largest=1000)

    def targets(self, milestones) -> dict[str, int | None]:
        """Each target in minutes (None when unreadable); no unit sent means minutes."""
        targets = {}
        for name in milestones:
            number = self[f"target_{name}"].data
            factor = TARGET_UNITS.get(self[f"unit_{name}"].data or "min")
            targets[name] = None if number is None or factor is None else number * factor
        return targets


# The units a target is typed in, in minutes: a day is a working day (domain/reports/sla.py).
TARGET_UNITS = {"min": 1, "hour": 60, "day": 24 * 60}


def target_in_units(minutes: int) -> tuple[int, str]:
    """The largest unit that says the target exactly: (2, "day") for 2880 minutes."""
    for unit in ("day", "hour"):
        if minutes % TARGET_UNITS[unit] == 0:
            return minutes // TARGET_UNITS[unit], unit
    return minutes, "min"


for _milestone in Milestone:
    setattr(CategoryForm, f"target_{_milestone}", WholeNumberField(smallest=1))
    setattr(CategoryForm, f"unit_{_milestone}", StringField())


class WorkingDayForm(AppForm):
    """One day of the community's own calendar: worked ("1") or a day off ("0")."""

    day = StringField()
    working = StringField()
    note = StringField()

    def day_date(self) -> date | None:
        try:
            return date.fromisoformat(self.day.data or "")
        except ValueError:
            return None

    def working_choice(self) -> bool | None:
        return {"1": True, "0": False}.get(self.working.data)


class QuestionForm(AppForm):
    code = StringField()
    datatype = StringField()
    variable = StringField()
    required = TickField()
    order = WholeNumberField(smallest=1, largest=999)
    description_zh = StringField()
    description_en = StringField()
    datatype_description_zh = StringField()
    datatype_description_en = StringField()
    values = TextAreaField()

    def draft(self) -> questions.QuestionDraft:
        return questions.QuestionDraft(
            code=self.code.data, datatype=self.datatype.data, order=self.order.data,
            variable=self.variable.data != "0", required=self.required.data,
            description_zh=self.description_zh.data, description_en=self.description_en.data,
            datatype_description_zh=self.datatype_description_zh.data,
            datatype_description_en=self.datatype_description_en.data,
            values=self.values.data)


# --- places ---------------------------------------------------------------------------------

class PlaceForm(AppForm):
    name = StringField()
    latitude = StringField()
    longitude = StringField()


class PlaceImportForm(AppForm):
    """A CSV file uploaded, or (on confirming the preview) its text carried in the form."""

    file = FileField()
    csv_text = TextAreaField()
    confirm = TickField()

    def text(self) -> str:
        """The file's text; PlaceError when it is not text in a known encoding."""
        upload = self.file.data
        if upload and getattr(upload, "filename", ""):
            return csv_import.decode_csv(upload.read())
        return self.csv_text.data


# --- services and slots ---------------------------------------------------------------------

class ServiceCategoryForm(AppForm):
    name_zh = StringField()
    name_en = StringField()


class ServiceForm(AppForm):
    category = WholeNumberField()
    name_zh = StringField()
    name_en = StringField()
    duration = WholeNumberField()
    points = WholeNumberField()
    volunteers = WholeNumberField()
    cutoff = WholeNumberField()
    at_home = TickField()
    free = TickField()
    description_zh = TextAreaField()
    description_en = TextAreaField()
    fee_note_zh = StringField()
    fee_note_en = StringField()

    def draft(self) -> catalogue.ServiceDraft:
        return catalogue.ServiceDraft(
            name_zh=self.name_zh.data, name_en=self.name_en.data,
            duration_minutes=self.duration.data, points=self.points.data,
            volunteers_needed=self.volunteers.data, cancel_cutoff_hours=self.cutoff.data,
            at_home=self.at_home.data, free_for_care_card=self.free.data,
            description_zh=self.description_zh.data, description_en=self.description_en.data,
            fee_note_zh=self.fee_note_zh.data, fee_note_en=self.fee_note_en.data)


class SlotForm(AppForm):
    """Negative numbers are read as typed, so that the rule refuses them by name."""

    service = WholeNumberField()
    start = StringField()
    weeks = WholeNumberField(smallest=-LARGEST_ID, default=1)
    capacity = WholeNumberField(smallest=-LARGEST_ID, default=1)
    volunteer_places = WholeNumberField(smallest=-LARGEST_ID)
    location = StringField()
    runs_without_volunteer = TickField()

    def draft(self, timezone: str) -> catalogue.SlotDraft:
        """The start is a local date and time in the community's `timezone`."""
        return catalogue.SlotDraft(start=local_time(self.start.data, timezone),
                                   weeks=self.weeks.data or 1,
                                   capacity=self.capacity.data,
                                   volunteer_capacity=self.volunteer_places.data,
                                   location=self.location.data,
                                   runs_without_volunteer=self.runs_without_volunteer.data)


class SlotEditForm(AppForm):
    """A published slot as the admin changes it: its local start, places and service point."""

    start = StringField()
    capacity = WholeNumberField(smallest=-LARGEST_ID)
    volunteer_places = WholeNumberField(smallest=-LARGEST_ID)
    location = StringField()
    runs_without_volunteer = TickField()

    def change(self, timezone: str) -> slot_changes.SlotChange:
        return slot_changes.SlotChange(
            start=local_time(self.start.data, timezone), capacity=self.capacity.data,
            volunteer_capacity=self.volunteer_places.data, location=self.location.data,
            runs_without_volunteer=self.runs_without_volunteer.data)


def local_time(text: str | None, timezone: str) -> datetime | None:
    """A datetime-local field's value in the community's `timezone`, or None."""
    try:
        return datetime.fromisoformat(text or "").replace(tzinfo=ZoneInfo(timezone))
    except ValueError:
        return None


class ReasonForm(AppForm):
    """Calling off a slot, or rejecting a redemption (its `note`)."""

    reason = StringField()
    note = StringField()


# --- points and rewards ---------------------------------------------------------------------

class AdjustPointsForm(AppForm):
    volunteer = WholeNumberField()
    points = WholeNumberField(smallest=-LARGEST_ID)
    reason = StringField()


class RewardForm(AppForm):
    kind = StringField()
    name_zh = StringField()
    name_en = StringField()
    cost = WholeNumberField()
    stock = WholeNumberField()
    collect_zh = StringField()
    collect_en = StringField()

    def draft(self) -> rewards.RewardDraft:
        return rewards.RewardDraft(kind=self.kind.data, name_zh=self.name_zh.data,
                                   name_en=self.name_en.data, cost=self.cost.data,
                                   stock=self.stock.data, collect_zh=self.collect_zh.data,
                                   collect_en=self.collect_en.data)


class PointsHistoryForm(AppForm):
    """The history's filter, from the query string: a volunteer, a month (YYYY-MM)."""

    class Meta:
        csrf = False

    volunteer = WholeNumberField()
    month = StringField()


# --- care cards -----------------------------------------------------------------------------

class CareCardForm(AppForm):
    name = StringField()
    phone = StringField()
    entrance = WholeNumberField()

    def draft(self) -> care_cards.CareCardDraft:
        return care_cards.CareCardDraft(name=self.name.data, phone=self.phone.data,
                                        entrance_id=self.entrance.data)


class DeliveryFilterForm(AppForm):
    """The delivery log's filter, from the query string (a GET: nothing to protect)."""

    class Meta:
        csrf = False

    status = StringField()
    channel = StringField()
    page = WholeNumberField()

    def filter(self) -> deliveries.LogFilter:
        return deliveries.log_filter(self.status.data or None, self.channel.data or None,
                                     self.page.data)


# --- volunteer shifts -----------------------------------------------------------------------

class LeaveCutoffForm(AppForm):
    hours = WholeNumberField(largest=10_000)


class SignupWindowForm(AppForm):
    """A week (its first day) and when sign-up for its shifts opens, in the community's zone;
    an empty time opens them at once."""

    week = StringField()
    opens_at = StringField()

    def monday(self) -> date | None:
        try:
            return date.fromisoformat(self.week.data or "")
        except ValueError:
            return None

    def opens_at_in(self, timezone: str) -> tuple[datetime | None, bool]:
        """(the time, or None for at once; False when something unreadable was typed)."""
        typed = (self.opens_at.data or "").strip()
        if not typed:
            return None, True
        try:
            return datetime.fromisoformat(typed).replace(tzinfo=ZoneInfo(timezone)), True
        except ValueError:
            return None, False


class VisitRhythmForm(AppForm):
    """A care-card holder's visits: every N days (1 daily, 7 weekly), from a day."""

    every_days = WholeNumberField(smallest=1)
    points = WholeNumberField()
    starts_on = StringField()

    def draft(self) -> care_visits.RhythmDraft:
        try:
            starts_on = date.fromisoformat(self.starts_on.data) if self.starts_on.data else None
        except ValueError:
            starts_on = None
        return care_visits.RhythmDraft(every_days=self.every_days.data,
                                       points=self.points.data, starts_on=starts_on)
