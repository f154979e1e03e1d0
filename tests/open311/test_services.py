"""GET services and service definitions: categories and bookable services, the asked language,
jurisdictions, questions as attributes."""

from sqlalchemy import func, select

from tests.open311.helpers import (
    ATTRIBUTE_FIELDS,
    SERVICE_FIELDS,
    V2,
    add_question,
    errors_of,
    json_of,
    tags,
    xml_of,
)
from webapp.domain import unit_of_work
from webapp.domain.reports import questions
from webapp.extensions import db
from webapp.models import Category


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
    add_question(code="height", datatype="number", required=False, order=2,
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

    with unit_of_work():
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
