"""POST requests: keys, services, attributes, places, contact values, and filing through the same
workflow as a scanned report."""

import pytest
from sqlalchemy import select

from tests.conftest import login
from tests.open311.helpers import (
    PLACE,
    V2,
    add_question,
    errors_of,
    file_request,
    json_of,
    post,
    report_count,
    report_numbered,
    tags,
    xml_of,
)
from webapp.domain import unit_of_work
from webapp.domain.people import api_clients
from webapp.domain.places import editing
from webapp.domain.reports import questions
from webapp.extensions import db
from webapp.models import ApiKey, Building, Compound, Entrance, Open311Request, QrCode, ReportAnswer


@pytest.mark.parametrize("ext", ["json", "xml"])
def test_post_without_a_key_or_with_a_wrong_one_is_403(client, key, ext):
    before = report_count()
    for fields in ({}, {"api_key": "ms311_wrong"}, {"api_key": key[:-1]}):
        response = post(client, ext, service_code="water", address_string=PLACE, **fields)
        assert response.status_code == 403
        [(code, description)] = errors_of(response, ext)
        assert code == 403 and "api_key" in description
    assert report_count() == before


def test_a_revoked_key_stops_working(client, key):
    file_request(client, key)
    with unit_of_work():
        api_clients.revoke_key(db.session.scalar(select(ApiKey)))
    assert post(client, api_key=key, service_code="water", address_string=PLACE
                ).status_code == 403


def test_post_with_an_unknown_or_missing_service(client, key):
    unknown = post(client, "xml", api_key=key, service_code="potholes", address_string=PLACE)
    assert unknown.status_code == 404 and errors_of(unknown, "xml")[0][0] == 404
    missing = post(client, api_key=key, address_string=PLACE)
    assert missing.status_code == 400 and "service_code" in errors_of(missing)[0][1]
    booking = json_of(client.get(f"{V2}/services.json?jurisdiction_id=bayi"))[-1]
    refused = post(client, api_key=key, service_code=booking["service_code"],
                   address_string=PLACE)
    assert refused.status_code == 400


@pytest.mark.parametrize("ext", ["json", "xml"])
def test_post_missing_a_required_attribute_lists_every_problem(client, key, ext):
    add_question()
    before = report_count()
    response = post(client, ext, api_key=key, service_code="greenery", address_id="nowhere",
                    email="not-an-address")
    assert response.status_code == 400
    descriptions = [d for _c, d in errors_of(response, ext)]
    assert any(d.startswith("attribute[tree]") for d in descriptions)
    assert any("address_id" in d for d in descriptions)
    assert any("email" in d for d in descriptions)
    wrong_value = post(client, ext, api_key=key, service_code="greenery",
                       address_string=PLACE, **{"attribute[tree]": "oak"})
    assert wrong_value.status_code == 400
    assert report_count() == before

    number = file_request(client, key, service_code="greenery", **{"attribute[tree]": "pine"})
    answers = db.session.scalars(select(ReportAnswer).where(
        ReportAnswer.report_id == report_numbered(number).id)).all()
    assert [(a.question.code, a.value) for a in answers] == [("tree", "pine")]


def test_multivaluelist_answers_in_the_specs_array_form(client, key):
    add_question(code="issues", datatype="multivaluelist", required=False,
                 values="dead | 枯死 | Dead\nleaning | 倾斜 | Leaning\n"
                        "branch | 断枝 | Broken branch")
    number = file_request(client, key, service_code="greenery",
                          **{"attribute[issues][]": ["leaning", "branch"]})
    answer = db.session.scalar(select(ReportAnswer).where(
        ReportAnswer.report_id == report_numbered(number).id))
    assert questions.display_value(answer, "en") == "Leaning, Broken branch"


@pytest.mark.parametrize("fields, word", [
    ({}, "location"),
    ({"address_id": "E999999"}, "address_id"),
    ({"address_string": "人民路 88 号"}, "address_string"),
    ({"address_string": "1号楼"}, "address_string"),        # which compound?
    ({"lat": "37.8", "long": "112.5"}, "within"),          # no building has coordinates
    ({"lat": "north", "long": "112.5"}, "lat"),
    ({"lat": "137.8", "long": "112.5"}, "range"),
])
def test_post_with_a_bad_location_is_400(client, key, fields, word):
    before = report_count()
    response = post(client, api_key=key, service_code="water", **fields)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert word in errors_of(response)[0][1]
    assert report_count() == before


