"""The generated district (webapp/seed/district.py) obeys the rules of data the app writes,
checked on a small one (a few thousand reports) — on SQLite, or on PostgreSQL when the suite
runs with TEST_DATABASE_URL."""

import hashlib
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.conftest import TEST_SECRET, FreshContextClient, app_on_a_copy, login
from webapp.domain import unit_of_work
from webapp.domain.reports import intake
from webapp.domain.shared.tokens import QR_TOKEN_PATTERN, tracking_token
from webapp.extensions import db
from webapp.models import (
    OPEN_STATUSES,
    Booking,
    Building,
    Community,
    Company,
    Compound,
    Entrance,
    Entry,
    QrCode,
    Report,
    ReportAnswer,
    ReportEvent,
    ReportMilestone,
    ReportSearch,
    Reward,
    Slot,
    Street,
    VolunteerShift,
)
from webapp.models.questions import CategoryQuestion
from webapp.models.search import search_body
from webapp.seed import district

REPORTS = 3000
NOW = datetime(2026, 3, 1, 4, 30, tzinfo=UTC)


def generated(migrated_db, tmp_path, seed=7):
    app = app_on_a_copy(migrated_db, tmp_path, with_demo=True, TESTING=True)
    app.test_client_class = FreshContextClient
    with app.app_context():
        with unit_of_work():
            district.generate(TEST_SECRET, REPORTS, seed, now=NOW)
    return app


@pytest.fixture(scope="module")
def district_app(migrated_db, tmp_path_factory):
    """One district for the module. Its database (on PostgreSQL) is kept out of the copies
    that are dropped after each test, and dropped after the module's last."""
    app = generated(migrated_db, tmp_path_factory.mktemp("district"))
    kept = list(migrated_db.copies)
    migrated_db.copies.clear()
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    migrated_db.copies.extend(kept)
    migrated_db.drop_copies()


def generated_reports():
    return db.session.scalars(select(Report).where(Report.community_id.in_(communities())))


def communities():
    """The generated communities (the demo's two share the district and its first street)."""
    return select(Community.id).where(Community.code.like("xiaodian-%"))


def test_the_places_of_xiaodian(district_app):
    assert db.session.scalar(select(func.count(Street.id))) == 5
    assert db.session.scalar(select(func.count()).select_from(communities().subquery())) == 80
    compounds = select(Compound).where(Compound.community_id.in_(communities()))
    assert len(db.session.scalars(compounds).all()) == 1157
    assert len(db.session.scalars(compounds.where(Compound.partner_org_id.is_(None))).all()) \
        == 296
    # ~40 companies, each serving compounds in several communities through its own
    # organisation there; a compound's partner and grid are of its own community.
    served = defaultdict(set)
    for compound in db.session.scalars(compounds):
        assert compound.grid_org.community_id == compound.community_id
        if compound.partner_org is not None:
            assert compound.partner_org.community_id == compound.community_id
            assert compound.partner_org.company_id is not None
            served[compound.partner_org.company_id].add(compound.community_id)
    generated = select(func.count(Company.id)).where(Company.credit_code.is_not(None))
    assert len(served) == db.session.scalar(generated) == 40
    assert sum(len(c) > 1 for c in served.values()) >= 30
    # Every building and entrance has its door code, in the app's spelling of one.
    entrances = db.session.scalar(select(func.count(Entrance.id)))
    buildings = db.session.scalar(select(func.count(Building.id)))
    assert db.session.scalar(select(func.count(QrCode.id))) == entrances + buildings
    assert all(QR_TOKEN_PATTERN.match(t) for t in db.session.scalars(select(QrCode.token)))


