"""Care cards registered and ended without the admin page (domain/services/care_cards.py)."""

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from webapp.domain import unit_of_work
from webapp.domain.services import care_cards
from webapp.extensions import db
from webapp.models import CareCard, Community, Entrance


@pytest.fixture
def bayi(demo):
    return db.session.scalar(select(Community.id).where(Community.code == "bayi"))


def count():
    return db.session.scalar(select(func.count(CareCard.id)))


def test_a_card_is_registered_with_its_phone_in_one_spelling_and_its_entrance(bayi):
    entrance = care_cards.entrances_of(bayi)[0]
    with unit_of_work():
        card = care_cards.register(bayi, care_cards.CareCardDraft(
            name=" 赵奶奶 ", phone="138 5555 6666", entrance_id=entrance.id))
    assert (card.name, card.phone) == ("赵奶奶", "13855556666")
    assert (card.entrance_id, card.building_id) == (entrance.id, entrance.building_id)
    assert card in care_cards.cards_of(bayi)
    with unit_of_work():
        care_cards.end(card)
    assert care_cards.cards_of(bayi)[-1] == card and not card.active


def test_an_entrance_of_another_community_is_no_entrance(bayi):
    elsewhere = db.session.scalar(select(Entrance).where(
        Entrance.id.not_in([e.id for e in care_cards.entrances_of(bayi)])))
    with unit_of_work():
        card = care_cards.register(bayi, care_cards.CareCardDraft(
            name="钱爷爷", phone="13855556667", entrance_id=elsewhere.id))
    assert card.entrance_id is None and card.building_id is None


@pytest.mark.parametrize("name, phone, message", [
    ("", "13855556666", "resident's name"),
    ("赵奶奶", "", "resident's phone number"),
    ("赵奶奶", "12345", "."),
    ("赵" * 100, "13855556666", "Name"),
    ("赵奶奶", "1" * 40, "Phone"),
])
def test_a_wrong_card_is_refused_whole(bayi, name, phone, message):
    before = count()
    with force_locale("en"), pytest.raises(care_cards.CareCardRefused, match=message), \
            unit_of_work():
        care_cards.register(bayi, care_cards.CareCardDraft(name=name, phone=phone))
    assert count() == before
