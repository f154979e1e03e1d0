"""The extra questions a category asks, on the pages that are not the API: the resident's form and
the admin's pages (questions, building coordinates)."""

from sqlalchemy import select

from tests.conftest import login
from tests.open311.helpers import V2, add_question, csrf_from_page, json_of, report_count
from tests.web.helpers import open_report_form, report_fields
from webapp.extensions import db
from webapp.models import Building, Category, CategoryQuestion, Compound, Report, ReportAnswer


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


def test_an_htmx_refusal_keeps_the_questions_and_answers(client, entrance_code):
    floor = db.session.scalar(select(CategoryQuestion).where(CategoryQuestion.code == "floor"))
    hidden = open_report_form(client, entrance_code.token)
    fields = report_fields(hidden, category=str(floor.category_id), description="")
    fields[f"q{floor.id}"] = "7"
    refused = client.post(f"/q/{entrance_code.token}/report", data=fields,
                          headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "<html" not in refused.text
    assert f'data-category="{floor.category_id}"' in refused.text and 'value="7"' in refused.text
