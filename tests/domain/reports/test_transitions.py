"""The resident's and the handler's steps and the rules every transition shares: who may
make them, from which state, what they record, and one change at a time. Times are passed in,
so the clock is under the test's control."""

import enum
import inspect

import pytest

from tests.conftest import app_secret, at_the_same_moment, jpeg_bytes
from tests.domain.reports.conftest import T0, clock, draft, minutes
from webapp.domain import unit_of_work
from webapp.domain.people.permissions import Action, can
from webapp.domain.reports import dispatch, intake, sla, transitions
from webapp.domain.shared import photos
from webapp.extensions import db
from webapp.models import (
    FINISHED_STATUSES,
    Category,
    Organization,
    Report,
    ReportStatus,
    Role,
    User,
)

S = ReportStatus


def resolved_report(entrance_code, tmp_path):
    report, _ = intake.submit_report(entrance_code, draft(), [], tmp_path, secret=app_secret())
    # Staff resolve reports in the dispatch workflow; here we put it there directly.
    report.status = ReportStatus.RESOLVED
    db.session.commit()
    return report


def test_resident_confirms_and_rates(entrance_code, tmp_path):
    report = resolved_report(entrance_code, tmp_path)
    transitions.confirm_fixed(report, 4, "师傅很快")
    assert report.status == ReportStatus.CLOSED
    assert (report.rating, report.rating_comment) == (4, "师傅很快")
    assert report.closed_at is not None
    last = report.events[-1]
    assert (last.kind, last.from_status, last.to_status) == (
        "rated", ReportStatus.RESOLVED, ReportStatus.CLOSED)


def test_rating_needs_a_resolved_report_and_a_sane_score(entrance_code, tmp_path):
    report, _ = intake.submit_report(entrance_code, draft(), [], tmp_path, secret=app_secret())
    with pytest.raises(transitions.TransitionRefused):
        transitions.confirm_fixed(report, 5, None)
    report.status = ReportStatus.RESOLVED
    for bad in (0, 6, -1):
        with pytest.raises(transitions.TransitionRefused):
            transitions.confirm_fixed(report, bad, None)
    assert report.rating is None


def test_not_fixed_reopens_with_the_reason(entrance_code, tmp_path):
    report = resolved_report(entrance_code, tmp_path)
    transitions.report_not_fixed(report, "  还在漏水  ")
    assert report.status == ReportStatus.REOPENED
    assert report.events[-1].note == "还在漏水"
    with pytest.raises(transitions.TransitionRefused):
        transitions.report_not_fixed(report, "again")


def test_information_can_be_added_until_closed(entrance_code, tmp_path):
    report = resolved_report(entrance_code, tmp_path)
    photo = photos.process_photo(jpeg_bytes())
    event = transitions.add_information(report, "补充一张照片", [photo], tmp_path)
    assert event.photos[0].report_id == report.id
    transitions.confirm_fixed(report, 5, None)
    with pytest.raises(transitions.TransitionRefused):
        transitions.add_information(report, "more", [], tmp_path)


def test_two_additions_at_the_same_moment_refuse_one_and_keep_no_stray_file(
        app, entrance_code, tmp_path):
    """Two tabs add information at once, both having read the same version of the report:
    one is saved, the other is told the report changed (not a 500), and the loser's photo
    file is removed with its rolled-back row."""
    with unit_of_work():
        report, _ = intake.submit_report(entrance_code, draft(), [], tmp_path,
                                           secret=app_secret())
    report_id, events_before = report.id, len(report.events)
    folder = tmp_path / "race-photos"

    def load(i):
        fresh = db.session.get(Report, report_id)
        return fresh, photos.process_photo(jpeg_bytes(color=(i * 90, 60, 40)))

    def add(i, loaded):
        fresh, photo = loaded
        transitions.add_information(fresh, f"补充 {i}", [photo], folder)

    outcomes = at_the_same_moment(app, 2, add, (transitions.ReportChanged,), prepare=load)
    assert sorted(outcomes) == ["ok", "refused"], outcomes
    db.session.expire_all()
    changed = db.session.get(Report, report_id)
    assert len(changed.events) == events_before + 1
    stored = {p.stored_name for p in changed.photos}
    assert len(stored) == 1 and {f.name for f in folder.iterdir()} == stored


