"""What doors and pages show: counts only; the scan page's key moves with every vote."""

from datetime import timedelta

from flask_babel import force_locale

from tests.conftest import app_secret
from tests.domain.consultations.conftest import DEADLINE, T0
from webapp.domain import unit_of_work
from webapp.domain.consultations import ballots, deciding, tally
from webapp.extensions import db
from webapp.models import QrCode


def test_a_doors_key_changes_with_each_vote_the_deadline_and_the_decision(consultation,
                                                                          entrance_code):
    token = entrance_code.token
    before = tally.door_key(token, T0)
    assert [row[0] for row in before] == [consultation.id]
    slip = ballots.slip_by_token(ballots.slips_to_print(consultation, app_secret())[0][1])
    with unit_of_work():
        ballots.vote_by_slip(slip, 0, now=T0)
    after_vote = tally.door_key(token, T0)
    assert after_vote != before
    assert tally.door_key(token, DEADLINE) != after_vote  # voting over, not yet decided
    with unit_of_work():
        deciding.close_due(DEADLINE)
    decided = tally.door_key(token, DEADLINE)
    assert decided[0][2] == "decided"
    assert tally.door_key(token, DEADLINE + timedelta(days=15)) == ()  # shown two weeks
    shown = tally.for_door(decided)
    assert shown[0][1].voted == 1 and shown[0][1].households == 6


def test_other_compounds_doors_show_nothing(consultation, demo):
    other = db.session.query(QrCode).filter(QrCode.building_id != consultation.building_id) \
        .first()
    assert tally.door_key(other.token, T0) == ()


def test_the_rule_in_words_and_money(consultation):
    with force_locale("en"):
        assert tally.rule_words(consultation) == "At least 2/3 of all households must agree."
    assert tally.yuan(1234567) == "12,345.67" and tally.yuan(5) == "0.05"
    shares = tally.shares_of(consultation)
    assert [s.room for s in shares][:2] == ["101", "102"] and not any(s.paid for s in shares)
