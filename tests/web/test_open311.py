"""The Open311 GeoReport v2 API: every endpoint in both formats, the spec's element names and
error lists, filing through the same workflow as a scanned report, and no personal data out."""

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import FreshContextClient, app_on_a_copy, app_secret, jpeg_bytes, login
from tests.web.helpers import open_report_form, report_fields
from webapp.domain import api_clients, questions, tokens, unit_of_work, workflow
from webapp.domain.demo import load_demo_data
from webapp.domain.photos import process_photo
from webapp.extensions import db
from webapp.models import (
    ApiKey,
    Building,
    Category,
    CategoryQuestion,
    Community,
    Compound,
    Entrance,
    Open311Request,
    QrCode,
    Report,
    ReportAnswer,
    User,
)
from webapp.models.types import utcnow

V2 = "/open311/v2"
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords",
                  "group"]
REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name",
                  "service_code", "description", "agency_responsible", "service_notice",
                  "requested_datetime", "updated_datetime", "expected_datetime", "address",
                  "address_id", "lat", "long", "media_url"]
ATTRIBUTE_FIELDS = ["variable", "code", "datatype", "required", "datatype_description", "order",
                    "description"]
PLACE = "微波宿舍 1号楼 2单元"


@pytest.fixture
def key(demo):
    """A key of 八一社区's community office for a test client."""
    community = db.session.scalar(select(Community).where(Community.code == "bayi"))
    with unit_of_work():
        return api_clients.issue_key(community, "Test client")[1]


def csrf_from_page(html: str) -> str:
    """The CSRF token of a page, whichever way round its input's attributes are written."""
    return re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', html).group(1)


def xml_of(response):
    assert response.content_type == "text/xml; charset=utf-8"
    assert response.data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.data)


def json_of(response):
    assert response.content_type == "application/json; charset=utf-8"
    return response.get_json()


def tags(element) -> list[str]:
    return [child.tag for child in element]


def post(client, ext="json", headers=None, **fields):
    """A form-encoded POST; messages in English unless other headers are given."""
    return client.post(f"{V2}/requests.{ext}", data=fields,
                       headers={"Accept-Language": "en"} if headers is None else headers)


def file_request(client, key, **fields):
    data = {"api_key": key, "service_code": "water", "address_string": PLACE,
            "description": "楼道的水管漏水了", **fields}
    response = post(client, **{k: v for k, v in data.items() if v is not None})
    assert response.status_code == 200, response.get_data(as_text=True)
    return json_of(response)[0]["service_request_id"]


def report_numbered(number) -> Report:
    db.session.expire_all()
    return db.session.scalar(select(Report).where(Report.number == number))


def report_count() -> int:
    return db.session.scalar(select(func.count(Report.id)))


def errors_of(response, ext="json"):
    if ext == "json":
        return [(e["code"], e["description"]) for e in json_of(response)]
    root = xml_of(response)
    assert root.tag == "errors" and all(e.tag == "error" for e in root)
    return [(int(e.findtext("code")), e.findtext("description")) for e in root]


def add_question(category_code="greenery", **fields):
    category = db.session.scalar(select(Category).where(Category.code == category_code))
    form = {"code": "tree", "datatype": "singlevaluelist", "variable": "1", "required": "1",
            "order": "1", "description_zh": "哪种树？", "description_en": "Which tree?",
            "values": "pine | 松树 | Pine\nwillow | 柳树 | Willow", **fields}
    bayi = db.session.scalar(select(Community.id).where(Community.code == "bayi"))
    return questions.save_question(category, bayi, form)


# --- discovery, services, service definitions ----------------------------------------------

def test_discovery_in_both_formats_links_the_developer_page(client, demo):
    data = json_of(client.get(f"{V2}/discovery.json"))
    assert set(data) == {"changeset", "contact", "key_service", "endpoints"}
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert "/open311" in data["key_service"] and "0351-7654321" in data["contact"]

    root = xml_of(client.get(f"{V2}/discovery.xml"))
    assert root.tag == "discovery"
    assert tags(root) == ["changeset", "contact", "key_service", "endpoints"]
    xml_endpoint = root.find("endpoints/endpoint")
    assert tags(xml_endpoint) == ["specification", "url", "changeset", "type", "formats"]
    assert [f.text for f in xml_endpoint.find("formats")] == ["text/xml", "application/json"]
    assert client.get("/open311").status_code == 200