def test_every_transition_is_guarded_against_concurrent_changes():
    """A transition without the guard turns a concurrent change into a 500. Every public
    function of the transition modules that takes a report and saves it must carry the
    guard, and the guard must sit on functions, not on the ResidentStep enum."""
    guard_code = transitions.one_change_at_a_time(lambda: None).__code__
    helpers = {"check_resident_step", "allowed_actions", "check_allowed", "hand_to", "save_change"}
    modules = (transitions, dispatch)
    found = {
        name: function for module in modules for name, function in vars(module).items()
        if inspect.isfunction(function) and not name.startswith("_")
        and function.__module__ == module.__name__ and name not in helpers
        and next(iter(inspect.signature(function).parameters), None) == "report"}
    saving = {name for module in modules for name, function in vars(module).items()
              if inspect.isfunction(function) and function.__module__ == module.__name__
              and "save_change(" in inspect.getsource(inspect.unwrap(function))
              and name != "save_change"}
    assert saving <= set(found)
    assert {"add_information", "confirm_fixed", "assign", "resolve"} <= set(found)
    unguarded = sorted(name for name, function in found.items()
                       if function.__code__ is not guard_code)
    assert unguarded == []
    assert isinstance(transitions.ResidentStep, type) and \
        issubclass(transitions.ResidentStep, enum.Enum)
    assert transitions.ResidentStep("add_information") is transitions.ResidentStep.ADD_INFORMATION


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


def test_allowed_actions_follow_role_and_state(report, users):
    assert Action.ASSIGN in transitions.allowed_actions(report, users["dispatcher"])
    assert Action.ACCEPT not in transitions.allowed_actions(report, users["mateng"])
    dispatch.assign(report, users["dispatcher"], report.compound.partner_org)
    assert transitions.allowed_actions(report, users["mateng"]) >= {Action.ACCEPT, Action.DECLINE}
    assert transitions.allowed_actions(report, users["yianju"]) == set()


# --- the table of actions × states: pure, no database --------------------------------------

def _admin():
    return User(id=1, username="a", role=Role.ADMIN, organization_id=1, active=True)


@pytest.mark.parametrize("status", list(ReportStatus))
@pytest.mark.parametrize("action", sorted(a for a, s in transitions.ALLOWED_FROM.items() if s))
def test_each_action_is_refused_outside_its_states(action, status):
    report = Report(status=status, version=1)
    allowed = status in transitions.ALLOWED_FROM[action]
    if allowed:
        assert transitions.check_allowed(report, _admin(), action, None, T0) == T0
    else:
        with pytest.raises(transitions.TransitionRefused):
            transitions.check_allowed(report, _admin(), action, None, T0)


def test_the_states_each_action_starts_from():
    allowed = transitions.ALLOWED_FROM
    assert allowed[Action.ACCEPT] == {S.ASSIGNED, S.REOPENED, S.ESCALATED}
    assert allowed[Action.ARRIVE] == {S.ACCEPTED}
    assert allowed[Action.CALLBACK] == {S.CLOSED}
    assert allowed[Action.REOPEN] == {S.CLOSED}
    assert S.NEEDS_CONSULTATION not in allowed[Action.NEEDS_CONSULTATION]
    for action, states in allowed.items():
        assert states is None or states <= set(ReportStatus), action
        # a finished report takes nothing but a callback, or reopening after a failed one;
        # a resolved one waits for the resident
        if action not in (Action.CALLBACK, Action.REOPEN):
            assert not states & (set(FINISHED_STATUSES) | {S.RESOLVED}), action


def test_a_stale_version_is_refused_before_the_state_is_looked_at():
    report = Report(status=S.CLOSED, version=3)
    with pytest.raises(transitions.ReportChanged):
        transitions.check_allowed(report, _admin(), Action.ASSIGN, 2, T0)
    report.status = S.SUBMITTED
    assert transitions.check_allowed(report, _admin(), Action.ASSIGN, 3, T0) == T0


@pytest.mark.parametrize(("status", "is_major", "expected"), [
    (S.ASSIGNED, False, {Action.ACCEPT, Action.DECLINE, Action.INTERNAL_NOTE}),
    (S.ACCEPTED, False, {Action.ARRIVE, Action.DECLINE, Action.INTERNAL_NOTE}),
    (S.ACCEPTED, True, {Action.ARRIVE, Action.RESOLVE, Action.DECLINE, Action.INTERNAL_NOTE,
                        Action.SUBMIT_PLAN}),
    (S.ON_SITE, False, {Action.RESOLVE, Action.DECLINE, Action.INTERNAL_NOTE}),
    (S.RESOLVED, False, {Action.INTERNAL_NOTE}),
])
def test_a_handlers_buttons_follow_the_state_and_the_kind_of_job(status, is_major, expected):
    handler = User(id=7, username="h", role=Role.HANDLER, organization_id=5, active=True)
    report = Report(status=status, assigned_org_id=5, category=Category(is_major=is_major))
    assert transitions.allowed_actions(report, handler) == expected
    report.assigned_org_id = 6
    assert transitions.allowed_actions(report, handler) == set()