def test_a_place_of_another_community_is_not_found(client, key):
    other = db.session.scalar(select(Entrance).join(Building).join(Compound)
                              .where(Compound.name == "东方花苑"))
    response = post(client, api_key=key, service_code="water", address_id=f"E{other.id}")
    assert response.status_code == 400
    wrong = post(client, api_key=key, service_code="water", address_string=PLACE,
                 jurisdiction_id="xinqiaobeicun")
    assert wrong.status_code == 403


def test_every_kind_of_location_finds_its_place(client, key, entrance_code):
    by_token = report_numbered(file_request(client, key, address_string=None,
                                            address_id=entrance_code.token))
    assert by_token.qr_code_id == entrance_code.id
    assert (by_token.building_id, by_token.entrance_id) == \
        (entrance_code.building_id, entrance_code.entrance_id)
    by_id = report_numbered(file_request(client, key, address_string=None,
                                         address_id=str(entrance_code.entrance_id)))
    assert by_id.entrance_id == entrance_code.entrance_id and by_id.qr_code_id is None
    by_words = report_numbered(file_request(client, key, address_string="微波宿舍1栋 2 单元"))
    assert by_words.entrance_id == entrance_code.entrance_id
    building_only = report_numbered(file_request(client, key, address_string="微波宿舍"))
    assert (building_only.building_id, building_only.entrance_id) == \
        (entrance_code.building_id, None)

    building = db.session.get(Building, entrance_code.building_id)
    building.latitude, building.longitude = 37.8123, 112.5678
    db.session.commit()
    near = report_numbered(file_request(client, key, address_string=None,
                                        lat="37.8127", long="112.5671"))
    assert near.building_id == building.id and near.entrance_id is None
    replaced = entrance_code.token
    workflow_code = db.session.get(QrCode, entrance_code.id)

    with unit_of_work():
        editing.replace_code(workflow_code)
    response = post(client, api_key=key, service_code="water", address_id=replaced)
    assert response.status_code == 400 and "replaced" in errors_of(response)[0][1]


def test_a_posted_request_is_a_report_in_the_dispatchers_queue(client, key, users):
    response = post(client, api_key=key, service_code="water", address_string=PLACE,
                    description="楼道的水管漏水了", first_name="小明", last_name="王",
                    phone="139 0000 1111", email="wang@example.org",
                    media_url="https://example.org/leak.jpg", **{"attribute[leak_place]": "home"})
    assert response.status_code == 200
    [answer] = json_of(response)
    assert set(answer) == {"service_request_id", "service_notice", "account_id"}
    assert "30" in answer["service_notice"]
    report = report_numbered(answer["service_request_id"])
    assert report.channel == "open311" and report.status == "submitted"
    assert (report.contact_name, report.contact_phone) == ("小明 王", "13900001111")
    assert [e.kind for e in report.events] == ["submitted"]
    assert [m.name for m in report.milestones] == ["accept"]  # the SLA clock runs
    details = db.session.scalar(select(Open311Request).where(
        Open311Request.report_id == report.id))
    assert details.email == "wang@example.org" and details.api_key.client_name == "Test client"
    assert details.api_key.last_used_at is not None

    login(client, "dispatcher")
    queue = client.get("/staff/queue?tab=all").get_data(as_text=True)
    assert report.number in queue
    page = client.get(f"/staff/reports/{report.id}").get_data(as_text=True)
    assert "Test client" in page and "wang@example.org" in page and "室内" in page


@pytest.mark.parametrize("phone", ["123", "1" * 61, "0351-7654321-1234567890123456789012",
                                   "call me"])
def test_an_unreadable_or_over_long_phone_is_refused_whole(client, key, phone):
    before = report_count()
    response = post(client, api_key=key, service_code="water", address_string=PLACE,
                    phone=phone)
    assert response.status_code == 400
    assert any(d.startswith("phone") for _c, d in errors_of(response))
    assert report_count() == before


def test_post_answers_in_xml_too(client, key):
    response = post(client, "xml", api_key=key, service_code="water", address_string=PLACE)
    root = xml_of(response)
    assert root.tag == "service_requests"
    assert tags(root.find("request")) == ["service_request_id", "service_notice", "account_id"]
    assert report_numbered(root.findtext("request/service_request_id")) is not None


def test_odd_form_values_get_an_error_list_not_a_500(client, key):
    for fields in ({"first_name": "李\x00"}, {"address_id": "E²"}, {"address_id": "E99999999999"},
                   {"address_string": "\x00"}):
        response = post(client, api_key=key, service_code="water", **fields)
        assert response.status_code == 400, fields
    assert client.get(f"{V2}/media/99999999999.jpg").status_code == 404
