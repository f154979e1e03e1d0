"""Opening a consultation: options, households with their shares, one slip each, the report's
timeline; anything wrong refuses the whole of it."""

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from tests.conftest import app_secret
from tests.domain.consultations.conftest import T0, draft
from webapp.domain import unit_of_work
from webapp.domain.consultations import opening, rules
from webapp.domain.shared.tokens import ballot_token, digest
from webapp.extensions import db
from webapp.models import BallotSlip, Consultation, ConsultationEvent, ReportEvent


def test_opened_with_its_households_shares_slips_and_log(consultation, waiting_report):
    assert [o.kind for o in consultation.options] == ["agree", "disagree", "abstain"]
    assert len(consultation.members) == 6
    assert sum(m.share_cents for m in consultation.members) == 60_000_00
    assert {m.share_cents for m in consultation.members} == {10_000_00}
    slips = db.session.scalars(select(BallotSlip)).all()
    assert len(slips) == 6 and all(s.voided_at is None for s in slips)
    # The link is derived with the secret; the database keeps only its digest.
    slip = slips[0]
    assert slip.token_hash == digest(ballot_token(slip.nonce, app_secret()))
    assert ballot_token(slip.nonce, "another secret") != ballot_token(slip.nonce, app_secret())
    kinds = db.session.scalars(select(ConsultationEvent.kind)).all()
    assert kinds == ["opened", "slips_issued"]
    assert waiting_report.events[-1].kind == "consultation_opened"
    assert waiting_report.events[-1].is_public


def test_for_an_entrance_only_its_rooms_have_a_say(building, entrance_code, users, tmp_path):
    with unit_of_work():
        c = opening.open_consultation(
            draft(plans=("换铸铁暖气片", "换钢制暖气片"), share_basis=rules.AREA),
            opening.Place(building.compound, building, entrance_code.entrance),
            users["dispatcher"], secret=app_secret(), upload_folder=tmp_path, now=T0)
    assert sorted(m.household.room for m in c.members) == ["202", "301"]
    assert [o.label for o in c.options] == ["换铸铁暖气片", "换钢制暖气片"]
    assert sorted(m.share_cents for m in c.members) == [2_842_105, 3_157_895]  # 90 : 100 m²


@pytest.mark.parametrize("changes, words", [
    (dict(title=" "), "title"),
    (dict(title="长" * 101), "100"),
    (dict(reason=""), "why"),
    (dict(cost_cents=-1), "cost"),
    (dict(deadline=T0 - timedelta(minutes=1)), "deadline"),
    (dict(deadline=T0 + timedelta(days=181)), "deadline"),
    (dict(plans=("只有一个方案",)), "plans"),
    (dict(plans=("甲", "甲")), "same"),
    (dict(rule=rules.Rule("households", 4, 3)), "fraction"),
])
def test_anything_wrong_refuses_it_whole(building, users, tmp_path, changes, words):
    with pytest.raises(opening.ConsultationRefused if "rule" not in changes else Exception) \
            as refused, unit_of_work():
        opening.open_consultation(draft(**changes), opening.Place(building.compound, building),
                                  users["dispatcher"], secret=app_secret(),
                                  upload_folder=tmp_path, now=T0)
    with force_locale("en"):
        assert words in str(refused.value)
    assert db.session.scalar(select(func.count(Consultation.id))) == 0
    assert db.session.scalar(select(func.count(BallotSlip.id))) == 0


def test_no_rooms_no_area_no_waiting_report(entrance_code, building, waiting_report, users,
                                            tmp_path):
    other = entrance_code.building.compound.community.compounds[1].buildings[0]
    place = opening.Place(building.compound, building)
    cases = [(opening.Place(other.compound, other), {}, None, "no rooms"),
             (place, {"rule": rules.PRESETS["half_area"]}, None, "area"),
             (place, {}, waiting_report, None)]
    for where, changes, report, words in cases:
        if words is None:  # the report waits no longer: a consultation cannot be tied to it
            waiting_report.status = "accepted"
            words = "needing a residents' decision"
        if "area" in changes.get("rule", rules.Rule("households", 1, 2)).basis:
            with unit_of_work():
                db.session.execute(db.text("UPDATE household SET area_x100 = NULL "
                                           "WHERE room = '101'"))
        with pytest.raises(opening.ConsultationRefused) as refused, unit_of_work():
            opening.open_consultation(draft(**changes), where, users["dispatcher"],
                                      secret=app_secret(), upload_folder=tmp_path,
                                      report=report, now=T0)
        with force_locale("en"):
            assert words in str(refused.value)
    assert db.session.scalar(select(func.count(Consultation.id))) == 0
    assert db.session.scalar(select(func.count(ReportEvent.id)).where(
        ReportEvent.kind == "consultation_opened")) == 0


def test_a_handler_may_not_open_one(building, users, tmp_path):
    with pytest.raises(opening.ConsultationRefused), unit_of_work():
        opening.open_consultation(draft(), opening.Place(building.compound, building),
                                  users["mateng"], secret=app_secret(), upload_folder=tmp_path,
                                  now=T0)


def test_the_place_picker_names_only_the_communitys_places(entrance_code, demo):
    community_id = entrance_code.building.compound.community_id
    keys = dict(opening.place_choices(community_id))
    entrance_key = f"e{entrance_code.entrance_id}"
    assert "微波宿舍 · 1号楼 · 2单元" == keys[entrance_key]
    place = opening.place_from_key(community_id, entrance_key)
    assert (place.building.id, place.entrance.id) == (entrance_code.building_id,
                                                      entrance_code.entrance_id)
    assert opening.place_from_key(community_id, f"c{place.compound.id}").building is None
    for wrong in ("", "x1", "b", "b1.5", "b٣", "b" + "9" * 30, "b999999"):
        assert opening.place_from_key(community_id, wrong) is None
    assert opening.place_from_key(community_id + 1, entrance_key) is None
