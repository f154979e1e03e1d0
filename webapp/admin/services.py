"""Admin pages for the service catalogue and its slots."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from webapp import refusals
from webapp.access import in_my_community, in_my_community_or_404, requires
from webapp.admin import bp, confirm
from webapp.admin.forms import (
    ReasonForm,
    ServiceCategoryForm,
    ServiceForm,
    SlotEditForm,
    SlotForm,
)
from webapp.domain import unit_of_work
from webapp.domain.people.permissions import Action
from webapp.domain.services import booking, catalogue, slot_changes, waitlist
from webapp.i18n import current_language
from webapp.models import ServiceCategory, ServiceType, Slot
from webapp.models.types import utcnow


def community_id() -> int:
    return current_user.organization.community_id


def render_services(problem=None, status=200, draft_for=None):
    """`draft_for` names the form ("service-<id>", "slot-<id>") whose typed values come back
    after a refusal; the forms to add take them back without it."""
    return render_template("admin/services.html",
                           categories=catalogue.categories_of(community_id()),
                           slots=catalogue.upcoming_slots(community_id(), utcnow()),
                           waiting=waitlist.waiting_counts(community_id()),
                           community=current_user.organization.community,
                           problem=problem, draft=request.form if draft_for is None else {},
                           draft_for=draft_for, edited=request.form), status


def service_refused(problem, status):
    return render_services(problem, status, f"service-{request.view_args['service_id']}")


def slot_refused(problem, status):
    return render_services(problem, status, f"slot-{request.view_args['slot_id']}")


@bp.get("/services")
@requires(Action.MANAGE_SERVICES)
def services():
    return render_services()


@bp.post("/services")
@requires(Action.MANAGE_SERVICES)
@refusals.answered_by(render_services)
def add_service():
    form = ServiceForm()
    catalogue.add_service(in_my_community(ServiceCategory, form.category.data), community_id(),
                          form.draft())
    flash(_("Service added."), "success")
    return redirect(url_for("admin.services"), code=303)


@bp.post("/services/<int:service_id>")
@requires(Action.MANAGE_SERVICES)
@refusals.answered_by(service_refused)
def edit_service(service_id):
    form = ServiceForm()
    catalogue.edit_service(in_my_community_or_404(ServiceType, service_id),
                           in_my_community(ServiceCategory, form.category.data), community_id(),
                           form.draft())
    flash(_("Service saved."), "success")
    return redirect(url_for("admin.services", _anchor=f"service-{service_id}"), code=303)


@bp.post("/services/<int:service_id>/retire")
@requires(Action.MANAGE_SERVICES)
def retire_service(service_id):
    service = in_my_community_or_404(ServiceType, service_id)
    with unit_of_work():
        withdrawn, kept = catalogue.retire_service(service, utcnow())
    flash(_("Service retired: residents can no longer book it. %(withdrawn)d unbooked times "
            "were withdrawn; %(kept)d booked times stay until they are done or called off.",
            withdrawn=withdrawn, kept=kept), "success")
    return redirect(url_for("admin.services", _anchor=f"service-{service_id}"), code=303)


@bp.post("/services/<int:service_id>/bring-back")
@requires(Action.MANAGE_SERVICES)
def bring_back_service(service_id):
    service = in_my_community_or_404(ServiceType, service_id)
    with unit_of_work():
        catalogue.bring_back_service(service)
    flash(_("Service offered again: publish times for it."), "success")
    return redirect(url_for("admin.services", _anchor=f"service-{service_id}"), code=303)


@bp.post("/slots/<int:slot_id>")
@requires(Action.MANAGE_SERVICES)
@refusals.answered_by(slot_refused)
def change_slot(slot_id):
    slot, community = in_my_community_or_404(Slot, slot_id), current_user.organization.community
    slot_changes.change_slot(slot, SlotEditForm().change(community.timezone))
    flash(_("Slot saved."), "success")
    return redirect(url_for("admin.services", _anchor=f"slot-{slot_id}"), code=303)


@bp.post("/service-categories")
@requires(Action.MANAGE_SERVICES)
@refusals.answered_by(render_services)
def add_service_category():
    form = ServiceCategoryForm()
    catalogue.add_category(community_id(), form.name_zh.data, form.name_en.data)
    flash(_("Category added."), "success")
    return redirect(url_for("admin.services"), code=303)


@bp.post("/slots")
@requires(Action.MANAGE_SERVICES)
@refusals.answered_by(render_services)
def publish_slots():
    form, community = SlotForm(), current_user.organization.community
    slots = catalogue.publish_slots(in_my_community(ServiceType, form.service.data), community,
                                    form.draft(community.timezone), current_user)
    flash(_("%(n)d slots published.", n=len(slots)), "success")
    return redirect(url_for("admin.services"), code=303)


@bp.post("/slots/<int:slot_id>/cancel")
@requires(Action.MANAGE_SERVICES)
@refusals.answered_by(render_services)
def cancel_slot(slot_id):
    slot = in_my_community_or_404(Slot, slot_id)
    reason = booking.check_cancel_slot(slot, ReasonForm().reason.data)
    if not confirm.confirmed():
        return confirm.ask(
            _("Call off this slot?"),
            [(_("Service"), slot.service.name(current_language())),
             (_("When"), format_datetime(slot.starts_at, "EEE yyyy-MM-dd HH:mm")),
             (_("Booked"), _("%(n)d residents, %(v)d volunteers", n=slot.booked,
                             v=slot.volunteers_booked)),
             (_("Reason"), reason)],
            _("Every booking and volunteer shift of this slot is cancelled at once, with "
              "your reason on their pages. This cannot be undone."),
            _("Yes, call it off"), url_for("admin.services"))
    count = booking.cancel_slot(slot, reason)
    flash(_("Slot cancelled; %(n)d bookings were cancelled with your reason.", n=count),
          "success")
    return redirect(url_for("admin.services"), code=303)
