"""Every staff transition: who may make it, from which state, what it records, how it moves
the SLA clocks. Times are passed in, so the clock is under the test's control."""

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from tests.conftest import app_secret, at_the_same_moment
from webapp.domain import unit_of_work
from webapp.domain.people.permissions import Action, can
from webapp.domain.reports import dispatch, intake, sla, timeline, transitions
from webapp.extensions import db
from webapp.models import Category, Organization, Report, ReportStatus, SlaTarget

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
S = ReportStatus


def minutes(n):
    return T0 + timedelta(minutes=n)


@pytest.fixture
def report(entrance_code, users, tmp_path):
    draft = intake.ReportDraft(submission_key="dispatch-test-0000001",
                                 category_id=_category("water").id,
                                 description="楼道灯不亮", contact_phone="13800000000")
    with unit_of_work():
        report, _ = intake.submit_report(entrance_code, draft, [], tmp_path, now=T0,
                                           secret=app_secret())
    return report


def _category(code):
    return db.session.scalars(select(Category).where(Category.code == code)).one()


def _org(name):
    return db.session.scalars(select(Organization).where(Organization.name == name)).one()


def clock(report, name, cycle=None):
    cycle = cycle or sla.current_cycle(report)
    return next(m for m in report.milestones if m.name == name and m.cycle == cycle)


def resolve_in_ten_minutes(report, users):
    handler = users["mateng"]
    dispatch.assign(report, users["dispatcher"], report.compound.partner_org, now=minutes(1))
    transitions.accept(report, handler, now=minutes(2))
    transitions.arrive(report, handler, now=minutes(3))
    transitions.resolve(report, handler, "修好了", now=minutes(10))


def test_submission_starts_the_accept_clock(report):
    accept = clock(report, "accept")
    assert accept.due_at == minutes(30)
    assert report.next_due_at == minutes(30)


def test_the_full_routine_loop_meets_52022(report, users):
    dispatcher, handler = users["dispatcher"], users["mateng"]
    partner = report.compound.partner_org
    assert partner.name == "省直机关后勤保障中心"

    dispatch.assign(report, dispatcher, partner, now=minutes(3))
    assert (report.status, report.assigned_org_id) == (S.ASSIGNED, partner.id)
    transitions.accept(report, handler, now=minutes(10))
    assert report.assigned_user_id == handler.id
    assert clock(report, "accept").met_at == minutes(10)
    assert clock(report, "arrive").due_at == minutes(15)  # 5 minutes after accepting
    transitions.arrive(report, handler, now=minutes(14))
    assert clock(report, "resolve").due_at == minutes(34)  # 20 minutes after arriving
    transitions.resolve(report, handler, "换了灯泡", now=minutes(30))
    assert report.status == S.RESOLVED and report.next_due_at is None
    assert sla.was_on_time(report)
    transitions.confirm_fixed(report, 5, None, now=minutes(60))
    assert report.status == S.CLOSED

    kinds = [(e.kind, e.from_status, e.to_status, e.actor_id) for e in report.events]
    assert kinds == [
        ("submitted", None, S.SUBMITTED, None),
        ("assigned", S.SUBMITTED, S.ASSIGNED, dispatcher.id),
        ("accepted", S.ASSIGNED, S.ACCEPTED, handler.id),
        ("arrived", S.ACCEPTED, S.ON_SITE, handler.id),
        ("resolved", S.ON_SITE, S.RESOLVED, handler.id),
        ("rated", S.RESOLVED, S.CLOSED, None),
    ]


