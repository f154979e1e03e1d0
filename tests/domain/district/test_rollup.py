"""The rollup kept by the listener equals the one rebuilt from the reports, whatever real
transitions the reports went through; two resolves at the same moment both count."""

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from tests.conftest import app_secret, at_the_same_moment
from tests.domain.reports.conftest import category_coded, org_named
from webapp.domain import unit_of_work
from webapp.domain.district import rollup
from webapp.domain.reports import dispatch, intake, sla, transitions
from webapp.domain.reports.labels import S
from webapp.extensions import db
from webapp.models import Report, ReportMilestone, User
from webapp.models.rollup import COUNTS, KEY, report_rollup

# 23:50 in Shanghai: a report's day and its resolution's day differ in UTC and locally.
START = datetime(2026, 11, 2, 15, 50, tzinfo=UTC)


def kept_rows() -> dict:
    """The rollup's rows by key, rows whose counts all went back to zero left out."""
    rows = {}
    for row in db.session.execute(select(report_rollup)).mappings():
        counts = {name: row[name] for name in COUNTS if row[name]}
        if counts:
            rows[tuple(row[k] for k in KEY)] = counts
    return rows


def rebuilt_rows() -> dict:
    with unit_of_work():
        rollup.rebuild()
    return kept_rows()


def file(code, key, now, category="water"):
    draft = intake.ReportDraft(submission_key=key, category_id=category_coded(category).id,
                               description="楼道水管漏水", contact_phone="13800000000")
    report, _ = intake.submit_report(code, draft, [], None, now=now, secret=app_secret())
    return report


def step(report, users, now, rng):
    """One real transition the report's state allows, chosen at random."""
    dispatcher, handler = users["dispatcher"], users["mateng"]
    partner = org_named("省直机关后勤保障中心")
    grid = org_named("八一社区第一网格")
    police = org_named("坞城派出所")
    status = report.status
    if status in (S.SUBMITTED, S.REOPENED) or (status == S.ASSIGNED and rng.random() < 0.2):
        choice = rng.random()
        if choice < 0.1:
            dispatch.reject(report, dispatcher, "不属于报事范围", now=now)
        elif choice < 0.2:
            dispatch.escalate(report, dispatcher, police, "需要派出所处理", now=now)
        else:
            org = partner if rng.random() < 0.7 else grid
            dispatch.assign(report, dispatcher, org, handler if org is partner else None,
                            now=now)
    elif status == S.ESCALATED:
        dispatch.record_response(report, dispatcher, "已处理", now=now)
    elif status == S.ASSIGNED:
        if report.assigned_org_id == grid.id:
            dispatch.assign(report, dispatcher, partner, handler, now=now)
        else:
            transitions.accept(report, handler, now=now)
    elif status == S.ACCEPTED:
        transitions.arrive(report, handler, now=now)
    elif status == S.ON_SITE:
        if rng.random() < 0.1:
            dispatch.set_hidden_from_board(report, dispatcher, True, now=now)
        transitions.resolve(report, handler, "修好了", now=now)
    elif status == S.RESOLVED:
        choice = rng.random()
        if choice < 0.5:
            transitions.confirm_fixed(report, rng.randint(1, 5), None, now=now)
        elif choice < 0.75:
            transitions.report_not_fixed(report, "还在漏", now=now)
        else:
            report.resolved_at = report.resolved_at - timedelta(days=8)  # long unrated
            transitions.auto_close_unrated(now, 7)
    elif status == S.CLOSED:
        if report.rating is None and report.callback_at is None and rng.random() < 0.5:
            dispatch.record_callback(report, dispatcher, "电话回访满意", 4, now=now)
        elif rng.random() < 0.3:
            dispatch.reopen_after_callback(report, dispatcher, "回访未修好", now=now)
    else:
        return False
    return True


