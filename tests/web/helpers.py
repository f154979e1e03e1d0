import io

from sqlalchemy import func, select

from tests.conftest import csrf_from, hidden_value, jpeg_bytes
from webapp.extensions import db
from webapp.models import Category, Report, ReportPhoto


def category_id(code="water") -> int:
    return db.session.scalar(select(Category.id).where(Category.code == code))


def report_count() -> int:
    return db.session.scalar(select(func.count(Report.id)))


def photo_count() -> int:
    return db.session.scalar(select(func.count(ReportPhoto.id)))


def open_report_form(client, token):
    page = client.get(f"/q/{token}/report")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    return {"csrf_token": csrf_from(html), "submission_key": hidden_value(html, "submission_key")}


def report_fields(form_hidden, **changes):
    fields = {
        **form_hidden,
        "category": str(category_id()),
        "description": "二楼楼道的水管漏水，地上全是水。",
        "floor_room": "2楼 201",
        "contact_name": "李师傅",
        "contact_phone": "138 0013 8000",
    }
    for key, value in changes.items():
        if value is None:
            fields.pop(key, None)
        else:
            fields[key] = value
    return fields


def photo_upload(data=None, name="photo.jpg"):
    return (io.BytesIO(data if data is not None else jpeg_bytes()), name)


def submit_report(client, token, files=(), headers=None, **changes):
    fields = report_fields(open_report_form(client, token), **changes)
    if files:
        fields["photos"] = list(files)
    return client.post(f"/q/{token}/report", data=fields, headers=headers or {},
                       content_type="multipart/form-data")