def test_services_list_categories_and_bookable_services_in_both_formats(client, demo):
    services = json_of(client.get(f"{V2}/services.json?jurisdiction_id=bayi"))
    assert isinstance(services, list)
    by_code = {s["service_code"]: s for s in services}
    water = by_code["water"]
    assert list(water) == SERVICE_FIELDS
    assert water["service_name"] == "水电 · 上下水" and water["type"] == "realtime"
    assert water["metadata"] is True  # the demo asks where the leak is
    assert by_code["greenery"]["metadata"] is False
    assert "Water and drains" in water["keywords"]
    categories = db.session.scalar(select(func.count(Category.id)).where(Category.active))
    bookable = [s for s in services if s["service_code"].startswith("booking-")]
    assert len(services) == categories + len(bookable) and bookable
    assert len({s["group"] for s in bookable}) == 1
    assert bookable[0]["group"] != water["group"]

    root = xml_of(client.get(f"{V2}/services.xml?jurisdiction_id=bayi"))
    assert root.tag == "services" and len(root) == len(services)
    first = root.find("service")
    assert tags(first) == SERVICE_FIELDS
    assert first.findtext("metadata") in ("true", "false")


def test_service_names_follow_the_asked_language(client, demo):
    english = json_of(client.get(f"{V2}/services.json?jurisdiction_id=bayi&locale=en"))
    assert english[0]["service_name"] == "Water and drains"
    by_header = json_of(client.get(f"{V2}/services.json?jurisdiction_id=bayi",
                                   headers={"Accept-Language": "en-GB,en;q=0.9"}))
    assert by_header[0]["service_name"] == "Water and drains"


def test_jurisdiction_is_needed_with_two_communities_and_must_exist(client, demo):
    missing = client.get(f"{V2}/services.json")
    assert missing.status_code == 400
    assert "jurisdiction_id" in errors_of(missing)[0][1]
    unknown = client.get(f"{V2}/services.xml?jurisdiction_id=nowhere")
    assert unknown.status_code == 404 and errors_of(unknown, "xml")[0][0] == 404
    other = json_of(client.get(f"{V2}/services.json?jurisdiction_id=xinqiaobeicun"))
    assert not [s for s in other if s["service_code"].startswith("booking-")]


def test_service_definition_gives_the_category_questions_as_attributes(client, demo):
    question = add_question()
    add_question(code="height", datatype="number", required="", order="2",
                 description_zh="大约多高？", description_en="How tall?", values="")
    data = json_of(client.get(f"{V2}/services/greenery.json?jurisdiction_id=bayi&locale=en"))
    assert data["service_code"] == "greenery"
    tree, height = data["attributes"]
    assert list(tree)[:len(ATTRIBUTE_FIELDS)] == ATTRIBUTE_FIELDS
    assert tree == {"variable": True, "code": "tree", "datatype": "singlevaluelist",
                    "required": True, "datatype_description": None, "order": 1,
                    "description": "Which tree?",
                    "values": [{"key": "pine", "name": "Pine"},
                               {"key": "willow", "name": "Willow"}]}
    assert height["datatype"] == "number" and "values" not in height

    root = xml_of(client.get(f"{V2}/services/greenery.xml?jurisdiction_id=bayi"))
    assert root.tag == "service_definition"
    assert tags(root) == ["service_code", "attributes"]
    attribute = root.find("attributes/attribute")
    assert tags(attribute) == ATTRIBUTE_FIELDS + ["values"]
    assert attribute.findtext("description") == "哪种树？"
    assert [(v.findtext("key"), v.findtext("name")) for v in attribute.find("values")] == \
        [("pine", "松树"), ("willow", "柳树")]

    questions.remove_question(question)
    assert [a["code"] for a in json_of(client.get(
        f"{V2}/services/greenery.json?jurisdiction_id=bayi"))["attributes"]] == ["height"]


def test_unknown_service_definition_is_404_in_both_formats(client, demo):
    for ext in ("json", "xml"):
        response = client.get(f"{V2}/services/nothing.{ext}")
        assert response.status_code == 404
        assert errors_of(response, ext)[0][0] == 404
    booking = json_of(client.get(f"{V2}/services.json?jurisdiction_id=bayi"))[-1]
    definition = json_of(client.get(f"{V2}/services/{booking['service_code']}.json"))
    assert definition["attributes"] == []