def test_a_late_arrival_is_a_breach_shown_before_and_after_the_sweep(report, users):
    dispatch.assign(report, users["dispatcher"], report.compound.partner_org, now=minutes(1))
    transitions.accept(report, users["mateng"], now=minutes(2))
    arrive = clock(report, "arrive")
    assert sla.state(arrive, minutes(3)) == sla.ON_TRACK
    assert sla.state(arrive, minutes(6)) == sla.DUE_SOON
    assert sla.state(arrive, minutes(8)) == sla.OVERDUE  # right before any sweep
    assert sla.report_state(report, minutes(8)) == sla.OVERDUE
    assert arrive.breached_at is None

    assert sla.sweep(minutes(8)) == 1
    assert sla.sweep(minutes(9)) == 0  # idempotent
    db.session.refresh(arrive)
    assert arrive.breached_at == minutes(7)
    transitions.arrive(report, users["mateng"], now=minutes(12))
    assert sla.state(arrive, minutes(12)) == sla.MET_LATE
    assert not sla.was_on_time(report)


def test_major_jobs_get_a_plan_clock_of_two_days(entrance_code, users, tmp_path):
    draft = intake.ReportDraft(submission_key="dispatch-major-000001",
                                 category_id=_category("elevator").id, description="电梯坏了")
    report, _ = intake.submit_report(entrance_code, draft, [], tmp_path, now=T0,
                                       secret=app_secret())
    dispatch.assign(report, users["dispatcher"], report.compound.partner_org, now=minutes(1))
    transitions.accept(report, users["mateng"], now=minutes(5))
    assert clock(report, "plan").due_at == minutes(5 + 2 * 24 * 60)
    assert not [m for m in report.milestones if m.name == "arrive"]
    dispatch.mark_needs_consultation(report, users["dispatcher"], "需要业主分摊费用",
                                     now=minutes(60))
    assert report.status == S.NEEDS_CONSULTATION
    assert clock(report, "plan").met_at == minutes(60)


def test_category_targets_override_the_defaults(report, users):
    water = report.category
    db.session.add(SlaTarget(category=water, milestone="arrive", minutes=60))
    db.session.commit()
    dispatch.assign(report, users["dispatcher"], report.compound.partner_org, now=minutes(1))
    transitions.accept(report, users["mateng"], now=minutes(2))
    assert clock(report, "arrive").due_at == minutes(62)


def test_reopening_restarts_the_clocks(report, users):
    handler = users["mateng"]
    resolve_in_ten_minutes(report, users)
    transitions.report_not_fixed(report, "还是不亮", now=minutes(100))
    assert report.status == S.REOPENED
    assert sla.current_cycle(report) == 2
    assert clock(report, "accept", cycle=2).due_at == minutes(130)
    transitions.accept(report, handler, now=minutes(105))
    assert report.status == S.ACCEPTED


def test_a_handler_of_another_company_cannot_touch_the_job(report, users):
    dispatch.assign(report, users["dispatcher"], report.compound.partner_org, now=minutes(1))
    outsider = users["yianju"]
    assert not can(outsider, Action.VIEW_REPORT, report)
    with pytest.raises(transitions.TransitionRefused):
        transitions.accept(report, outsider, now=minutes(2))
    assert report.status == S.ASSIGNED
    assert len(report.events) == 2


def test_handlers_cannot_dispatch_and_dispatchers_cannot_accept(report, users):
    with pytest.raises(transitions.TransitionRefused):
        dispatch.assign(report, users["mateng"], report.compound.partner_org)
    dispatch.assign(report, users["dispatcher"], report.compound.partner_org)
    with pytest.raises(transitions.TransitionRefused):
        transitions.accept(report, users["dispatcher"])


def test_resolving_an_unassigned_report_is_refused(report, users):
    with pytest.raises(transitions.TransitionRefused):
        transitions.resolve(report, users["admin"], "done")
    assert report.status == S.SUBMITTED


def test_routine_jobs_need_arrival_before_resolving(report, users):
    dispatch.assign(report, users["dispatcher"], report.compound.partner_org)
    transitions.accept(report, users["mateng"])
    with pytest.raises(transitions.TransitionRefused):
        transitions.resolve(report, users["mateng"], "done")


def test_decline_returns_the_job_to_the_dispatcher(report, users):
    dispatch.assign(report, users["dispatcher"], report.compound.partner_org, now=minutes(1))
    transitions.accept(report, users["mateng"], now=minutes(2))
    transitions.decline(report, users["mateng"], "需要专业设备", now=minutes(4))
    assert report.status == S.SUBMITTED and report.assigned_org_id is None
    assert report.events[-1].is_public is False
    assert clock(report, "accept").due_at == minutes(34)


