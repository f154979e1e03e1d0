"""Steps that cannot be taken back ask first, without JavaScript: the button's first POST
shows a page naming exactly what changes and what stops working, and changes nothing; only
the second POST (the same fields plus confirmed=1) makes the change."""

import re

import pytest
from sqlalchemy import select

from tests.conftest import login
from webapp.domain import unit_of_work
from webapp.domain.people import api_clients
from webapp.domain.places import editing
from webapp.extensions import db
from webapp.models import (
    ApiKey,
    Building,
    CareCard,
    Compound,
    Entrance,
    QrCode,
    Slot,
    User,
)

EN = {"Accept-Language": "en"}


def csrf(client, url="/admin/places"):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).text).group(1)


def ask_then_confirm(client, url, fields, expected_texts):
    """The first POST asks (200, naming the thing); returns the second POST's answer, sent
    from the confirmation page's own form."""
    asked = client.post(url, headers=EN, data={"csrf_token": csrf(client), **fields})
    assert asked.status_code == 200, asked.text[:300]
    for expected in expected_texts:
        assert expected in asked.text, expected
    assert asked.headers["Cache-Control"] == "private, no-store"
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', asked.text, re.S)
    assert form.group(1) == url
    carried = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">',
                              form.group(2)))
    assert carried["confirmed"] == "1"
    assert {k: v for k, v in carried.items() if k not in ("confirmed", "csrf_token")} == fields
    return client.post(url, data=carried)


def test_replacing_a_code_asks_first_naming_the_exact_entrance(client, entrance_code):
    login(client, "admin")
    url = f"/admin/codes/{entrance_code.id}/replace"
    first = client.post(url, headers=EN, data={"csrf_token": csrf(client)})
    assert "Yes, replace the code" in first.text
    db.session.expire_all()
    assert entrance_code.revoked_at is None  # asking changed nothing
    assert client.get(f"/q/{entrance_code.token}").status_code == 200
    done = ask_then_confirm(client, url, {}, [
        "微波宿舍", "1号楼", "2单元", entrance_code.token,
        "Printed posters and labels with this code stop working"])
    assert done.status_code == 303
    db.session.expire_all()
    assert entrance_code.revoked_at is not None
    assert db.session.scalar(select(QrCode).where(QrCode.replaces_id == entrance_code.id))


def test_the_replaced_code_page_names_compound_building_and_entrance(client, entrance_code):
    with unit_of_work():
        editing.replace_code(entrance_code)
    page = client.get(f"/q/{entrance_code.token}", headers=EN)
    assert page.status_code == 410
    assert "微波宿舍 · 1号楼 · 2单元" in page.text
    zh = client.get(f"/q/{entrance_code.token}").text
    assert "微波宿舍 · 1号楼 · 2单元" in zh and "此二维码已更换" in zh


def test_removing_a_place_asks_first(client, demo):
    login(client, "admin")
    compound = db.session.scalars(select(Compound).where(Compound.name == "微波宿舍")).one()
    building = Building(compound=compound, name="9号楼")
    entrance = Entrance(building=building, name="3单元")
    db.session.add_all([building, entrance])
    db.session.commit()
    entrance_id = entrance.id
    done = ask_then_confirm(client, f"/admin/places/entrance/{entrance_id}/remove", {},
                            ["微波宿舍", "9号楼", "3单元", "Its codes stop working"])
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(Entrance, entrance_id) is None


def test_revoking_an_api_key_asks_first(client, demo, users):
    login(client, "admin")
    with unit_of_work():
        key, _raw = api_clients.issue_key(users["admin"].organization.community, "区12345热线")
    done = ask_then_confirm(client, f"/admin/api-keys/{key.id}/revoke", {},
                            ["区12345热线", key.key_prefix, "can no longer file or read"])
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(ApiKey, key.id).revoked_at is not None


def test_ending_a_care_card_asks_first(client, demo, users, entrance_code):
    login(client, "admin")
    card = CareCard(community_id=users["admin"].organization.community_id, name="李奶奶",
                    phone="13700000002", building=entrance_code.building,
                    entrance=entrance_code.entrance)
    db.session.add(card)
    db.session.commit()
    done = ask_then_confirm(client, f"/admin/care-cards/{card.id}/end", {},
                            ["李奶奶", "微波宿舍", "2单元", "no longer get priority"])
    assert done.status_code == 303
    db.session.expire_all()
    assert not card.active


def test_calling_off_a_slot_asks_first_and_refuses_a_missing_reason_at_once(client, demo,
                                                                            users):
    login(client, "admin")
    slot = db.session.scalars(select(Slot).where(
        Slot.community_id == users["admin"].organization.community_id,
        Slot.cancelled_at.is_(None))).first()
    url = f"/admin/slots/{slot.id}/cancel"
    no_reason = client.post(url, headers=EN, data={"csrf_token": csrf(client), "reason": " "})
    assert no_reason.status_code == 422 and "Please give a reason" in no_reason.text
    done = ask_then_confirm(client, url, {"reason": "师傅生病"},
                            [slot.service.name_en, "师傅生病", "cannot be undone"])
    assert done.status_code == 303
    db.session.expire_all()
    assert slot.cancelled_at is not None


@pytest.mark.parametrize("also_password", [False, True])
def test_disabling_an_account_asks_first_other_changes_do_not(client, users, also_password):
    login(client, "admin")
    handler = users["yianju"]
    org = str(handler.organization_id)
    fields = {"role": "handler", "org": org, "active": "0"}
    if also_password:
        fields["password"] = "a-new-password-1"
    done = ask_then_confirm(client, f"/admin/users/{handler.id}", fields,
                            [handler.display_name, handler.username, "can no longer log in"])
    assert done.status_code == 303
    db.session.expire_all()
    assert not db.session.get(User, handler.id).active
    # turning it back on, or any change that disables nobody, is saved at once
    again = client.post(f"/admin/users/{handler.id}", data={
        "csrf_token": csrf(client), "role": "handler", "org": org, "active": "1"})
    assert again.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, handler.id).active
