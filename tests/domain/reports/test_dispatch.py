"""The dispatcher's steps: escalating, merging, rejecting, notes and replies, the callback;
who may take them and from which state. Times are passed in."""

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from tests.conftest import app_secret
from tests.domain.reports.conftest import (
    T0,
    clock,
    minutes,
    org_named,
    resolve_in_ten_minutes,
)
from webapp.domain import unit_of_work
from webapp.domain.people import accounts
from webapp.domain.people.permissions import Action
from webapp.domain.reports import dispatch, intake, queue, sla, transitions
from webapp.domain.reports.transitions import MissingInput, TransitionRefused
from webapp.extensions import db
from webapp.models import Milestone, Report, ReportStatus, Role

S = ReportStatus


def test_escalate_to_a_department(report, users):
    police = org_named("坞城派出所")
    with pytest.raises(transitions.TransitionRefused):
        dispatch.escalate(report, users["dispatcher"], report.compound.partner_org, "x")
    with pytest.raises(transitions.MissingInput):
        dispatch.escalate(report, users["dispatcher"], police, "  ")
    dispatch.escalate(report, users["dispatcher"], police, "占用消防通道", now=minutes(5))
    assert (report.status, report.assigned_org_id) == (S.ESCALATED, police.id)
    public = [e for e in report.events if e.kind == "escalated"][0]
    assert public.is_public and public.note == "坞城派出所"
    assert any(e.note == "占用消防通道" and not e.is_public for e in report.events)


def test_a_retired_department_is_not_escalated_to(report, users):
    police = org_named("坞城派出所")
    police.active = False
    with pytest.raises(transitions.TransitionRefused):
        dispatch.escalate(report, users["dispatcher"], police, "占用消防通道", now=minutes(5))
    assert report.status == S.SUBMITTED


def test_merge_reject_note_reply_and_board_visibility(report, entrance_code, users, tmp_path):
    dispatcher = users["dispatcher"]
    other, _ = intake.submit_report(entrance_code, intake.ReportDraft(
        submission_key="dispatch-other-000001", category_id=report.category_id,
        description="同一个灯"), [], tmp_path, now=T0, secret=app_secret())
    with pytest.raises(transitions.TransitionRefused):
        dispatch.merge_duplicate(other, dispatcher, other)
    dispatch.merge_duplicate(other, dispatcher, report)
    assert other.status == S.DUPLICATE and other.duplicate_of_id == report.id
    assert other.next_due_at is None

    dispatch.add_internal_note(report, dispatcher, "住户白天不在家")
    dispatch.public_reply(report, dispatcher, "已安排师傅")
    assert [(e.kind, e.is_public) for e in report.events[-2:]] == [("note", False),
                                                                   ("reply", True)]
    dispatch.set_hidden_from_board(report, dispatcher, True)
    assert report.hidden_from_board
    dispatch.reject(report, dispatcher, "不属于物业范围")
    assert report.status == S.REJECTED and report.next_due_at is None
    with pytest.raises(transitions.TransitionRefused):
        dispatch.assign(report, dispatcher, report.compound.partner_org)


def test_assigning_to_someone_outside_the_organisation_is_refused(report, users):
    with pytest.raises(transitions.TransitionRefused):
        dispatch.assign(report, users["dispatcher"], report.compound.partner_org,
                        users["yianju"])


def test_callback_records_the_rating_of_an_unrated_closed_report(report, users):
    resolve_in_ten_minutes(report, users)
    with pytest.raises(transitions.TransitionRefused):
        dispatch.record_callback(report, users["dispatcher"], "满意", 5)
    assert transitions.auto_close_unrated(minutes(10) + timedelta(days=6), 7) == 0
    assert transitions.auto_close_unrated(minutes(10) + timedelta(days=7), 7) == 1
    assert transitions.auto_close_unrated(minutes(10) + timedelta(days=8), 7) == 0
    assert report.status == S.CLOSED and report.events[-1].kind == "auto_closed"
    dispatch.record_callback(report, users["dispatcher"], "电话回访，居民满意", 4)
    assert report.rating == 4 and report.callback_at is not None
    with pytest.raises(transitions.TransitionRefused):
        dispatch.record_callback(report, users["dispatcher"], "again", 5)


def test_merge_stays_in_the_community_and_goes_only_into_an_open_report(report, users,
                                                                         entrance_code, tmp_path):
    """新桥北村社区's report, or a closed, rejected or merged one, never takes the work over;
    each refusal says why and changes nothing."""
    dispatcher = users["dispatcher"]

    def filed(n):
        return intake.submit_report(entrance_code, intake.ReportDraft(
            submission_key=f"merge-bounds-{n:08d}", category_id=report.category_id,
            description="同一个灯"), [], tmp_path, now=T0, secret=app_secret())[0]

    elsewhere = db.session.scalars(select(Report).where(
        Report.community_id != report.community_id)).first()
    assert intake.find_by_number(elsewhere.number, report.community_id) is None
    closed = db.session.scalars(select(Report).where(
        Report.community_id == report.community_id, Report.status == S.CLOSED)).first()
    with unit_of_work():
        rejected, merged = filed(1), filed(2)
        dispatch.reject(rejected, dispatcher, "不属于物业范围")
        dispatch.merge_duplicate(merged, dispatcher, report)
    for target, reason in ((elsewhere, "No report of this community"),
                           (report, "merged into itself"),
                           (closed, "“Closed”"), (rejected, "“Not accepted”"),
                           (merged, "“Already reported”")):
        with force_locale("en"), pytest.raises(transitions.TransitionRefused, match=reason):
            dispatch.merge_duplicate(report, dispatcher, target)
        db.session.rollback()
    assert report.status == S.SUBMITTED and report.duplicate_of_id is None
    assert len(report.events) == 1