def test_escalate_to_a_department(report, users):
    police = _org("坞城派出所")
    with pytest.raises(transitions.TransitionRefused):
        dispatch.escalate(report, users["dispatcher"], report.compound.partner_org, "x")
    with pytest.raises(transitions.MissingInput):
        dispatch.escalate(report, users["dispatcher"], police, "  ")
    dispatch.escalate(report, users["dispatcher"], police, "占用消防通道", now=minutes(5))
    assert (report.status, report.assigned_org_id) == (S.ESCALATED, police.id)
    public = [e for e in report.events if e.kind == "escalated"][0]
    assert public.is_public and public.note == "坞城派出所"
    assert any(e.note == "占用消防通道" and not e.is_public for e in report.events)


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


def test_a_stale_form_is_refused_with_what_changed(report, users):
    seen = report.version
    dispatch.set_priority(report, users["dispatcher"], 1, version=seen)
    with pytest.raises(transitions.ReportChanged):
        dispatch.set_priority(report, users["admin"], 2, version=seen)
    assert report.priority == 1


def test_dispatchers_acting_at_the_same_moment_change_the_report_once(app, report, users):
    """Real concurrent connections (and row locks on PostgreSQL): one action wins, the
    others are told the report changed, and the timeline records only the winner."""
    report_id, seen, events_before = report.id, report.version, len(report.events)
    actors = [users[name].id for name in ("dispatcher", "admin", "dispatcher", "admin")]
    org_id = report.compound.partner_org_id

    def act(i):
        fresh = db.session.get(type(report), report_id)
        actor = db.session.get(type(users["admin"]), actors[i])
        if i % 2:
            dispatch.reject(fresh, actor, f"重复 {i}", version=seen)
        else:
            dispatch.assign(fresh, actor, db.session.get(Organization, org_id), version=seen)

    outcomes = at_the_same_moment(app, 4, act, (transitions.ReportChanged,))
    assert sorted(outcomes) == ["ok", "refused", "refused", "refused"], outcomes
    db.session.expire_all()
    changed = db.session.get(type(report), report_id)
    assert changed.version > seen
    assert len(changed.events) == events_before + 1
    assert changed.status in (S.ASSIGNED, S.REJECTED)


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


def test_allowed_actions_follow_role_and_state(report, users):
    assert Action.ASSIGN in transitions.allowed_actions(report, users["dispatcher"])
    assert Action.ACCEPT not in transitions.allowed_actions(report, users["mateng"])
    dispatch.assign(report, users["dispatcher"], report.compound.partner_org)
    assert transitions.allowed_actions(report, users["mateng"]) >= {Action.ACCEPT, Action.DECLINE}
    assert transitions.allowed_actions(report, users["yianju"]) == set()


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


def test_a_merged_report_shows_what_carries_its_work(report, users, entrance_code, tmp_path):
    """The end of the chain, and of the target only what its staff wrote in public."""
    dispatcher = users["dispatcher"]
    later = intake.submit_report(entrance_code, intake.ReportDraft(
        submission_key="merge-carried-000001", category_id=report.category_id,
        description="同一个灯"), [], tmp_path, now=T0, secret=app_secret())[0]
    transitions.add_information(report, "我家电话 13800000000", [], tmp_path)
    dispatch.public_reply(report, dispatcher, "已安排师傅明早更换")
    dispatch.add_internal_note(report, dispatcher, "住户白天不在家")
    dispatch.merge_duplicate(later, dispatcher, report)
    assert timeline.carried_by(later) == report and timeline.carried_by(report) is None
    lines = timeline.shared_progress(report)
    assert [line.kind for line in lines] == ["submitted", "info_added", "reply"]
    assert [line.note for line in lines] == [None, None, "已安排师傅明早更换"]
