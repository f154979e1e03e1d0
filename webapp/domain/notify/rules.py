"""Who hears what, each with the page to open:
new report → the community's dispatchers (and the resident's text with the link, if asked);
assigned or escalated → the handlers and the organisation's robot; due soon → the assignee;
overdue → the assignee, the dispatchers and the robot; handed back, "not fixed", information
added, reopened after a call-back → the dispatchers and the assignee; progress and
resolution → the resident who asked (the resolution also to neighbours who follow it and
asked for texts, who are texted their own link when they start following);
bookings made or cancelled, slots called off, volunteers leaving → the volunteers and the
residents concerned (the last volunteer leaving a booked slot → the admins, urgently);
a resident joining a waiting list, or given a place off it → that resident; reminders the
day and the hour before, each once, to the volunteers and the residents booked (not at night,
and withdrawn if the booking or shift ends); a redemption decided → its volunteer; a
consultation decided (一事一议) → the staff who opened it and the dispatchers; a care visit
not made by its day → the dispatchers and admins, once."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import select

from webapp.domain.notify import outbox
from webapp.domain.notify.messages import Notice
from webapp.domain.notify.recipients import (
    dispatchers,
    handlers_of,
    local_time,
    staff_of,
    tell_resident,
    tell_robot,
    tell_user,
    tell_users,
)
from webapp.domain.reports.labels import MILESTONE_LABELS, STATUS_LABELS
from webapp.domain.services.prices import price_text
from webapp.extensions import db
from webapp.models import (
    Booking,
    BookingStatus,
    CareVisit,
    ConsultationEvent,
    Redemption,
    RedemptionStatus,
    Report,
    ReportEvent,
    ReportFollower,
    ReportMilestone,
    Role,
    Slot,
    User,
    VolunteerShift,
    WaitlistEntry,
    WaitlistStatus,
)

# Timeline events a resident who subscribed hears of (the rest are staff business).
RESIDENT_PROGRESS = {"accepted", "arrived", "reply", "rejected", "duplicate", "escalated",
                     "needs_consultation", "assigned", "responded", "plan_submitted"}


def report_path(report: Report) -> str:
    return f"/staff/reports/{report.id}"


def report_notice(report: Report, key: str, kind: str, **facts) -> Notice:
    place = " ".join(filter(None, [report.compound.name, report.building.name,
                                   report.entrance.name if report.entrance else None]))
    category = report.category
    return Notice(key=key, kind=kind, community_id=report.community_id,
                  staff_path=report_path(report), report_id=report.id,
                  urgent=report.urgent_or_care(),
                  facts={"number": report.number, "place": place,
                         "category": {"zh": category.name_zh, "en": category.name_en},
                         **facts})


def assignees(report: Report) -> list[User]:
    if report.assigned_user is not None:
        return [report.assigned_user]
    return handlers_of(report.assigned_org)


def tell_report_resident(report: Report, notice: Notice, *, sms: bool,
                         push: bool = True) -> None:
    tell_resident(notice, owner=f"report:{report.id}", language=report.language,
                  phone=report.contact_phone, sms=sms and report.sms_updates,
                  sealed_link=report.sealed_link, push=push)
    # Neighbours who follow it (我也遇到了) and asked for texts hear what the reporter is
    # texted, in their own words: they have a link of their own, and nothing to confirm.
    if sms and notice.kind in FOLLOWER_KINDS:
        for follower in db.session.scalars(select(ReportFollower).where(
                ReportFollower.report_id == report.id, ReportFollower.sms_updates.is_(True))):
            tell_follower(follower, replace(notice, kind=FOLLOWER_KINDS[notice.kind]))


# What a follower is texted instead of the reporter's message.
FOLLOWER_KINDS = {"resolved": "following_resolved"}


def tell_follower(follower: ReportFollower, notice: Notice) -> None:
    tell_resident(notice, owner=f"follower:{follower.id}", language=follower.language,
                  phone=follower.phone, sms=follower.sms_updates,
                  sealed_link=follower.sealed_link, push=False)


def report_followed(follower: ReportFollower) -> None:
    """A neighbour follows a report: their own link by text, if they asked for texts."""
    if follower.sms_updates:
        tell_follower(follower, report_notice(follower.report, f"follower:{follower.id}",
                                              "following"))


def report_event(event: ReportEvent) -> None:
    report = event.report
    key = f"event:{event.id}"
    note = event.note or ""
    if event.kind == "submitted":
        # A report staff filed for a resident: the one who filed it knows already.
        tell_users(report_notice(report, key, "new_report"),
                   [u for u in dispatchers(report.community_id) if u.id != event.actor_id])
        # No device can follow it yet: a browser subscribes from its tracking page, later.
        tell_report_resident(report, report_notice(report, key, "received"), sms=True,
                             push=False)
    elif event.kind in ("assigned", "escalated"):
        notice = report_notice(report, key, event.kind)
        tell_users(notice, assignees(report))
        tell_robot(notice, report.assigned_org)
    elif event.kind == "declined":
        notice = report_notice(report, key, "handed_back", note=note)
        tell_users(notice, dispatchers(report.community_id))
        actor = db.session.get(User, event.actor_id) if event.actor_id else None
        tell_robot(notice, actor.organization if actor else None)
    elif event.kind == "responded":  # back from a department: whoever has it, and the desk
        notice = report_notice(report, key, "responded", note=note)
        tell_users(notice, dispatchers(report.community_id) + assignees(report))
    elif event.kind in ("reopened", "info_added", "reopened_after_callback"):
        kind = "info_added" if event.kind == "info_added" else "not_fixed"
        notice = report_notice(report, key, kind, note=note)
        tell_users(notice, dispatchers(report.community_id) + assignees(report))
    elif event.kind == "resolved":
        tell_report_resident(report, report_notice(report, key, "resolved"), sms=True)
    if event.is_public and event.kind in RESIDENT_PROGRESS:
        label = STATUS_LABELS.get(event.to_status) if event.to_status else None
        notice = report_notice(report, f"{key}:resident", "progress",
                               status=label or STATUS_LABELS[report.status],
                               note=note if event.kind == "reply" else "")
        tell_report_resident(report, notice, sms=False)


def clock_alert(milestone: ReportMilestone, kind: str) -> None:
    """A clock entered its last stretch ("due_soon") or ran out ("overdue")."""
    report = milestone.report
    notice = report_notice(report, f"{kind}:{milestone.id}", kind,
                           milestone=MILESTONE_LABELS.get(milestone.name, milestone.name),
                           when=local_time(milestone.due_at, report.community_id))
    if kind == "overdue":
        notice = Notice(**{**notice.__dict__, "urgent": True})
        tell_users(notice, assignees(report) + dispatchers(report.community_id))
        tell_robot(notice, report.assigned_org)
    else:
        tell_users(notice, assignees(report) or dispatchers(report.community_id))


# --- bookings, shifts, points --------------------------------------------------------------

def slot_notice(slot: Slot, key: str, kind: str, **facts) -> Notice:
    service = slot.service
    return Notice(key=key, kind=kind, community_id=slot.community_id,
                  staff_path="/volunteer/",
                  facts={"service": {"zh": service.name_zh, "en": service.name_en},
                         "when": local_time(slot.starts_at, slot.community_id),
                         "place": slot.location or "", **facts})


def booking_place(booking: Booking) -> str:
    parts = [booking.building.name if booking.building else None,
             booking.entrance.name if booking.entrance else None]
    return " ".join(filter(None, parts)) or (booking.slot.location or "")


def volunteers_of(slot: Slot) -> list[User]:
    return [s.user for s in slot.shifts if s.cancelled_at is None]


def tell_booking_resident(booking: Booking, notice: Notice) -> None:
    tell_resident(notice, owner=f"booking:{booking.id}", language=booking.language,
                  phone=booking.phone, sms=booking.sms_updates, sealed_link=booking.sealed_link)


def price(slot: Slot, is_free: bool | None = None) -> dict:
    service = slot.service
    return {lang: price_text(service.free_for_care_card, service.fee_note(lang),
                             care_card=is_free) for lang in ("zh", "en")}


def booking_made(booking: Booking) -> None:
    slot = booking.slot
    key = f"booking:{booking.id}:made"
    tell_users(slot_notice(slot, key, "booking_made", place=booking_place(booking)),
               volunteers_of(slot))
    promoted = db.session.scalar(select(WaitlistEntry.id).where(
        WaitlistEntry.booking_id == booking.id)) is not None
    tell_booking_resident(booking, slot_notice(
        slot, key, "waitlist_promoted" if promoted else "booking_confirmed",
        price=price(slot, booking.is_free)))


def waitlist_joined(entry: WaitlistEntry) -> None:
    """Their link by text, if they asked; not if a place was theirs at once (booking_made)."""
    if entry.status == WaitlistStatus.WAITING:
        tell_waiting_resident(entry, slot_notice(entry.slot, f"waitlist:{entry.id}:joined",
                                                 "waitlist_joined"))


def tell_waiting_resident(entry: WaitlistEntry, notice: Notice) -> None:
    """By text only: a browser subscribes a booking, which a waiting resident has not yet."""
    tell_resident(notice, owner=f"waitlist:{entry.id}", language=entry.language,
                  phone=entry.phone, sms=entry.sms_updates, sealed_link=entry.sealed_link,
                  push=False)


def booking_cancelled(booking: Booking) -> None:
    slot = booking.slot
    outbox.withdraw(f"booking:{booking.id}:remind:", "the booking was cancelled")
    tell_users(slot_notice(slot, f"booking:{booking.id}:cancelled", "booking_cancelled",
                           place=booking_place(booking)), volunteers_of(slot))


def slot_called_off(slot: Slot) -> None:
    key = f"slot:{slot.id}:called-off"
    reason = next((b.cancel_reason for b in slot.bookings if b.cancel_reason), "")
    notice = slot_notice(slot, key, "slot_called_off", note=reason or "")
    tell_users(notice, [s.user for s in slot.shifts])
    for shift in slot.shifts:
        outbox.withdraw(f"shift:{shift.id}:remind:", "the slot was called off")
    for booking in slot.bookings:
        if booking.status == BookingStatus.CANCELLED and booking.cancelled_at == slot.cancelled_at:
            outbox.withdraw(f"booking:{booking.id}:remind:", "the slot was called off")
            tell_booking_resident(booking, notice)
    for entry in db.session.scalars(select(WaitlistEntry).where(
            WaitlistEntry.slot_id == slot.id, WaitlistEntry.status == WaitlistStatus.CLOSED,
            WaitlistEntry.ended_at == slot.cancelled_at)):
        tell_waiting_resident(entry, notice)


def volunteer_left(shift: VolunteerShift) -> None:
    slot = shift.slot
    key = f"shift:{shift.id}:left"
    outbox.withdraw(f"shift:{shift.id}:remind:", "the volunteer left the shift")
    # Staff read the volunteer's reason; residents only that the volunteer left.
    who = " · ".join(filter(None, [shift.user.display_name, shift.leave_reason]))
    if slot.volunteers_booked == 0 and slot.booked > 0 and not slot.runs_without_volunteer:
        # Residents are booked and nobody will come: staff find someone, or call it off
        # (which tells the residents).
        staff_notice = replace(slot_notice(slot, key, "last_volunteer_left", volunteer=who,
                                           booked=slot.booked), urgent=True)
        tell_users(staff_notice, staff_of(slot.community_id, Role.ADMIN), path="/admin/services")
    else:
        tell_users(slot_notice(slot, key, "volunteer_left", volunteer=who),
                   staff_of(slot.community_id, Role.ADMIN), path="/admin/shifts")
    notice = slot_notice(slot, key, "volunteer_left", volunteer=shift.user.display_name)
    for booking in slot.bookings:
        if booking.status == BookingStatus.BOOKED:
            tell_booking_resident(booking, notice)


def redemption_decided(redemption: Redemption) -> None:
    reward = redemption.reward
    decision = ("✓" if redemption.status == RedemptionStatus.APPROVED else "✗") + " " + \
        (redemption.note or "")
    notice = Notice(key=f"redemption:{redemption.id}:decided", kind="redemption_decided",
                    community_id=redemption.user.organization.community_id,
                    staff_path="/volunteer/passbook",
                    facts={"reward": {"zh": reward.name_zh, "en": reward.name_en},
                           "decision": decision.strip()})
    tell_user(notice, redemption.user)


REMINDERS = (("hour", timedelta(hours=1)), ("day", timedelta(hours=24)))


def shift_reminders(now: datetime) -> None:
    """The day before and the hour before, each live shift's volunteer and each booked
    resident with a way to reach them (push or the texts they asked for); each reminder
    once (its key), and only to those signed up or booked before it was due (a booking made
    an hour before has its confirmation). Quiet hours hold a reminder back, never past the
    start."""
    soon = db.session.scalars(
        select(Slot).where(Slot.cancelled_at.is_(None), Slot.starts_at > now,
                           Slot.starts_at <= now + timedelta(hours=24)))
    for slot in soon:
        which, before = next(r for r in REMINDERS if slot.starts_at - now <= r[1])
        due = slot.starts_at - before
        for shift in slot.shifts:
            if shift.cancelled_at is None and shift.created_at <= due:
                tell_user(slot_notice(slot, f"shift:{shift.id}:remind:{which}",
                                      "shift_reminder"), shift.user, not_after=slot.starts_at,
                          now=now)
        for booking in slot.bookings:
            if booking.status == BookingStatus.BOOKED and booking.created_at <= due:
                tell_resident_reminder(booking, slot_notice(
                    slot, f"booking:{booking.id}:remind:{which}", "shift_reminder",
                    place=booking_place(booking)), now)


def tell_resident_reminder(booking: Booking, notice: Notice, now: datetime) -> None:
    tell_resident(notice, owner=f"booking:{booking.id}", language=booking.language,
                  phone=booking.phone, sms=booking.sms_updates, sealed_link=booking.sealed_link,
                  quiet=True, not_after=booking.slot.starts_at, now=now)


# --- consultations (一事一议) ----------------------------------------------------------------

def consultation_decided(event: ConsultationEvent) -> None:
    consultation = event.consultation
    approved = consultation.outcome == "approved"
    notice = Notice(key=f"consultation:{consultation.id}:decided", kind="consultation_decided",
                    community_id=consultation.community_id,
                    staff_path=f"/staff/consultations/{consultation.id}",
                    report_id=consultation.report_id,
                    facts={"title": consultation.title,
                           "outcome": {"zh": "通过" if approved else "未通过",
                                       "en": "approved" if approved else "declined"}})
    tell_users(notice, [consultation.opened_by, *dispatchers(consultation.community_id)])



def care_visit_missed(visit: CareVisit) -> None:
    """A care visit (敲门行动) not made by the end of its day: staff call or go themselves."""
    card = visit.care_card
    place = " ".join(filter(None, [card.building.compound.name if card.building else None,
                                   card.building.name if card.building else None,
                                   card.entrance.name if card.entrance else None]))
    notice = Notice(key=f"care-visit:{visit.id}:missed", kind="care_visit_missed",
                    community_id=visit.community_id,
                    staff_path=f"/admin/care-cards/{card.id}",
                    facts={"name": card.name, "day": visit.due_on.isoformat(), "place": place,
                           "volunteer": visit.volunteer.display_name if visit.volunteer
                           else "—"})
    tell_users(notice, staff_of(visit.community_id, Role.DISPATCHER, Role.ADMIN))
