"""GET media/<id>.jpg: a report's photo, only when staff published it."""

from sqlalchemy import select

from tests.conftest import app_secret, jpeg_bytes, login
from tests.open311.helpers import V2, csrf_from_page, json_of, report_numbered
from webapp.domain import unit_of_work
from webapp.domain.reports import dispatch, intake
from webapp.domain.shared import photos
from webapp.domain.shared.photos import process_photo
from webapp.extensions import db
from webapp.models import Category, User


def test_media_url_only_when_staff_published_the_photos(client, key, app, entrance_code):
    category = db.session.scalar(select(Category.id).where(Category.code == "water"))
    folder = photos.upload_folder_for_reports(app.config["UPLOAD_FOLDER"])
    draft = intake.ReportDraft(submission_key="media-test-0000001", category_id=category,
                                 description="漏水，见照片")
    with unit_of_work():
        report, _ = intake.submit_report(entrance_code, draft,
                                           [process_photo(jpeg_bytes())], folder,
                                           secret=app_secret())
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

    with unit_of_work():
        dispatch.set_photos_public(report_numbered(report.number), db.session.scalar(
            select(User).where(User.username == "dispatcher")), False)
    assert json_of(client.get(url))[0]["media_url"] is None
    assert client.get(f"{V2}/media/{photo_id}.jpg").status_code == 404