def test_the_kept_rollup_equals_the_rebuilt_one_after_random_transitions(
        demo, users, entrance_code):
    rng = random.Random(16)
    now = START
    with unit_of_work():
        reports = [file(entrance_code, f"rollup-random-{i:08d}", now) for i in range(12)]
    with unit_of_work():  # a duplicate merged into an open one
        dispatch.merge_duplicate(reports[-1], users["dispatcher"], reports[0], now=now)
    for _ in range(80):
        now += timedelta(minutes=rng.choice([1, 7, 25, 90, 600]))
        report = rng.choice(reports)
        with unit_of_work():
            if rng.random() < 0.15:  # the worker's sweep marks missed clocks
                sla.sweep(now)
            step(report, users, now, rng)
    kept = kept_rows()
    assert kept == rebuilt_rows()
    counted = {name: sum(row.get(name, 0) for key, row in kept.items() if not key[4])
               for name in COUNTS}
    months = {name: sum(row.get(name, 0) for key, row in kept.items() if key[4])
              for name in COUNTS}
    assert months == counted  # a month's row is the sum of its days
    # The walk went through what the rollup counts (the demo's own report is in it too).
    for name in ("received", "resolved", "confirmed", "reopened", "rejected", "duplicates",
                 "late", "rating_count"):
        assert counted[name] > 0, name
    assert counted["received"] == db.session.scalar(select(func.count(Report.id)))


def test_a_reports_day_is_its_communitys_day(demo, users, entrance_code):
    with unit_of_work():
        report = file(entrance_code, "rollup-day-000000001", START)  # 23:50 on 2 Nov
    days = {k[0].isoformat() for k, row in kept_rows().items() if row.get("received")
            and k[0] < datetime(2026, 11, 10).date() and not k[4]}
    assert days == {"2026-11-02"}  # 15:50 UTC is the 2nd's 23:50 in Shanghai
    with unit_of_work():
        dispatch.assign(report, users["dispatcher"], org_named("省直机关后勤保障中心"),
                        users["mateng"], now=START + timedelta(minutes=1))
        transitions.accept(report, users["mateng"], now=START + timedelta(minutes=2))
        transitions.arrive(report, users["mateng"], now=START + timedelta(minutes=3))
        transitions.resolve(report, users["mateng"], "修好了",
                            now=START + timedelta(minutes=25))  # 00:15 on 3 Nov
    resolved = {k[0].isoformat(): row for k, row in kept_rows().items()
                if row.get("resolved") and k[2] == report.assigned_org_id and not k[4]}
    assert resolved["2026-11-03"]["resolved_in_2"] == 1  # 25 minutes: the 20–30 bucket
    assert kept_rows() == rebuilt_rows()


def test_two_resolves_at_the_same_moment_both_count(demo, users, entrance_code, app):
    """Two handlers resolve two reports into the same rollup row at once: the upsert adds,
    it never writes back a count it read."""
    with unit_of_work():
        reports = [file(entrance_code, f"rollup-race-{i:09d}", START) for i in range(2)]
        for report in reports:
            dispatch.assign(report, users["dispatcher"], org_named("省直机关后勤保障中心"),
                            users["mateng"], now=START)
            transitions.accept(report, users["mateng"], now=START)
            transitions.arrive(report, users["mateng"], now=START)
    ids = [r.id for r in reports]
    when = START + timedelta(minutes=30)

    def prepare(i):
        report = db.session.get(Report, ids[i])
        db.session.scalars(select(ReportMilestone).where(ReportMilestone.report_id == ids[i]))
        report.community.timezone  # noqa: B018 - loaded before the race
        return report, db.session.get(User, users["mateng"].id)

    def resolve(i, prepared):
        report, handler = prepared
        transitions.resolve(report, handler, "修好了", now=when)

    assert at_the_same_moment(app, 2, resolve, prepare=prepare) == ["ok", "ok"]
    db.session.expire_all()
    day = [row for key, row in kept_rows().items()
           if key[0].isoformat() == "2026-11-03" and row.get("resolved")]
    assert sum(row["resolved"] for row in day) == 2
    assert kept_rows() == rebuilt_rows()
