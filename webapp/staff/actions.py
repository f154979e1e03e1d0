"""The report page's buttons: each reads its form and calls one workflow transition."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from webapp.domain.people.permissions import Action
from webapp.domain.reports import category_settings, dispatch, intake, routing, transitions
from webapp.domain.shared import photos
from webapp.staff import forms


def assign(report, form):
    dispatch.assign(report, current_user, routing.organization(form.org.data),
                    routing.staff_member(form.person.data), version=form.version.data)


def set_priority(report, form):
    dispatch.set_priority(report, current_user, form.priority.data, version=form.version.data)


def needs_consultation(report, form):
    dispatch.mark_needs_consultation(report, current_user, form.note.data,
                                     version=form.version.data)


def escalate(report, form):
    dispatch.escalate(report, current_user, routing.organization(form.department.data),
                      form.reason.data, version=form.version.data)


def merge(report, form):
    number = form.original.data
    original = intake.find_by_number(number, report.community_id) if number else None
    dispatch.merge_duplicate(report, current_user, original, version=form.version.data)


def reject(report, form):
    dispatch.reject(report, current_user, form.reason.data, version=form.version.data)


def internal_note(report, form):
    dispatch.add_internal_note(report, current_user, form.note.data)


def public_reply(report, form):
    text = form.text.data
    if not text and form.canned.data:
        canned = category_settings.canned_reply(report.community_id, report.category_id,
                                                form.canned.data)
        text = canned.text if canned else ""
    dispatch.public_reply(report, current_user, text)


def hide_from_board(report, form):
    dispatch.set_hidden_from_board(report, current_user, form.hidden.data)


def publish_photos(report, form):
    dispatch.set_photos_public(report, current_user, form.public.data)


def callback(report, form):
    dispatch.record_callback(report, current_user, form.result.data, form.rating.data)


def reopen(report, form):
    dispatch.reopen_after_callback(report, current_user, form.reason.data,
                                   version=form.version.data)


def accept(report, form):
    transitions.accept(report, current_user, version=form.version.data)


def arrive(report, form):
    transitions.arrive(report, current_user, version=form.version.data)


def resolve(report, form):
    folder = photos.upload_folder_for_reports(current_app.config["UPLOAD_FOLDER"])
    transitions.resolve(report, current_user, form.note.data, form.photos(), folder,
                        version=form.version.data)


def submit_plan(report, form):
    folder = photos.upload_folder_for_reports(current_app.config["UPLOAD_FOLDER"])
    transitions.submit_plan(report, current_user, form.note.data, form.done_by_date(),
                            form.photos(), folder, version=form.version.data)


def respond(report, form):
    at, unreadable = form.answered_at_utc(report.community.timezone)
    if unreadable:
        raise transitions.MissingInput(dispatch.UNREADABLE_TIME)
    dispatch.record_response(report, current_user, form.note.data, at,
                             version=form.version.data)


def decline(report, form):
    transitions.decline(report, current_user, form.reason.data, version=form.version.data)


# Each button: its form and what it does.
ACTIONS = {
    Action.ASSIGN: (forms.AssignForm, assign),
    Action.SET_PRIORITY: (forms.PriorityForm, set_priority),
    Action.NEEDS_CONSULTATION: (forms.NoteForm, needs_consultation),
    Action.ESCALATE: (forms.EscalateForm, escalate),
    Action.MERGE: (forms.MergeForm, merge),
    Action.REJECT: (forms.ReasonForm, reject),
    Action.INTERNAL_NOTE: (forms.NoteForm, internal_note),
    Action.PUBLIC_REPLY: (forms.ReplyForm, public_reply),
    Action.HIDE_FROM_BOARD: (forms.HideForm, hide_from_board),
    Action.PUBLISH_PHOTOS: (forms.PublishPhotosForm, publish_photos),
    Action.CALLBACK: (forms.CallbackForm, callback),
    Action.REOPEN: (forms.ReasonForm, reopen),
    Action.ACCEPT: (forms.ActionForm, accept),
    Action.ARRIVE: (forms.ActionForm, arrive),
    Action.RESOLVE: (forms.ResolveForm, resolve),
    Action.DECLINE: (forms.ReasonForm, decline),
    Action.SUBMIT_PLAN: (forms.PlanForm, submit_plan),
    Action.RESPOND: (forms.RespondForm, respond),
}

# The report page's actions in the order it lists them, each with the title it is shown
# under; the form of each is templates/staff/actions/_<action>.html.
TITLES = {
    Action.ACCEPT: _l("Accept this job (接单)"),
    Action.ARRIVE: _l("I'm on site"),
    Action.SUBMIT_PLAN: _l("Submit the plan (方案)"),
    Action.RESOLVE: _l("Resolve the job"),
    Action.RESPOND: _l("The department reported back (报到)"),
    Action.ASSIGN: _l("Dispatch (派单)"),
    Action.PUBLIC_REPLY: _l("Reply to the resident"),
    Action.INTERNAL_NOTE: _l("Internal note"),
    Action.SET_PRIORITY: _l("Priority"),
    Action.NEEDS_CONSULTATION: _l("Needs a residents' decision (一事一议)"),
    Action.ESCALATE: _l("Escalate to a department (吹哨)"),
    Action.MERGE: _l("Duplicate of another report"),
    Action.REJECT: _l("Reject"),
    Action.DECLINE: _l("Can't do it: hand back"),
    Action.CALLBACK: _l("Call-back (回访)"),
    Action.REOPEN: _l("Reopen after the call-back (回访)"),
    Action.PUBLISH_PHOTOS: _l("Photos for the public"),
    Action.HIDE_FROM_BOARD: _l("Public board"),
}
