"""Care visits (敲门行动): the rhythm makes the visits, one volunteer takes each, check-in only
at the holder's door on the day, the outcome earns points once, a missed visit tells staff
once."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import at_the_same_moment
from tests.domain.services.conftest import volunteer
from webapp.domain import DomainRefused, unit_of_work
from webapp.domain.services import care_cards, care_visits, ledger
from webapp.extensions import db
from webapp.models import AttendanceEvent, CareVisit, Notification, QrCode, User
from webapp.worker import sweep_attendance

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 on the 20th in Shanghai
TODAY = date(2026, 11, 20)


@pytest.fixture
def card(office, entrance_code):
    with unit_of_work():
        return care_cards.register(office.community_id, care_cards.CareCardDraft(
            "孙爷爷", "13700001111", entrance_code.entrance_id))


def admin():
    return db.session.scalar(select(User).where(User.username == "admin"))


def plan(card, every=7, points=15, starts_on=None):
    with unit_of_work():
        care_visits.set_rhythm(card, care_visits.RhythmDraft(every, points, starts_on), admin(),
                               now=NOW)
    return sorted(db.session.scalars(select(CareVisit)).all(), key=lambda v: v.due_on)


def test_the_rhythm_makes_the_visits_ahead(card):
    assert [v.due_on for v in plan(card, every=7)] == [TODAY, TODAY + timedelta(days=7)]
    assert len(plan(card, every=1)) == care_visits.AHEAD_DAYS + 1  # untaken ones made anew
    assert [v.due_on for v in plan(card, every=3, starts_on=TODAY + timedelta(days=2))] == \
        [TODAY + timedelta(days=2), TODAY + timedelta(days=5)]
    with unit_of_work():
        care_visits.sweep(NOW + timedelta(days=3))  # the days ahead follow
    days = set(db.session.scalars(select(CareVisit.due_on)))
    assert TODAY + timedelta(days=8) in days
    for bad in (dict(every=0), dict(every=91), dict(points=-1), dict(points=None),
                dict(starts_on=TODAY - timedelta(days=1))):
        with pytest.raises(DomainRefused), unit_of_work():
            care_visits.set_rhythm(card, care_visits.RhythmDraft(
                bad.get("every", 7), bad.get("points", 10), bad.get("starts_on")), admin(),
                now=NOW)


def test_a_holder_without_an_address_gets_no_visits(office):
    with unit_of_work():
        homeless = care_cards.register(office.community_id,
                                       care_cards.CareCardDraft("钱奶奶", "13700002222"))
    with pytest.raises(DomainRefused), unit_of_work():
        care_visits.set_rhythm(homeless, care_visits.RhythmDraft(7, 10, None), admin(), now=NOW)


def test_two_volunteers_take_the_same_visit_one_gets_it(app, card, office):
    visit = plan(card)[0]
    names = [volunteer(office, f"t_knock{i}").username for i in range(2)]
    visit_id = visit.id

    def take(i):
        helper = db.session.scalar(select(User).where(User.username == names[i]))
        care_visits.take(db.session.get(CareVisit, visit_id), helper, now=NOW)

    outcomes = at_the_same_moment(app, 2, take, refusals=(care_visits.VisitRefused,))
    assert sorted(outcomes) == ["ok", "refused"]


def test_check_in_at_the_holders_door_on_the_day_and_points_once(card, office,
                                                                 entrance_code):
    visit, later = plan(card)
    v, other = volunteer(office, "t_knock"), volunteer(office, "t_other")
    with unit_of_work():
        care_visits.take(visit, v, now=NOW)
        care_visits.take(later, v, now=NOW)
    elsewhere = db.session.scalars(select(QrCode).where(
        QrCode.building_id != entrance_code.building_id)).first()
    for who, which, code in ((other, visit, entrance_code), (v, visit, elsewhere),
                             (v, later, entrance_code), (v, visit, None)):
        with pytest.raises(care_visits.VisitRefused), unit_of_work():
            care_visits.check_in(which, who, code, now=NOW)
    with pytest.raises(care_visits.VisitRefused), unit_of_work():
        care_visits.record_outcome(visit, v, "all_well", now=NOW)  # not checked in
    assert db.session.scalar(select(func.count(AttendanceEvent.id))) == 0
    with pytest.raises(ValueError), unit_of_work():
        ledger.award_for_visit(visit, v, now=NOW)  # not made: no points, whoever asks
    with unit_of_work():
        care_visits.check_in(visit, v, entrance_code, now=NOW)
        care_visits.record_outcome(visit, v, "all_well", now=NOW)
    assert visit.outcome == "all_well" and ledger.balance(ledger.passbook(v)) == 15
    with pytest.raises(care_visits.VisitRefused), unit_of_work():
        care_visits.record_outcome(visit, v, "all_well", now=NOW)
    assert ledger.award_for_visit(visit, v) is False
    assert ledger.balance(ledger.passbook(v)) == 15


def test_a_visit_not_made_by_its_day_tells_staff_once(card, office):
    visit = plan(card)[0]
    v = volunteer(office, "t_knock")
    with unit_of_work():
        care_visits.take(visit, v, now=NOW)
    # 23:59 in Shanghai on its day: not yet missed
    with unit_of_work():
        assert care_visits.sweep(datetime(2026, 11, 20, 15, 59, tzinfo=UTC)) == []
    next_morning = datetime(2026, 11, 20, 16, 1, tzinfo=UTC)
    with unit_of_work():
        sweep_attendance(next_morning)
        sweep_attendance(next_morning + timedelta(hours=1))
    assert visit.missed_at == next_morning
    told = db.session.scalars(select(Notification).where(
        Notification.kind == "care_visit_missed")).all()
    assert told and len(told) == len({n.user_id for n in told})  # each staff member once
    assert {db.session.get(User, n.user_id).role for n in told} <= {"admin", "dispatcher"}
