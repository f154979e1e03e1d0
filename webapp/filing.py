"""Checking a report form before it is filed, the resident's at the door and the one staff
fill in for a resident alike: the form's fields and the chosen category's questions together
(every problem shows at once), and the photos that were fine held for the next try under
the form's submission key, so that nothing sent is lost on a refusal."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app, request

from webapp.domain.reports import intake, questions
from webapp.domain.shared import photos as photo_store
from webapp.domain.shared.tokens import is_submission_key
from webapp.i18n import chosen_language


@dataclass
class Checked:
    ok: bool
    photos: list = field(default_factory=list)  # every photo, those kept before first
    answers: list = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # names of the photos held, when not ok
    answer_errors: dict = field(default_factory=dict)


def check_report_form(form, asked: dict, timezone: str) -> Checked:
    """`form` is a resident.forms.ReportForm (or a subclass); `asked` the questions by
    category id."""
    upload_root = current_app.config["UPLOAD_FOLDER"]
    key = form.submission_key.data or ""
    key_ok = is_submission_key(key)
    kept = photo_store.load_pending(upload_root, key, form.kept_photo.data or []) \
        if key_ok else []
    form.kept_count = len(kept)
    form_ok = form.validate()
    chosen = int(form.category.data) if not form.category.errors else None
    answers, answer_errors = questions.check_answers(
        asked.get(chosen, []), lambda q: request.form.getlist(f"q{q.id}"), timezone)
    if not form_ok or answer_errors:
        if key_ok and getattr(form, "processed_photos", None):
            names = photo_store.keep_pending(upload_root, key, form.processed_photos)
            kept += list(zip(names, form.processed_photos, strict=True))
        return Checked(False, kept=[name for name, _p in kept], answer_errors=answer_errors)
    return Checked(True, photos=[p for _name, p in kept] + form.processed_photos,
                   answers=answers)


def draft_of(form, answers, **more) -> intake.ReportDraft:
    """The draft of a checked form; `more`: the channel and who filed it, for staff."""
    return intake.ReportDraft(
        submission_key=form.submission_key.data, category_id=int(form.category.data),
        description=form.description.data, floor_room=form.floor_room.data or None,
        contact_name=form.contact_name.data or None, contact_phone=form.contact_phone.data,
        care_card=form.care_card.data, answers=tuple(answers),
        sms_updates=form.sms_updates.data, language=chosen_language(), **more)


def keep_after_refusal(form, refused) -> list[str]:
    """The domain refused a checked form: say why at the field it names (or above the form)
    and hold its new photos too, for the next try. Returns the names of the photos held."""
    field = getattr(form, refused.field or "", None)
    if field is not None:
        field.errors = [*field.errors, str(refused)]
    else:
        form.form_errors.append(str(refused))
    return list(form.kept_photo.data or []) + photo_store.keep_pending(
        current_app.config["UPLOAD_FOLDER"], form.submission_key.data, form.processed_photos)


def done(form) -> None:
    """Filed: the photos held for the form are in the report now."""
    photo_store.clear_pending(current_app.config["UPLOAD_FOLDER"], form.submission_key.data)