# --- POST requests: keys, services, attributes, places -------------------------------------

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
    add_question(code="issues", datatype="multivaluelist", required="",
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
    from webapp.domain import place_admin

    place_admin.replace_code(workflow_code)
    response = post(client, api_key=key, service_code="water", address_id=replaced)
    assert response.status_code == 400 and "replaced" in errors_of(response)[0][1]


# --- the same workflow as a scanned report -------------------------------------------------

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


def test_a_status_change_shows_in_get(client, key, users):
    number = file_request(client, key)
    listed = json_of(client.get(f"{V2}/requests/{number}.json"))[0]
    assert listed["status"] == "open" and listed["agency_responsible"] is None
    report = report_numbered(number)
    assert W3C.match(listed["expected_datetime"])
    workflow.assign(report, users["dispatcher"], report.compound.partner_org, users["mateng"])
    assigned = json_of(client.get(f"{V2}/requests/{number}.json"))[0]
    assert assigned["agency_responsible"] == report.compound.partner_org.name
    workflow.accept(report, users["mateng"])
    workflow.arrive(report, users["mateng"])
    workflow.resolve(report, users["mateng"], "已更换漏水的水管接头。")
    for ext in ("json", "xml"):
        response = client.get(f"{V2}/requests/{number}.{ext}")
        if ext == "json":
            done = json_of(response)[0]
        else:
            done = {child.tag: child.text for child in xml_of(response).find("request")}
        assert done["status"] == "closed"
        assert done["status_notes"] == "已更换漏水的水管接头。"
        assert not done["expected_datetime"]
    closed = json_of(client.get(f"{V2}/requests.json?jurisdiction_id=bayi&status=closed"))
    assert number in [r["service_request_id"] for r in closed]
    still_open = json_of(client.get(f"{V2}/requests.json?jurisdiction_id=bayi&status=open"))
    assert number not in [r["service_request_id"] for r in still_open]


def test_expected_datetime_follows_the_sla_clock(client, key):
    number = file_request(client, key)
    report = report_numbered(number)
    accept_due = report.milestones[0].due_at
    expected = json_of(client.get(f"{V2}/requests/{number}.json"))[0]["expected_datetime"]
    # accept (30) is running; then on site (5) and fixed (20): 25 minutes after accept is due.
    assert abs(datetime.fromisoformat(expected) - (accept_due + timedelta(minutes=25))) < \
        timedelta(seconds=1)


# --- GET requests --------------------------------------------------------------------------

def test_get_requests_in_both_formats_with_the_specs_fields(client, key):
    number = file_request(client, key)
    listed = json_of(client.get(f"{V2}/requests.json?jurisdiction_id=bayi"))
    assert isinstance(listed, list) and listed[0]["service_request_id"] == number
    assert all(list(r) == REQUEST_FIELDS for r in listed)
    for field in ("requested_datetime", "updated_datetime"):
        assert W3C.match(listed[0][field]), listed[0][field]
    assert listed[0]["address"] == "1号楼, 微波宿舍, 八一社区"
    assert re.fullmatch(r"E\d+", listed[0]["address_id"])

    root = xml_of(client.get(f"{V2}/requests.xml?jurisdiction_id=bayi"))
    assert root.tag == "service_requests"
    assert all(r.tag == "request" and tags(r) == REQUEST_FIELDS for r in root)
    assert root.find("request/service_request_id").text == number
    assert len(root) == len(listed)

    one = xml_of(client.get(f"{V2}/requests/{number}.xml"))
    assert tags(one) == ["request"] and one.findtext("request/status") == "open"
    missing = client.get(f"{V2}/requests/19990101-0001.json")
    assert missing.status_code == 404 and errors_of(missing)[0][0] == 404


def test_get_requests_filters(client, key):
    water = file_request(client, key)
    greenery = file_request(client, key, service_code="greenery")
    base = f"{V2}/requests.json?jurisdiction_id=bayi"

    def numbers(query):
        response = client.get(base + query)
        assert response.status_code == 200, response.get_data(as_text=True)
        return [r["service_request_id"] for r in json_of(response)]

    assert numbers("&service_code=greenery") == [greenery]
    assert set(numbers("&service_code=greenery,water")) >= {water, greenery}
    # service_request_id overrides every other filter
    assert sorted(numbers(f"&service_request_id={water},{greenery}&service_code=parking")) == \
        sorted([water, greenery])
    assert numbers("&start_date=2000-01-01T00:00:00Z&end_date=2000-02-01T00:00:00Z") == []
    today = utcnow()
    since = (today - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert greenery in numbers(f"&start_date={since}")
    assert numbers("&page_size=1") == [greenery]
    assert numbers("&page_size=1&page=2") == [water]

    for bad in ("&start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
                "&start_date=yesterday", "&status=pending", "&page=0", "&page_size=5000"):
        response = client.get(base + bad)
        assert response.status_code == 400, bad
        assert errors_of(response)[0][0] == 400


def test_default_page_is_a_hundred_of_the_last_90_days(client, key, entrance_code):
    category = db.session.scalar(select(Category.id).where(Category.code == "water"))
    for n in range(101):
        draft = workflow.ReportDraft(submission_key=f"page-test-key-{n:05d}",
                                     category_id=category, description="漏水了")
        workflow.submit_report(entrance_code, draft, [], None, secret=app_secret())
    old = workflow.ReportDraft(submission_key="page-test-old-00001", category_id=category,
                               description="很早以前")
    workflow.submit_report(entrance_code, old, [], None, now=utcnow() - timedelta(days=100),
                           secret=app_secret())
    response = client.get(f"{V2}/requests.json?jurisdiction_id=bayi")
    assert len(json_of(response)) == 100 and response.headers["X-Page-Size"] == "100"
    everything = json_of(client.get(f"{V2}/requests.json?jurisdiction_id=bayi&page_size=1000"))
    assert len(everything) == 101 + 2  # and the demo's two of 八一社区; not the old one
    assert "很早以前" not in {r["description"] for r in everything}


# --- privacy -------------------------------------------------------------------------------

def test_no_name_phone_room_or_email_leaks_through_get(client, key, entrance_code):
    category = db.session.scalar(select(Category.id).where(Category.code == "water"))
    draft = workflow.ReportDraft(
        submission_key="privacy-test-000001", category_id=category,
        description="张三丰家302室门口漏水，电话13912345678，邮件 zsf@example.org",
        floor_room="3楼302室", contact_name="张三丰", contact_phone="13912345678")
    scanned, _ = workflow.submit_report(entrance_code, draft, [], None, secret=app_secret())
    posted = file_request(client, key, first_name="李", last_name="四光", phone="13887654321",
                          email="lisiguang@example.org",
                          description="请联系李四光 138 8765 4321")
    bodies = []
    for ext in ("json", "xml"):
        bodies.append(client.get(f"{V2}/requests.{ext}?jurisdiction_id=bayi").get_data(
            as_text=True))
        for number in (scanned.number, posted):
            bodies.append(client.get(f"{V2}/requests/{number}.{ext}").get_data(as_text=True))
    for body in bodies:
        for secret in ("张三丰", "13912345678", "302", "zsf@example.org", "李四光",
                       "13887654321", "8765", "lisiguang"):
            assert secret not in body, (secret, body[max(0, body.find(secret) - 200):][:300])
    described = json_of(client.get(f"{V2}/requests/{scanned.number}.json"))[0]["description"]
    assert described.startswith("***家***") and "门口漏水" in described


def bodies_of(client, number) -> str:
    """Everything GET requests says about a request, as a list and alone, JSON and XML."""
    return "".join(client.get(url).get_data(as_text=True) for ext in ("json", "xml") for url in (
        f"{V2}/requests.{ext}?jurisdiction_id=bayi", f"{V2}/requests/{number}.{ext}"))


def test_numbers_with_dots_slashes_or_full_width_digits_are_masked_too(client, key):
    number = file_request(
        client, key, phone="138.0013.8000",
        description="楼道漏水。我的电话138.0013.8000，邻居138/0013/8001，老伴＋８６ １３９ "
                    "１２３４ ５６７８，座机(0351)765-4399转12，身份证11010519900101123X，"
                    "微信 lao_wang88，QQ 12345678，邮箱 laowang＠example．org")
    assert report_numbered(number).contact_phone == "13800138000"
    body = bodies_of(client, number)
    for secret in ("0013", "１２３４", "765-4399", "11010519900101123X", "lao_wang88",
                   "12345678", "laowang"):
        assert secret not in body, (secret, body[max(0, body.find(secret) - 200):][:300])
    assert "楼道漏水" in body


def test_public_replies_and_resolution_notes_are_masked_in_status_notes(client, key, users):
    number = file_request(client, key, first_name="王", last_name="建国", phone="13800138000")
    report = report_numbered(number)
    workflow.public_reply(report, users["dispatcher"],
                          "王建国您好，师傅电话 139.1234.5678，微信 shifu_li，今天下午到。")
    notes = json_of(client.get(f"{V2}/requests/{number}.json"))[0]["status_notes"]
    assert "今天下午到" in notes
    for secret in ("王建国", "5678", "shifu_li"):
        assert secret not in notes and secret not in bodies_of(client, number)


def test_a_private_category_is_counted_but_says_nothing(client, key, users, app):
    dispute = db.session.scalar(select(Category).where(Category.code == "dispute"))
    assert dispute.is_private  # the standard neighbour-dispute category starts private
    folder = workflow.upload_folder_for_reports(app.config["UPLOAD_FOLDER"])
    draft = workflow.ReportDraft(submission_key="private-test-00001", category_id=dispute.id,
                                 description="楼上赵家每晚吵到十二点")
    entrance = db.session.scalars(select(QrCode).where(QrCode.entrance_id.is_not(None))).first()
    report, _ = workflow.submit_report(entrance, draft, [process_photo(jpeg_bytes())], folder,
                                       secret=app_secret())
    workflow.public_reply(report, users["dispatcher"], "已找赵家谈过")
    workflow.set_photos_public(report, users["dispatcher"], True)
    listed = json_of(client.get(f"{V2}/requests.json?jurisdiction_id=bayi&page_size=1000"))
    mine = [r for r in listed if r["service_request_id"] == report.number]
    assert len(mine) == 1 and mine[0]["service_code"] == "dispute"  # still counted
    alone = json_of(client.get(f"{V2}/requests/{report.number}.json"))[0]
    for shown in (mine[0], alone):
        assert (shown["description"], shown["status_notes"], shown["media_url"]) == \
            (None, None, None)
    body = bodies_of(client, report.number)
    assert "赵家" not in body
    assert client.get(f"{V2}/media/{report.photos[0].id}.jpg").status_code == 404


@pytest.mark.parametrize("phone", ["123", "1" * 61, "0351-7654321-1234567890123456789012",
                                   "call me"])
def test_an_unreadable_or_over_long_phone_is_refused_whole(client, key, phone):
    before = report_count()
    response = post(client, api_key=key, service_code="water", address_string=PLACE,
                    phone=phone)
    assert response.status_code == 400
    assert any(d.startswith("phone") for _c, d in errors_of(response))
    assert report_count() == before


def test_a_report_hidden_from_the_board_keeps_its_words_to_itself(client, key, users):
    number = file_request(client, key, description="邻居家的事")
    report = report_numbered(number)
    workflow.set_hidden_from_board(report, users["dispatcher"], True)
    shown = json_of(client.get(f"{V2}/requests/{number}.json"))[0]
    assert shown["status"] == "open" and shown["description"] is None


def test_media_url_only_when_staff_published_the_photos(client, key, app, entrance_code):
    category = db.session.scalar(select(Category.id).where(Category.code == "water"))
    folder = workflow.upload_folder_for_reports(app.config["UPLOAD_FOLDER"])
    draft = workflow.ReportDraft(submission_key="media-test-0000001", category_id=category,
                                 description="漏水，见照片")
    report, _ = workflow.submit_report(entrance_code, draft, [process_photo(jpeg_bytes())],
                                       folder, secret=app_secret())
    photo_id = report.photos[0].id
    url = f"{V2}/requests/{report.number}.json"
    assert json_of(client.get(url))[0]["media_url"] is None
    assert client.get(f"{V2}/media/{photo_id}.jpg").status_code == 404

    login(client, "dispatcher")
    page = client.get(f"/staff/reports/{report.id}").get_data(as_text=True)
    response = client.post(f"/staff/reports/{report.id}/publish_photos",
                           data={"csrf_token": csrf_from_page(page), "public": "1"})
    assert response.status_code == 303
    media_url = json_of(client.get(url))[0]["media_url"]
    assert media_url.endswith(f"/open311/v2/media/{photo_id}.jpg")
    image = client.get(media_url)
    assert image.status_code == 200 and image.content_type == "image/jpeg"
    assert image.data[:2] == b"\xff\xd8"

    workflow.set_photos_public(report_numbered(report.number), db.session.scalar(
        select(User).where(User.username == "dispatcher")), False)
    assert json_of(client.get(url))[0]["media_url"] is None
    assert client.get(f"{V2}/media/{photo_id}.jpg").status_code == 404


# --- tokens --------------------------------------------------------------------------------

def test_tokens_resolve_to_the_request(client, key):
    response = post(client, api_key=key, service_code="water", address_string=PLACE)
    number = json_of(response)[0]["service_request_id"]
    token = response.headers["X-Open311-Token"]
    assert len(token) >= 20
    assert json_of(client.get(f"{V2}/tokens/{token}.json")) == \
        [{"service_request_id": number, "token": token}]
    root = xml_of(client.get(f"{V2}/tokens/{token}.xml"))
    assert root.tag == "service_requests"
    assert tags(root.find("request")) == ["service_request_id", "token"]
    assert root.findtext("request/service_request_id") == number
    unknown = client.get(f"{V2}/tokens/nothing-like-it.xml")
    assert unknown.status_code == 404 and errors_of(unknown, "xml")[0][0] == 404


def test_post_answers_in_xml_too(client, key):
    response = post(client, "xml", api_key=key, service_code="water", address_string=PLACE)
    root = xml_of(response)
    assert root.tag == "service_requests"
    assert tags(root.find("request")) == ["service_request_id", "service_notice", "account_id"]
    assert report_numbered(root.findtext("request/service_request_id")) is not None


# --- keys, rate limits, CSRF ---------------------------------------------------------------

def test_admins_issue_a_key_shown_once_and_stored_only_as_a_hash(client, demo):
    login(client, "admin")
    page = client.get("/admin/api-keys")
    assert page.status_code == 200
    issued = client.post("/admin/api-keys", data={"csrf_token": csrf_from_page(page.text),
                                                 "client_name": "区12345热线"})
    assert issued.status_code == 200 and issued.headers["Cache-Control"] == "private, no-store"
    raw = re.search(r'id="new-key" type="text" readonly value="([^"]+)"', issued.text).group(1)
    stored = db.session.scalar(select(ApiKey).where(ApiKey.client_name == "区12345热线"))
    assert raw not in (stored.key_hash, stored.key_prefix) and stored.key_hash == \
        tokens.digest(raw)
    assert raw not in client.get("/admin/api-keys").text  # shown only that once
    client.post("/logout", data={"csrf_token": csrf_from_page(page.text)})

    api = FreshContextClient(client.application)
    assert post(api, api_key=raw, service_code="water", address_string=PLACE).status_code == 200

    login(client, "admin")
    page = client.get("/admin/api-keys")
    revoked = client.post(f"/admin/api-keys/{stored.id}/revoke",
                          data={"csrf_token": csrf_from_page(page.text), "confirmed": "1"})
    assert revoked.status_code == 303
    assert post(api, api_key=raw, service_code="water", address_string=PLACE).status_code == 403


def test_admin_pages_keep_csrf_while_the_api_needs_none(client, key):
    login(client, "admin")
    refused = client.post("/admin/api-keys", data={"client_name": "no token"})
    assert refused.status_code == 400
    assert db.session.scalar(select(ApiKey).where(ApiKey.client_name == "no token")) is None
    # The API post above carried no CSRF token either, and was accepted.
    file_request(client, key)


def test_only_admins_manage_keys(client, demo):
    login(client, "dispatcher")
    assert client.get("/admin/api-keys").status_code == 403


def test_cli_issues_a_key(app, demo):
    result = app.test_cli_runner().invoke(args=["open311", "key", "create", "FixMyStreet",
                                                "--community", "bayi"])
    assert result.exit_code == 0, result.output
    raw = result.output.strip().splitlines()[-1]
    assert api_clients.key_for(raw).client_name == "FixMyStreet"
    listed = app.test_cli_runner().invoke(args=["open311", "key", "list"])
    assert "FixMyStreet" in listed.output and raw not in listed.output
    ambiguous = app.test_cli_runner().invoke(args=["open311", "key", "create", "X"])
    assert ambiguous.exit_code != 0


def test_post_is_rate_limited_per_key(migrated_db, tmp_path):
    app = app_on_a_copy(migrated_db, tmp_path, TESTING=True, RATELIMIT_ENABLED=True,
                        RATELIMIT_OPEN311_POST="2 per minute")
    app.test_client_class = FreshContextClient
    with app.app_context():
        load_demo_data(app_secret())
        bayi = db.session.scalar(select(Community).where(Community.code == "bayi"))
        with unit_of_work():
            first = api_clients.issue_key(bayi, "one")[1]
            second = api_clients.issue_key(bayi, "two")[1]
        client = app.test_client()
        for _ in range(2):
            assert post(client, api_key=first, service_code="water",
                        address_string=PLACE).status_code == 200
        for ext in ("json", "xml"):
            limited = post(client, ext, api_key=first, service_code="water",
                           address_string=PLACE)
            assert limited.status_code == 429
            assert errors_of(limited, ext)[0][0] == 429
            assert limited.headers["Retry-After"]
        assert post(client, api_key=second, service_code="water",
                    address_string=PLACE).status_code == 200
        # Reading is not limited by the POST limit.
        assert client.get(f"{V2}/requests.json?jurisdiction_id=bayi").status_code == 200
        db.session.remove()
        db.engine.dispose()


# --- the extra questions on the resident form and the admin page ---------------------------

def test_the_resident_form_asks_the_same_questions(client, entrance_code):
    add_question()
    page = client.get(f"/q/{entrance_code.token}/report").get_data(as_text=True)
    question = db.session.scalar(select(CategoryQuestion).where(CategoryQuestion.code == "tree"))
    assert f'name="q{question.id}"' in page and "哪种树？" in page
    assert 'data-category="' in page

    greenery = str(question.category_id)
    hidden = open_report_form(client, entrance_code.token)
    refused = client.post(f"/q/{entrance_code.token}/report",
                          data=report_fields(hidden, category=greenery,
                                             description="小区门口的树歪了，快倒了"))
    assert refused.status_code == 422
    assert "小区门口的树歪了" in refused.text and f'id="q{question.id}-error"' in refused.text
    assert report_count() == 3

    hidden = open_report_form(client, entrance_code.token)
    fields = report_fields(hidden, category=greenery, description="小区门口的树歪了，快倒了")
    fields[f"q{question.id}"] = "willow"
    # Answers to another category's questions are not read.
    fields["q1"] = "roof"
    assert client.post(f"/q/{entrance_code.token}/report", data=fields).status_code == 303
    report = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
    answers = db.session.scalars(select(ReportAnswer).where(ReportAnswer.report_id == report.id)
                                 ).all()
    assert [(a.question.code, a.value) for a in answers] == [("tree", "willow")]
    assert report.channel == "qr"

    login(client, "dispatcher")
    staff_page = client.get(f"/staff/reports/{report.id}").get_data(as_text=True)
    assert "哪种树？" in staff_page and "柳树" in staff_page


def test_a_bad_number_answer_is_refused_on_the_form(client, entrance_code):
    floor = db.session.scalar(select(CategoryQuestion).where(CategoryQuestion.code == "floor"))
    hidden = open_report_form(client, entrance_code.token)
    fields = report_fields(hidden, category=str(floor.category_id), description="电梯卡住了")
    fields[f"q{floor.id}"] = "五楼"
    refused = client.post(f"/q/{entrance_code.token}/report", data=fields,
                          headers={"Accept-Language": "en"})
    assert refused.status_code == 422 and "Please enter a number." in refused.text
    assert 'value="五楼"' in refused.text


def test_admins_edit_the_questions(client, demo):
    login(client, "admin")
    page = client.get("/admin/categories").get_data(as_text=True)
    assert "Where is the leak?" in page or "哪里漏水？" in page
    parking = db.session.scalar(select(Category).where(Category.code == "parking"))
    token = csrf_from_page(page)
    form = {"csrf_token": token, "code": "plate", "variable": "1", "datatype": "string",
            "order": "1", "required": "1", "description_zh": "车牌号", "description_en": "Plate",
            "datatype_description_zh": "", "datatype_description_en": "", "values": ""}
    bad = client.post(f"/admin/categories/{parking.id}/questions",
                      data={**form, "datatype": "singlevaluelist", "code": "kind"})
    assert bad.status_code == 422 and 'value="kind"' in bad.text
    added = client.post(f"/admin/categories/{parking.id}/questions", data=form)
    assert added.status_code == 303
    definition = json_of(client.get(f"{V2}/services/parking.json?jurisdiction_id=bayi"))
    assert [(a["code"], a["required"]) for a in definition["attributes"]] == [("plate", True)]
    question = db.session.scalar(select(CategoryQuestion).where(CategoryQuestion.code == "plate"))
    changed = client.post(f"/admin/questions/{question.id}", data={**form, "required": ""})
    assert changed.status_code == 303
    parking_url = f"{V2}/services/parking.json?jurisdiction_id=bayi"
    assert json_of(client.get(parking_url))["attributes"][0]["required"] is False
    removed = client.post(f"/admin/questions/{question.id}/remove", data={"csrf_token": token})
    assert removed.status_code == 303
    assert json_of(client.get(parking_url))["attributes"] == []


def test_admins_set_building_coordinates(client, demo):
    login(client, "admin")
    building = db.session.scalar(select(Building).join(Compound)
                                 .where(Compound.name == "微波宿舍"))
    page = client.get(f"/admin/places/{building.compound_id}").get_data(as_text=True)
    url = f"/admin/places/building/{building.id}/coordinates"
    bad = client.post(url, data={"csrf_token": csrf_from_page(page), "latitude": "north",
                                 "longitude": "1"})
    assert bad.status_code == 422
    good = client.post(url, data={"csrf_token": csrf_from_page(page), "latitude": "37.81",
                                  "longitude": "112.56"})
    assert good.status_code == 303
    db.session.expire_all()
    assert (building.latitude, building.longitude) == (37.81, 112.56)
    listed = json_of(client.get(f"{V2}/requests.json?jurisdiction_id=bayi"))
    first = next(r for r in listed if r["address"].startswith("1号楼, 微波宿舍"))
    assert (first["lat"], first["long"]) == (37.81, 112.56)


def test_the_developer_page_has_no_inline_code(client, demo):
    html = client.get("/open311").get_data(as_text=True)
    assert "discovery.xml" in html and "address_string" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=", html)


@pytest.mark.parametrize("url", [
    f"{V2}/requests.json?jurisdiction_id=bayi&page=²",
    f"{V2}/requests.json?jurisdiction_id=bayi&page_size=99999999999999999999",
    f"{V2}/requests.json?jurisdiction_id=bayi&page=99999999999999999999",
    f"{V2}/services/booking-².json",
    f"{V2}/requests.json?jurisdiction_id=bayi&service_code=wa%00ter",
    f"{V2}/requests/2026%00.xml",
    f"{V2}/tokens/a%00b.json",
])
def test_odd_parameters_get_an_error_list_not_a_500(client, demo, url):
    response = client.get(url)
    assert response.status_code in (400, 404)
    ext = "xml" if ".xml" in url else "json"
    assert errors_of(response, ext)[0][0] in (400, 404)


def test_odd_form_values_get_an_error_list_not_a_500(client, key):
    for fields in ({"first_name": "李\x00"}, {"address_id": "E²"}, {"address_id": "E99999999999"},
                   {"address_string": "\x00"}):
        response = post(client, api_key=key, service_code="water", **fields)
        assert response.status_code == 400, fields
    assert client.get(f"{V2}/media/99999999999.jpg").status_code == 404


def test_reading_is_open_to_browser_apps_of_other_sites(client, key):
    response = client.get(f"{V2}/services.json?jurisdiction_id=bayi")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in post(client, api_key=key).headers


def test_an_htmx_refusal_keeps_the_questions_and_answers(client, entrance_code):
    floor = db.session.scalar(select(CategoryQuestion).where(CategoryQuestion.code == "floor"))
    hidden = open_report_form(client, entrance_code.token)
    fields = report_fields(hidden, category=str(floor.category_id), description="")
    fields[f"q{floor.id}"] = "7"
    refused = client.post(f"/q/{entrance_code.token}/report", data=fields,
                          headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "<html" not in refused.text
    assert f'data-category="{floor.category_id}"' in refused.text and 'value="7"' in refused.text


def test_a_duplicate_says_of_which_request(client, key, users):
    first, second = file_request(client, key), file_request(client, key)
    workflow.merge_duplicate(report_numbered(second), users["dispatcher"],
                             report_numbered(first))
    merged = json_of(client.get(f"{V2}/requests/{second}.json?locale=en"))[0]
    assert merged["status"] == "closed" and first in merged["status_notes"]
