"""The report page's buttons: each reads its form fields and calls one workflow transition."""

from flask import current_app, request
from flask_login import current_user

from webapp.domain import category_settings, workflow
from webapp.domain.permissions import Action
from webapp.domain.photos import PhotoRejected, process_photo
from webapp.extensions import db
from webapp.inputs import whole_number
from webapp.models import Organization, User


def _text(name: str) -> str:
    return (request.form.get(name) or "").replace("\x00", "").strip()[:2000]


def _int(name: str) -> int | None:
    return whole_number(request.form.get(name, ""))


def _version() -> int | None:
    return _int("version")


def _org(name: str) -> Organization | None:
    org_id = _int(name)
    return db.session.get(Organization, org_id) if org_id else None


def assign(report):
    person_id = _int("person")
    person = db.session.get(User, person_id) if person_id else None
    workflow.assign(report, current_user, _org("org"), person, version=_version())


def set_priority(report):
    priority = _int("priority")
    workflow.set_priority(report, current_user, -1 if priority is None else priority,
                          version=_version())


def needs_consultation(report):
    workflow.mark_needs_consultation(report, current_user, _text("note"), version=_version())


def escalate(report):
    workflow.escalate(report, current_user, _org("department"), _text("reason"),
                      version=_version())


def merge(report):
    number = _text("original")
    original = workflow.find_by_number(number, report.community_id) if number else None
    workflow.merge_duplicate(report, current_user, original, version=_version())


def reject(report):
    workflow.reject(report, current_user, _text("reason"), version=_version())


def internal_note(report):
    workflow.add_internal_note(report, current_user, _text("note"))


def public_reply(report):
    text = _text("text")
    canned_id = _int("canned")
    if not text and canned_id:
        canned = category_settings.canned_reply(report.community_id, report.category_id,
                                                canned_id)
        text = canned.text if canned else ""
    workflow.public_reply(report, current_user, text)


def hide_from_board(report):
    workflow.set_hidden_from_board(report, current_user, request.form.get("hidden") == "1")


def publish_photos(report):
    workflow.set_photos_public(report, current_user, request.form.get("public") == "1")


def callback(report):
    rating = _int("rating")
    workflow.record_callback(report, current_user, _text("result"), rating)


def accept(report):
    workflow.accept(report, current_user, version=_version())


def arrive(report):
    workflow.arrive(report, current_user, version=_version())


def resolve(report):
    upload = request.files.get("photo")
    photos = []
    if upload and upload.filename:
        try:
            photos.append(process_photo(upload.read(),
                                        max_edge=current_app.config["PHOTO_MAX_EDGE"],
                                        max_pixels=current_app.config["PHOTO_MAX_PIXELS"]))
        except PhotoRejected as rejected:
            raise workflow.MissingInput(str(rejected)) from rejected
    folder = workflow.upload_folder_for_reports(current_app.config["UPLOAD_FOLDER"])
    workflow.resolve(report, current_user, _text("note"), photos, folder, version=_version())


def decline(report):
    workflow.decline(report, current_user, _text("reason"), version=_version())


ACTIONS = {
    Action.ASSIGN: assign, Action.SET_PRIORITY: set_priority,
    Action.NEEDS_CONSULTATION: needs_consultation, Action.ESCALATE: escalate,
    Action.MERGE: merge, Action.REJECT: reject, Action.INTERNAL_NOTE: internal_note,
    Action.PUBLIC_REPLY: public_reply, Action.HIDE_FROM_BOARD: hide_from_board,
    Action.PUBLISH_PHOTOS: publish_photos,
    Action.CALLBACK: callback, Action.ACCEPT: accept, Action.ARRIVE: arrive,
    Action.RESOLVE: resolve, Action.DECLINE: decline,
}