# --- 回访 found it is not fixed: staff reopen a closed report ----------------------------

LATER = minutes(10 * 24 * 60)


@pytest.fixture
def closed(report, users):
    """Resolved, closed unrated after a week, called back: the resident says it is broken."""
    resolve_in_ten_minutes(report, users)
    transitions.auto_close_unrated(minutes(8 * 24 * 60), after_days=7)
    dispatch.record_callback(report, users["dispatcher"], "回访：灯又坏了", 1,
                             now=minutes(9 * 24 * 60))
    db.session.commit()
    return report


def test_a_dispatcher_reopens_a_closed_report_and_the_clocks_restart(closed, users):
    cycle = sla.current_cycle(closed)
    dispatch.reopen_after_callback(closed, users["dispatcher"], " 回访时居民说灯又不亮了 ",
                                   version=closed.version, now=LATER)
    db.session.commit()
    assert closed.status == ReportStatus.REOPENED
    assert closed.closed_at is closed.resolved_at is closed.callback_at is None
    assert closed.rating is None and closed.rating_comment is None
    event = closed.events[-1]
    assert (event.kind, event.from_status, event.to_status, event.note, event.is_public) == (
        "reopened_after_callback", "closed", "reopened", "回访时居民说灯又不亮了", True)
    accept = clock(closed, Milestone.ACCEPT)
    assert sla.current_cycle(closed) == cycle + 1 and accept.started_at == LATER
    assert closed.next_due_at == accept.due_at
    # the handler takes it up again as after "not fixed"
    assert Action.ACCEPT in transitions.allowed_actions(closed, users["mateng"])


def test_admins_may_reopen_handlers_may_not(closed, users):
    assert Action.REOPEN in transitions.allowed_actions(closed, users["admin"])
    assert Action.REOPEN not in transitions.allowed_actions(closed, users["mateng"])
    with pytest.raises(TransitionRefused):
        dispatch.reopen_after_callback(closed, users["mateng"], "没修好", now=LATER)
    dispatch.reopen_after_callback(closed, users["admin"], "没修好", now=LATER)
    assert closed.status == ReportStatus.REOPENED


def test_a_reason_is_required(closed, users):
    with pytest.raises(MissingInput):
        dispatch.reopen_after_callback(closed, users["dispatcher"], "  ", now=LATER)
    assert closed.status == ReportStatus.CLOSED


@pytest.mark.parametrize("status", [s for s in ReportStatus if s != ReportStatus.CLOSED])
def test_only_a_closed_report_is_reopened_by_staff(report, users, status):
    report.status = status
    db.session.commit()
    assert Action.REOPEN not in transitions.allowed_actions(report, users["dispatcher"])
    with pytest.raises(TransitionRefused):
        dispatch.reopen_after_callback(report, users["dispatcher"], "没修好", now=LATER)


def test_a_stale_page_cannot_reopen(closed, users):
    with pytest.raises(transitions.ReportChanged):
        dispatch.reopen_after_callback(closed, users["dispatcher"], "没修好",
                                       version=closed.version - 1, now=LATER)


def test_a_disabled_persons_open_jobs_stay_with_their_organisation(report, users):
    mateng, dispatcher = users["mateng"], users["dispatcher"]
    org = mateng.organization
    with unit_of_work():
        colleague = accounts.create_user("colleague", "同事", "long-enough-1", Role.HANDLER, org)
        dispatch.assign(report, dispatcher, org, mateng, now=minutes(1))
        transitions.accept(report, mateng, now=minutes(2))
    assert report not in queue.handler_jobs(colleague)  # named: mateng's
    assert dispatch.open_jobs_of(mateng) == [report]
    with unit_of_work():
        accounts.update_user(mateng, accounts.AccountChanges(active=False), users["admin"])
        assert dispatch.release_jobs(mateng, users["admin"], now=minutes(3)) == 1
    db.session.expire_all()
    assert (report.assigned_org, report.assigned_user, report.status) == (org, None,
                                                                          "accepted")
    note = report.events[-1]
    assert (note.kind, note.is_public) == ("note", False) and "同事" not in note.note
    assert mateng.display_name in note.note and org.name in note.note
    assert report in queue.handler_jobs(colleague)
    assert dispatch.open_jobs_of(mateng) == []