def test_every_report_as_the_workflow_writes_it(district_app):
    events = defaultdict(list)
    for event in db.session.scalars(select(ReportEvent).order_by(ReportEvent.id)):
        events[event.report_id].append(event)
    clocks = defaultdict(list)
    for clock in db.session.scalars(select(ReportMilestone)):
        clocks[clock.report_id].append(clock)
    rows = {r.report_id: r for r in db.session.scalars(select(ReportSearch))}
    zone = ZoneInfo("Asia/Shanghai")
    reports = generated_reports().all()
    assert len(reports) == REPORTS
    for report in reports:
        # Its number, as intake gives it: the local day of its arrival and its id.
        assert report.number == f"{report.created_at.astimezone(zone):%Y%m%d}-{report.id:04d}"
        # Its search row, as the mapper writes it.
        row = rows[report.id]
        assert row.body == search_body(report.description, report.floor_room,
                                       report.contact_name, report.contact_phone)
        assert (row.community_id, row.compound_id, row.building_id, row.entrance_id) == (
            report.community_id, report.compound_id, report.building_id, report.entrance_id)
        # Its timeline: from "submitted", each status step from the one before, ending in
        # the report's status, in time order, nothing after now.
        timeline = events[report.id]
        assert (timeline[0].kind, timeline[0].to_status, timeline[0].created_at) == \
            ("submitted", "submitted", report.created_at)
        status = None
        for event in timeline:
            if event.to_status:
                assert event.from_status == status, (report.number, event.kind)
                status = event.to_status
        assert status == report.status
        times = [e.created_at for e in timeline]
        assert times == sorted(times) and times[-1] == report.updated_at <= NOW
        # Its clocks: the first accepting one from arrival; the queue's next due time is
        # the earliest running one; a finished report runs none; late means breached.
        ours = clocks[report.id]
        first = min(ours, key=lambda c: c.id)
        assert (first.name, first.cycle, first.started_at) == ("accept", 1,
                                                                report.created_at)
        cycle = max(c.cycle for c in ours)
        running = [c for c in ours if c.cycle == cycle and c.met_at is None
                   and c.cancelled_at is None]
        if report.status not in OPEN_STATUSES:
            assert running == [] and report.next_due_at is None, report.number
        assert report.next_due_at == min((c.due_at for c in running if c.paused_at is None),
                                         default=None)
        for clock in ours:
            if clock.met_at is not None:
                assert (clock.breached_at is not None) == (clock.met_at > clock.due_at)
        assert report.goes_first == ((report.priority or 0) >= 2 or report.care_card)
        if report.assigned_org_id is not None:
            assert report.assigned_org.community_id == report.community_id
        if report.status == "duplicate":
            assert report.duplicate_of.community_id == report.community_id
            assert report.duplicate_of_id < report.id
        if report.status == "closed":
            assert report.closed_at is not None and report.resolved_at is not None


def test_a_realistic_mix(district_app):
    statuses = Counter(r.status for r in generated_reports())
    assert statuses["closed"] > 0.8 * REPORTS
    assert {"rejected", "duplicate", "resolved", "submitted"} <= set(statuses)
    kinds = Counter(db.session.scalars(select(ReportEvent.kind)))
    assert {"escalated", "reopened", "rated", "auto_closed", "callback", "reply",
            "plan_submitted"} <= set(kinds)
    overdue = db.session.scalar(select(func.count(Report.id)).where(Report.next_due_at < NOW))
    assert overdue > 0
    # Heating is reported in winter, hardly in summer.
    heating = Counter(r.created_at.month for r in generated_reports()
                      if r.category.code == "heating")
    assert heating[12] + heating[1] > 5 * (heating[7] + heating[8])
    # Where a category asks questions, reports answer them, for that category.
    answers = db.session.execute(select(ReportAnswer.report_id, CategoryQuestion.category_id,
                                        Report.category_id)
                                 .join(CategoryQuestion).join(Report)).all()
    assert answers and all(asked == filed for _id, asked, filed in answers)


