"""The resident's forms; AppForm (webapp/forms.py) cleans their text. Text limits come from
the columns the text is stored in (`fits`), the others from domain.report_input; photos
from domain.photos."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    MultipleFileField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)

from webapp.domain.reports import limits
from webapp.domain.shared import phones
from webapp.domain.shared.photos import PhotoRejected, process_photo
from webapp.domain.shared.tokens import is_submission_key
from webapp.forms import AppForm, WholeNumberField, clean_text, text_only
from webapp.models import Booking, Report, ReportFollower
from webapp.models.text import max_length


def fits(attribute):
    """At most as many characters as `attribute`'s column holds; no other rule of the
    field runs on a longer value (a 31-digit phone is too long, not a wrong number)."""
    limit = max_length(attribute)

    def check(form, field):
        if field.data and len(field.data) > limit:
            raise StopValidation(_l("At most %(max)d characters.", max=limit))
    check.field_flags = {"maxlength": limit}  # rendered as the input's maxlength
    return check


def phone_number(form, field):
    """A phone number in any spelling, stored in its one spelling; blank stays blank."""
    try:
        field.data = phones.normalise_phone(field.data)
    except phones.InvalidPhone as invalid:
        raise ValidationError(str(invalid)) from invalid


def texts_need_a_mobile(phone_name):
    """A "text me" tick: the phone given in field `phone_name` (declared before it, so
    already checked and in its stored spelling) must be a mobile."""
    def check(form, field):
        phone = form[phone_name]
        if field.data and not phone.errors and phones.texting_number(phone.data) is None:
            raise ValidationError(_l("To be sent text messages, please give a mobile number."))
    return check


def fresh_submission_key(form, field):
    if not is_submission_key(field.data):
        raise ValidationError(_l("This form is out of date. Please reload the page."))


class PhotoUploadMixin:
    """Adds `processed_photos` after validation; `kept_count` photos are already held."""

    kept_count = 0

    def validate_photos(self, field):
        self.processed_photos = []
        files = [f for f in (field.data or []) if f and getattr(f, "filename", "")]
        limit = current_app.config["MAX_PHOTOS_PER_REPORT"]
        if len(files) + self.kept_count > limit:
            raise ValidationError(_l("At most %(n)d photos, please.", n=limit))
        problems = []
        for upload in files:
            try:
                self.processed_photos.append(
                    process_photo(
                        upload.read(),
                        max_edge=current_app.config["PHOTO_MAX_EDGE"],
                        max_pixels=current_app.config["PHOTO_MAX_PIXELS"],
                    )
                )
            except PhotoRejected as rejected:
                problems.append(f"{upload.filename[:60]}: {rejected}")
        if problems:
            raise ValidationError("; ".join(problems))


class NamesField(Field):
    """Every value sent under the field's name, cleaned: e.g. the photos already kept."""

    def process_formdata(self, valuelist):
        self.data = [clean_text(text_only(value)) for value in valuelist]


class ReportForm(PhotoUploadMixin, AppForm):
    category = RadioField(
        _l("What is it about?"),
        validate_choice=False,
        validators=[InputRequired(message=_l("Please choose what the problem is about."))],
    )
    description = TextAreaField(
        _l("What is wrong?"),
        validators=[
            DataRequired(message=_l("Please describe the problem.")),
            Length(
                min=limits.DESCRIPTION_MIN,
                max=limits.DESCRIPTION_MAX,
                message=_l("Please use %(min)d to %(max)d characters.",
                           min=limits.DESCRIPTION_MIN, max=limits.DESCRIPTION_MAX),
            ),
        ],
    )
    photos = MultipleFileField(_l("Photos (up to 3)"))
    floor_room = StringField(
        _l("Floor / room"),
        validators=[Optional(), fits(Report.floor_room)],
    )
    contact_name = StringField(
        _l("Your name"),
        validators=[Optional(), fits(Report.contact_name)],
    )
    contact_phone = StringField(_l("Phone"),
                                validators=[fits(Report.contact_phone), phone_number])
    care_card = BooleanField(_l("I am elderly or live alone (care card 爱心联系卡)"))
    sms_updates = BooleanField(_l("Text me the tracking link and the outcome"),
                               validators=[texts_need_a_mobile("contact_phone")])
    submission_key = HiddenField(validators=[fresh_submission_key])
    kept_photo = NamesField()

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.category_ids = {c.id for c in categories}
        self.category.choices = [str(c.id) for c in categories]

    def validate_category(self, field):
        # ASCII digits only: str.isdigit() also says yes to '²' and '٣', which int() refuses
        # or reads as another number, and a 5000-digit number is past int()'s limit.
        value = str(field.data or "")
        if not (value.isascii() and value.isdigit() and len(value) <= 18) or \
                int(value) not in self.category_ids:
            raise ValidationError(_l("Please choose a category from the list."))


