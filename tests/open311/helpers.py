"""What the Open311 tests share: reading answers in both formats, posting, finding reports."""

import re
import xml.etree.ElementTree as ET

from sqlalchemy import func, select

from webapp.domain import unit_of_work
from webapp.domain.reports import questions
from webapp.extensions import db
from webapp.models import Category, Community, Report

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
    draft = questions.QuestionDraft(**{
        "code": "tree", "datatype": "singlevaluelist", "required": True, "order": 1,
        "description_zh": "哪种树？", "description_en": "Which tree?",
        "values": "pine | 松树 | Pine\nwillow | 柳树 | Willow", **fields})
    bayi = db.session.scalar(select(Community.id).where(Community.code == "bayi"))
    with unit_of_work():
        return questions.save_question(category, bayi, draft)