def test_bookings_shifts_and_a_balanced_ledger(district_app):
    transfers = defaultdict(int)
    for transfer_id, amount in db.session.execute(select(Entry.transfer_id, Entry.amount)):
        transfers[transfer_id] += amount
    assert transfers and set(transfers.values()) == {0}
    balances = db.session.execute(select(Entry.account_id, func.sum(Entry.amount))
                                  .group_by(Entry.account_id)).all()
    assert any(total > 0 for _a, total in balances)
    # A slot's places, counted as booking.py keeps them: its live bookings and shifts.
    live = Counter(db.session.scalars(select(Booking.slot_id).where(
        Booking.status != "cancelled")))
    serving = Counter(db.session.scalars(select(VolunteerShift.slot_id).where(
        VolunteerShift.cancelled_at.is_(None))))
    slots = db.session.execute(select(Slot.id, Slot.booked, Slot.capacity,
                                      Slot.volunteers_booked)
                               .where(Slot.community_id.in_(communities()))).all()
    assert len(slots) > 1000
    for slot_id, booked, capacity, volunteers in slots:
        assert booked == live[slot_id] <= capacity
        assert volunteers == serving[slot_id]
    assert db.session.scalar(select(func.min(Reward.stock))) >= 0
    assert db.session.scalar(select(func.count(Booking.id))) > 1000
    assert db.session.scalar(select(func.count(VolunteerShift.id))) > 1000


def test_the_app_works_on_it(district_app):
    report = next(r for r in generated_reports() if r.status == "closed")
    client = district_app.test_client()
    key = f"district-{report.id:012d}"
    assert client.get(f"/t/{tracking_token(key, TEST_SECRET)}").status_code == 200
    code = db.session.scalar(select(QrCode.token).where(QrCode.building_id == report.building_id))
    assert client.get(f"/q/{code}").status_code == 200
    community = db.session.get(Community, report.community_id)
    login(client, f"{community.code}-dispatcher1")
    queue = client.get("/staff/queue?tab=all").get_data(as_text=True)
    assert re.search(r"\d{8}-\d{4}", queue)
    # The ids given continue where the app's own inserts go on (PostgreSQL's sequences).
    qr = db.session.scalar(select(QrCode).where(QrCode.token == code))
    with unit_of_work():
        filed, created = intake.submit_report(qr, intake.ReportDraft(
            submission_key="after-the-district-0001", category_id=report.category_id,
            description="又漏水了"), [], upload_folder=None, secret=TEST_SECRET)
    assert created and filed.id > report.id


def test_its_figures_are_rolled_up_as_the_app_keeps_them(district_app):
    """Generated rows bypass the listeners; the generator rebuilds the rollup, so the district
    overview reads what the reports say: each community's received (duplicates and rejected
    among them, counted apart) equals its reports."""
    from webapp.models.rollup import report_rollup

    received = dict(db.session.execute(
        select(report_rollup.c.community_id, func.sum(report_rollup.c.received))
        .where(report_rollup.c.community_id.in_(communities()),
               report_rollup.c.whole_month.is_(False))
        .group_by(report_rollup.c.community_id)).all())
    reports = dict(db.session.execute(
        select(Report.community_id, func.count(Report.id))
        .where(Report.community_id.in_(communities()))
        .group_by(Report.community_id)).all())
    assert received and received == reports


def fingerprint() -> str:
    """The generated reports (not one the app filed since)."""
    rows = db.session.execute(select(Report.number, Report.status, Report.description,
                                     Report.assigned_org_id, Report.next_due_at)
                              .where(Report.community_id.in_(communities()))
                              .order_by(Report.id).limit(REPORTS)).all()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_the_same_seed_the_same_district(district_app, migrated_db, tmp_path):
    first = fingerprint()
    again = generated(migrated_db, tmp_path)
    with again.app_context():
        second = fingerprint()
        db.session.remove()
        db.engine.dispose()
    assert first == second


def test_a_second_district_is_refused(district_app):
    with pytest.raises(district.DistrictExists):
        district.generate(TEST_SECRET, 10, now=NOW)
    db.session.rollback()


def test_the_command(app, migrated_db):
    runner = app.test_cli_runner()
    done = runner.invoke(args=["demo-data", "--district", "--reports", "200", "--seed", "3"])
    assert done.exit_code == 0, done.output
    assert "reports/s" in done.output and "200 report" in done.output
    assert db.session.scalar(select(func.count(Report.id))) == 203  # and the demo's 3
    again = runner.invoke(args=["demo-data", "--district", "--reports", "200"])
    assert again.exit_code != 0 and "there already" in again.output
    refused = runner.invoke(args=["demo-data", "--district", "--reports", "1000001"])
    assert refused.exit_code != 0
