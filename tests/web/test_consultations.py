"""一事一议 through the pages: rooms, opening, slips, voting from a slip, the door's scan page
showing the tally, paper votes, the deadline, the public result, payments; bad input kept
and answered 422 with the reason, nothing half stored."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from tests.conftest import csrf_from, login
from tests.domain.consultations.conftest import ROOMS
from tests.qr_sheets.helpers import qr_texts_in_pdf
from webapp.domain import unit_of_work
from webapp.domain.consultations import deciding
from webapp.domain.reports import dispatch
from webapp.extensions import db
from webapp.models import Ballot, Consultation, Household, Report
from webapp.models.types import utcnow

EN = {"Accept-Language": "en"}


def local_deadline(days=3):
    return (utcnow() + timedelta(days=days)).astimezone(ZoneInfo("Asia/Shanghai")) \
        .strftime("%Y-%m-%dT%H:%M")


def opening_form(client, **changes):
    page = client.get("/staff/consultations/new").text
    fields = {"csrf_token": csrf_from(page), "place": "", "title": "更换楼内供暖立管",
              "proposal": "更换 1-6 层供暖立管及阀门", "reason": "立管锈蚀漏水",
              "cost": "60,000", "share_basis": "equal", "deadline": local_deadline(),
              "choice_kind": "yes_no", "rule": "two_thirds_households", "plans": ""}
    fields.update(changes)
    return fields


@pytest.fixture
def staff(client, entrance_code):
    login(client, "dispatcher")
    return client


def save_rooms(client, building_id, text):
    url = f"/staff/buildings/{building_id}/rooms"
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get(url).text).group(1)
    return client.post(url, data={"csrf_token": token, "rooms": text}, headers=EN)


def test_rooms_are_typed_kept_when_wrong_and_saved_when_right(staff, entrance_code):
    building_id = entrance_code.building_id
    wrong = save_rooms(staff, building_id, "101, 80\n101\n102, 八十")
    assert wrong.status_code == 422
    assert "Line 2:" in wrong.text and "Line 3:" in wrong.text and "102, 八十" in wrong.text
    assert db.session.scalar(select(func.count(Household.id)).where(
        Household.building_id == building_id)) == 0
    saved = save_rooms(staff, building_id, ROOMS)
    assert saved.status_code == 303
    page = staff.get(saved.headers["Location"]).text
    assert "6 rooms added" in page or "6" in page and "302" in page


def open_one(client, entrance_code, **changes):
    save_rooms(client, entrance_code.building_id, ROOMS)
    fields = opening_form(client, **{"place": f"b{entrance_code.building_id}", **changes})
    return client.post("/staff/consultations/new", data=fields, headers=EN)


def test_bad_input_comes_back_422_with_the_reason_and_nothing_stored(staff, entrance_code):
    for changes, words in ((dict(cost="六万"), "yuan"), (dict(deadline="tomorrow"), "date"),
                           (dict(deadline="2020-01-01T10:00"), "future"),
                           (dict(choice_kind="plans", plans="only one"), "2 to 6 plans"),
                           (dict(rule="custom", rule_num="", rule_den="3"), "two whole"),
                           (dict(rule="custom", rule_num="4", rule_den="3",
                                 rule_basis="households"), "fraction"),
                           (dict(place="b999999"), "choose the place"),
                           (dict(title="长" * 101), "100")):
        response = open_one(staff, entrance_code, **changes)
        assert response.status_code == 422, changes
        assert words in response.text, (changes, words)
        assert "更换 1-6 层供暖立管及阀门" in response.text  # what was typed is kept
    assert db.session.scalar(select(func.count(Consultation.id))) == 0


def test_from_a_report_to_the_result_through_the_pages(staff, client, app, entrance_code,
                                                       users):
    report = db.session.scalars(select(Report).where(
        Report.entrance_id == entrance_code.entrance_id)).first()
    with unit_of_work():
        if report.status != "needs_consultation":
            report.status = "assigned"
            dispatch.mark_needs_consultation(report, users["dispatcher"], "需业主表决")
    page = staff.get(f"/staff/reports/{report.id}").text
    assert f"/staff/consultations/new?report={report.id}" in page
    save_rooms(staff, entrance_code.building_id, ROOMS)
    fields = opening_form(staff, place=f"b{entrance_code.building_id}", report=str(report.id))
    opened = staff.post("/staff/consultations/new", data=fields)
    assert opened.status_code == 303, opened.text[:2000]
    manage = opened.headers["Location"]
    consultation_id = int(manage.rsplit("/", 1)[1])

    # the slips decode to one link per household
    pdf = staff.get(f"{manage}/slips.pdf?layout=labels&preset=3x8&skip=2")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    links = [url.split("/v/", 1)[1] for url in qr_texts_in_pdf(pdf.data)]
    assert len(links) == 6
    assert staff.get(f"{manage}/slips.pdf?layout=A3").status_code == 422

    # the door shows the open consultation and no vote yet
    resident, neighbour = app.test_client(), app.test_client()  # who votes, who only looks
    door = neighbour.get(f"/q/{entrance_code.token}", headers=EN)
    assert "更换楼内供暖立管" in door.text and "0 of 6 households have voted" in door.text
    etag = door.headers["ETag"]

    for link, choice in zip(links[:3], ("0", "0", "1"), strict=True):
        ballot = resident.get(f"/v/{link}")
        assert ballot.status_code == 200 and ballot.headers["Cache-Control"] == \
            "private, no-store"
        voted = resident.post(f"/v/{link}", data={"csrf_token": csrf_from(ballot.text),
                                                  "choice": choice})
        assert voted.status_code == 303
    assert db.session.scalar(select(func.count(Ballot.id))) == 3
    door = neighbour.get(f"/q/{entrance_code.token}", headers=EN)
    assert door.headers["ETag"] != etag and "3 of 6 households have voted" in door.text

    # a wrong choice, then a voided slip
    ballot = resident.get(f"/v/{links[0]}")
    assert resident.post(f"/v/{links[0]}", data={"csrf_token": csrf_from(ballot.text),
                                                 "choice": "9"}, headers=EN).status_code == 422
    household_id = db.session.scalars(select(Ballot.household_id)).first()
    token = re.search(r'name="csrf_token" value="([^"]+)"', staff.get(manage).text).group(1)
    staff.post(f"{manage}/households/{household_id}/reissue", data={"csrf_token": token})
    voided = [link for link in links if resident.get(f"/v/{link}").status_code == 410]
    assert len(voided) == 1
    assert "voided" in resident.get(f"/v/{voided[0]}", headers=EN).text
    refused = resident.post(f"/v/{voided[0]}", data={
        "csrf_token": csrf_from(resident.get(f"/v/{links[1]}").text), "choice": "1"})
    assert refused.status_code == 409

    # a paper vote from the residents' meeting
    member = db.session.scalars(select(Household).where(
        Household.building_id == entrance_code.building_id, Household.room == "302")).one()
    staff.post(f"{manage}/households/{member.id}/vote", data={"csrf_token": token,
                                                              "choice": "0"})
    assert db.session.scalar(select(func.count(Ballot.id))) == 4

    # the deadline passes: the rule decides (3 of 6 agree: not two thirds)
    db.session.expire_all()  # what the pages changed meanwhile
    with unit_of_work():
        db.session.execute(update(Consultation).values(deadline=utcnow() - timedelta(minutes=1)))
        assert deciding.close_due() == 1
    public = resident.get(f"/consultations/{consultation_id}", headers=EN)
    shown = re.sub(r"<[^>]*>", " ", public.text)  # not a form's random token by chance
    assert "Not approved by the residents" in shown and "302" not in shown
    assert "4 of 6 households have voted" in public.text
    db.session.refresh(report)
    assert report.status == "closed"


def test_an_approved_result_shows_the_shares_and_staff_mark_payments(staff, client, app,
                                                                     entrance_code):
    opened = open_one(staff, entrance_code)
    manage = opened.headers["Location"]
    token = re.search(r'name="csrf_token" value="([^"]+)"', staff.get(manage).text).group(1)
    households = db.session.scalars(select(Household).where(
        Household.building_id == entrance_code.building_id)).all()
    for h in households[:4]:
        staff.post(f"{manage}/households/{h.id}/vote", data={"csrf_token": token,
                                                              "choice": "0"})
    with unit_of_work():
        db.session.execute(update(Consultation).values(deadline=utcnow() - timedelta(minutes=1)))
        deciding.close_due()
    staff.post(f"{manage}/households/{households[0].id}/paid", data={"csrf_token": token,
                                                                     "paid": "1"})
    public = app.test_client().get(manage.replace("/staff", ""), headers=EN).text
    assert "Approved by the residents" in public and "10,000.00" in public
    assert "Raised so far: 10,000.00 of 60,000.00 yuan" in public
    assert "Mark paid" in staff.get(manage, headers=EN).text
    # The board of the month shows the result and the counts, never a household.
    compound = db.session.get(Consultation, int(manage.rsplit("/", 1)[1])).compound_id
    board = app.test_client().get(f"/board/{compound}", headers=EN).text
    assert "Decided by the residents" in board and "4 of" in board and "Approved" in board
    assert households[0].room not in board
    last_year = app.test_client().get(f"/board/{compound}?month=2025-01", headers=EN).text
    assert "Decided by the residents" not in last_year


def test_a_handler_cannot_reach_the_consultation_pages(client, entrance_code):
    login(client, "mateng")
    assert client.get("/staff/consultations").status_code == 403
    assert client.get("/staff/consultations/new").status_code == 403


def test_a_door_with_a_consultation_is_still_rendered_once_and_two_statements_read(
        staff, app, entrance_code):
    from tests.web.test_caching import count_statements

    open_one(staff, entrance_code)
    visitor = app.test_client()
    first = visitor.get(f"/q/{entrance_code.token}", headers=EN)
    again, statements = count_statements(
        db.engine, lambda: visitor.get(f"/q/{entrance_code.token}", headers=EN))
    assert again.text == first.text and statements == 2  # the place, its consultations' key
    assert "s-maxage" in again.headers["Cache-Control"]


HUGE = "99999999999999999999"


def test_numbers_that_are_not_ones_are_refused_not_crashed(staff, app, entrance_code):
    manage = open_one(staff, entrance_code).headers["Location"]
    token = re.search(r'name="csrf_token" value="([^"]+)"', staff.get(manage).text).group(1)
    household_id = db.session.scalars(select(Household.id).where(
        Household.building_id == entrance_code.building_id)).first()
    for choice in (HUGE, "٣", "-1", "", "1.5"):
        answer = staff.post(f"{manage}/households/{household_id}/vote", headers=EN,
                            data={"csrf_token": token, "choice": choice})
        assert answer.status_code == 422 and "choose one of the options" in answer.text
    for query in (f"skip={HUGE}", "layout=A5&preset=9x9", f"household={HUGE}"):
        assert staff.get(f"{manage}/slips.pdf?{query}").status_code in (200, 422), query
    assert staff.get(f"/staff/consultations/new?report={HUGE}").status_code == 200
    assert staff.get(f"/staff/rooms?building={HUGE}").status_code == 404
    form = opening_form(staff, place=f"b{entrance_code.building_id}", rule="custom",
                        rule_num=HUGE, rule_den="٣", rule_basis="households")
    assert staff.post("/staff/consultations/new", data=form).status_code == 422
    assert db.session.scalar(select(func.count(Ballot.id))) == 0


def test_photos_of_the_proposal_are_public_and_re_encoded(staff, app, entrance_code):
    from tests.web.helpers import photo_upload
    from webapp.models import ConsultationPhoto

    save_rooms(staff, entrance_code.building_id, ROOMS)
    fields = opening_form(staff, place=f"b{entrance_code.building_id}")
    fields["photos"] = [photo_upload()]
    opened = staff.post("/staff/consultations/new", data=fields,
                        content_type="multipart/form-data")
    assert opened.status_code == 303
    photo = db.session.scalars(select(ConsultationPhoto)).one()
    url = f"/consultations/{photo.consultation_id}/photos/{photo.id}.jpg"
    assert url in app.test_client().get(f"/consultations/{photo.consultation_id}").text
    image = app.test_client().get(url)
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert app.test_client().get(
        f"/consultations/{photo.consultation_id}/photos/{photo.id + 1}.jpg").status_code == 404
    fields = opening_form(staff, place=f"b{entrance_code.building_id}")
    fields["photos"] = [photo_upload(b"not an image", "x.jpg")]
    refused = staff.post("/staff/consultations/new", data=fields,
                         content_type="multipart/form-data")
    assert refused.status_code == 422
    assert db.session.scalar(select(func.count(Consultation.id))) == 1
