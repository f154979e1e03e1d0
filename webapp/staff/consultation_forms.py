"""The forms of 一事一议: opening a consultation, a building's rooms, a ballot, a paper vote,
a payment mark. They clean and read what was sent; the rules are the domain's."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from wtforms import MultipleFileField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from webapp.domain.consultations import opening, rules
from webapp.domain.consultations.rooms import MAX_ROOMS
from webapp.forms import AppForm, TickField, WholeNumberField
from webapp.models import Consultation
from webapp.resident.forms import BallotForm, PhotoUploadMixin, fits

TEXT = dict(validators=[DataRequired(message=_l("Please fill this in.")),
                        Length(max=opening.TEXT_MAX, message=_l(
                            "At most %(max)d characters.", max=opening.TEXT_MAX))])
CUSTOM = "custom"


class ConsultationForm(PhotoUploadMixin, AppForm):
    place = SelectField(_l("For which households?"), validate_choice=False,
                        validators=[InputRequired(message=_l("Please choose the place."))])
    title = StringField(_l("Title"), validators=[
        DataRequired(message=_l("Please give a title.")), fits(Consultation.title)])
    proposal = TextAreaField(_l("What will be done"), **TEXT)
    reason = TextAreaField(_l("Why"), **TEXT)
    cost = StringField(_l("Estimated cost (yuan)"),
                       validators=[DataRequired(message=_l("Please give the estimated cost."))])
    share_basis = RadioField(_l("Each household pays"), default=rules.EQUAL, choices=[
        (rules.EQUAL, _l("An equal share")), (rules.AREA, _l("In proportion to its area"))])
    deadline = StringField(_l("Deadline (local time)"),
                           validators=[DataRequired(message=_l("Please give the deadline."))])
    choice_kind = RadioField(_l("The residents choose"), default=rules.YES_NO, choices=[
        (rules.YES_NO, _l("Agree / disagree / abstain")),
        (rules.PLANS, _l("Between plans"))])
    plans = TextAreaField(_l("The plans, one a line"))
    rule = RadioField(_l("It is decided when"), default="two_thirds_households",
                      choices=[*rules.PRESET_LABELS.items(),
                               (CUSTOM, _l("Another share (below)"))])
    rule_num = WholeNumberField(_l("Share needed: numerator"), smallest=1, largest=100)
    rule_den = WholeNumberField(_l("denominator"), smallest=1, largest=100)
    rule_basis = SelectField(_l("counted by"), validate_choice=False, choices=[
        (rules.HOUSEHOLDS, _l("households")), (rules.AREA, _l("floor area")),
        (rules.BOTH, _l("households and floor area"))])
    rule_strict = TickField(_l("More than the share (not “at least”)"))
    photos = MultipleFileField(_l("Photos (up to 3)"))
    report = WholeNumberField()

    def validate_cost(self, field):
        self.cost_cents = cents(field.data)
        if self.cost_cents is None:
            raise ValidationError(_l("Write the cost in yuan, e.g. 60000 or 60000.50."))

    def validate_plans(self, field):
        if self.choice_kind.data == rules.PLANS and len(self.plan_lines()) < opening.MIN_PLANS:
            raise ValidationError(_l("Give 2 to 6 plans to choose between, one a line."))

    def validate_rule_num(self, field):
        if self.rule.data == CUSTOM and (field.data is None or self.rule_den.data is None):
            raise ValidationError(_l("Give the share needed as two whole numbers, e.g. 3 / 4."))

    def plan_lines(self) -> tuple[str, ...]:
        if self.choice_kind.data != rules.PLANS:
            return ()
        return tuple(line.strip() for line in (self.plans.data or "").splitlines()
                     if line.strip())

    def chosen_rule(self) -> rules.Rule:
        if self.rule.data in rules.PRESETS:
            return rules.PRESETS[self.rule.data]
        return rules.Rule(self.rule_basis.data or "", self.rule_num.data or 0,
                          self.rule_den.data or 0, bool(self.rule_strict.data))

    def deadline_utc(self, timezone: str) -> datetime | None:
        try:
            local = datetime.fromisoformat(self.deadline.data or "")
        except ValueError:
            return None
        if local.tzinfo is not None:
            return None
        return local.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)

    def draft(self, timezone: str) -> opening.ConsultationDraft | None:
        deadline = self.deadline_utc(timezone)
        if deadline is None:
            self.deadline.errors = [_l("Give the deadline as a date and a time.")]
            return None
        return opening.ConsultationDraft(
            title=self.title.data, proposal=self.proposal.data, reason=self.reason.data,
            cost_cents=self.cost_cents, share_basis=self.share_basis.data or "",
            deadline=deadline, rule=self.chosen_rule(), plans=self.plan_lines(),
            photos=tuple(getattr(self, "processed_photos", ())))


def cents(text: str | None) -> int | None:
    """"60000", "60,000.5", "¥60000" → cents; anything else None."""
    text = re.sub(r"[,，\s¥￥元]", "", text or "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value != round(value, 2) or value > 10**8:
        return None
    return int(value * 100)


class RoomsForm(AppForm):
    rooms = TextAreaField(_l("Rooms, one a line: room, area m² (optional), entrance "
                             "(optional)"),
                          validators=[Length(max=MAX_ROOMS * 60, message=_l(
                              "At most %(n)d rooms at a time, please.", n=MAX_ROOMS))])


class PaperVoteForm(BallotForm):
    """A household's paper or meeting vote, entered by staff."""


class PaidForm(AppForm):
    paid = TickField()


class SlipPrintForm(AppForm):
    """What the slip sheet is printed on (a GET: nothing to protect)."""

    class Meta:
        csrf = False

    layout = StringField()
    preset = StringField()
    skip = WholeNumberField(largest=99)
    household = WholeNumberField()