class FollowForm(AppForm):
    """我也遇到了: follow a neighbour's report. One per report on the page (prefix f<id>)."""

    phone = StringField(_l("Phone (optional)"),
                        validators=[fits(ReportFollower.phone), phone_number])
    sms_updates = BooleanField(_l("Text me when it is fixed"),
                               validators=[texts_need_a_mobile("phone")])
    submission_key = HiddenField(validators=[fresh_submission_key])


class AddInfoForm(PhotoUploadMixin, AppForm):
    note = TextAreaField(
        _l("Anything to add?"),
        validators=[Length(max=limits.NOTE_MAX, message=_l("At most %(max)d characters.",
                                                            max=limits.NOTE_MAX))],
    )
    photos = MultipleFileField(_l("More photos"))

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        if not (self.note.data or "").strip() and not self.processed_photos:
            self.note.errors.append(_l("Write something or add a photo."))
            return False
        return True


class RateForm(AppForm):
    rating = RadioField(
        _l("How well was it handled?"),
        choices=[str(n) for n in range(5, 0, -1)],
        validators=[InputRequired(message=_l("Please choose 1 to 5 stars."))],
    )
    comment = TextAreaField(
        _l("Comment (optional)"),
        validators=[Length(max=limits.RATING_COMMENT_MAX,
                           message=_l("At most %(max)d characters.",
                                      max=limits.RATING_COMMENT_MAX))],
    )


class NotFixedForm(AppForm):
    reason = TextAreaField(
        _l("What is still wrong?"),
        validators=[
            DataRequired(message=_l("Please tell us what is still wrong.")),
            Length(max=limits.NOTE_MAX, message=_l("At most %(max)d characters.",
                                                    max=limits.NOTE_MAX)),
        ],
    )


class BookingForm(AppForm):
    name = StringField(_l("Your name"), validators=[
        DataRequired(message=_l("Please give your name.")), fits(Booking.name)])
    phone = StringField(_l("Phone"), validators=[
        DataRequired(message=_l("Please give a phone number so the volunteer can call you.")),
        fits(Booking.phone), phone_number])
    floor_room = StringField(_l("Floor / room"), validators=[
        Optional(), fits(Booking.floor_room)])
    note = TextAreaField(_l("Anything the volunteer should know? (optional)"),
                         validators=[Length(max=limits.NOTE_MAX, message=_l(
                             "At most %(max)d characters.", max=limits.NOTE_MAX))])
    sms_updates = BooleanField(_l("Text me the booking link and any change"),
                               validators=[texts_need_a_mobile("phone")])
    submission_key = HiddenField(validators=[fresh_submission_key])


class CancelForm(AppForm):
    reason = TextAreaField(_l("Reason (optional)"), validators=[
        Length(max=limits.NOTE_MAX, message=_l("At most %(max)d characters.",
                                                max=limits.NOTE_MAX))])


class LeaveWaitlistForm(AppForm):
    """Leaving a waiting list: the CSRF token is all it carries."""


class PollForm(AppForm):
    """The tracking page asking whether the report changed: the version it shows."""

    class Meta:
        csrf = False

    v = WholeNumberField()


class BallotForm(AppForm):
    """A household's vote (一事一议): the position of the option chosen."""

    choice = WholeNumberField(largest=100)
