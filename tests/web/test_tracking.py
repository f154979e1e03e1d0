"""The tracking link is the resident's only key to their report's details and photos."""

import re

import pytest
from sqlalchemy import select

from tests.web.helpers import photo_upload, submit_report
from webapp.domain.reports import dispatch
from webapp.extensions import db
from webapp.models import Report, ReportEvent, ReportStatus

EN = {"Accept-Language": "en"}


@pytest.fixture
def filed(client, entrance_code):
    response = submit_report(client, entrance_code.token, files=[photo_upload()],
                             contact_name="赵大爷", floor_room="5楼 502",
                             contact_phone="13912345678", care_card="y")
    assert response.status_code == 303
    report = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
    return report, response.headers["Location"]


def test_tracking_page_shows_status_details_and_timeline(client, filed):
    report, url = filed
    page = client.get(url, headers=EN)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert report.number in html
    assert "Received" in html and "Report received" in html
    assert "赵大爷" in html and "13912345678" in html and "5楼 502" in html
    assert "priority service" in html
    assert page.headers["Cache-Control"] == "private, no-store"


def test_contact_details_and_photos_are_not_reachable_without_the_link(client, filed):
    report, url = filed
    photo_id = report.photos[0].id
    token = url.rsplit("/", 1)[1]
    assert client.get(f"{url}/photos/{photo_id}.jpg").status_code == 200
    assert client.get(f"{url}/photos/{photo_id}.jpg").mimetype == "image/jpeg"
    def page_without_its_own_path(response):  # the language links carry ?next=<this path>
        return re.sub(r"next=[^\"&]*", "", response.get_data(as_text=True))

    client.get(url)  # shows (and so clears) the "received" message
    missing = client.get("/t/" + "A" * len(token))
    assert missing.status_code == 404
    for guess in (f"/t/{token[:-1]}x", f"/t/{report.number}", f"/t/{report.id}",
                  # the digests the database keeps are no keys either
                  f"/t/{report.tracking_token_hash}", f"/t/{report.submission_key_hash}",
                  "/t/%00%FF", "/t/" + "x" * 500):
        answer = client.get(guess)
        # a wrong token answers exactly like a missing one: nothing tells them apart
        assert answer.status_code == 404
        assert page_without_its_own_path(answer) == page_without_its_own_path(missing), guess
        assert client.get(f"{guess}/photos/{photo_id}.jpg").status_code == 404
    # nothing personal on the public scan page or anywhere without the token
    scan = client.get(f"/q/{report.qr_code.token}").get_data(as_text=True)
    assert "赵大爷" not in scan and "13912345678" not in scan
    # the stored file name never appears in a page
    assert report.photos[0].stored_name not in client.get(url).get_data(as_text=True)


def test_a_photo_of_another_report_is_not_served(client, entrance_code, filed):
    report, _url = filed
    other = submit_report(client, entrance_code.token)
    other_url = other.headers["Location"]
    assert client.get(f"{other_url}/photos/{report.photos[0].id}.jpg").status_code == 404


def csrf_of(html, form_id):
    form = re.search(rf'<form id="{form_id}".*?</form>', html, re.S).group(0)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)


def test_resident_adds_information(client, filed):
    report, url = filed
    html = client.get(url).get_data(as_text=True)
    response = client.post(f"{url}/info", data={
        "csrf_token": csrf_of(html, "info-form"), "note": "晚上更严重",
        "photos": [photo_upload()]}, content_type="multipart/form-data")
    assert response.status_code == 303
    db.session.refresh(report)
    assert report.events[-1].kind == "info_added"
    assert report.events[-1].note == "晚上更严重"
    assert len(report.photos) == 2


def test_empty_information_is_refused(client, filed):
    report, url = filed
    html = client.get(url).get_data(as_text=True)
    before = len(report.events)
    response = client.post(f"{url}/info", headers=EN,
                           data={"csrf_token": csrf_of(html, "info-form"), "note": "  "})
    assert response.status_code == 422
    assert "Write something or add a photo." in response.get_data(as_text=True)
    db.session.refresh(report)
    assert len(report.events) == before


def resolve(report):
    report.status = ReportStatus.RESOLVED  # staff do this in the dispatch workflow
    db.session.commit()


def test_rating_form_appears_once_resolved_and_closes_the_report(client, filed):
    report, url = filed
    assert 'id="rate-form"' not in client.get(url).get_data(as_text=True)
    resolve(report)
    html = client.get(url, headers=EN).get_data(as_text=True)
    assert 'id="rate-form"' in html and 'id="not-fixed-form"' in html
    response = client.post(f"{url}/confirm", data={
        "csrf_token": csrf_of(html, "rate-form"), "rating": "5", "comment": "很满意"})
    assert response.status_code == 303
    db.session.refresh(report)
    assert (report.status, report.rating, report.rating_comment) == ("closed", 5, "很满意")
    html = client.get(url, headers=EN).get_data(as_text=True)
    assert "Closed" in html and 'id="info-form"' not in html


@pytest.mark.parametrize("rating", ["", "0", "6", "five", "3.5"])
def test_bad_ratings_are_refused(client, filed, rating):
    report, url = filed
    resolve(report)
    html = client.get(url).get_data(as_text=True)
    response = client.post(f"{url}/confirm", headers=EN,
                           data={"csrf_token": csrf_of(html, "rate-form"), "rating": rating})
    assert response.status_code == 422
    db.session.refresh(report)
    assert report.status == "resolved" and report.rating is None


def test_rating_before_resolution_is_refused(client, filed):
    report, url = filed
    resolve(report)
    html = client.get(url).get_data(as_text=True)
    report.status = ReportStatus.SUBMITTED
    db.session.commit()
    response = client.post(f"{url}/confirm", headers=EN,
                           data={"csrf_token": csrf_of(html, "rate-form"), "rating": "4"})
    assert response.status_code == 409
    assert "once it has been marked as resolved" in response.get_data(as_text=True)
    db.session.refresh(report)
    assert report.rating is None


def test_not_fixed_reopens_with_reason(client, filed):
    report, url = filed
    resolve(report)
    html = client.get(url).get_data(as_text=True)
    empty = client.post(f"{url}/not-fixed", headers=EN,
                        data={"csrf_token": csrf_of(html, "not-fixed-form"), "reason": ""})
    assert empty.status_code == 422
    response = client.post(f"{url}/not-fixed", data={
        "csrf_token": csrf_of(html, "not-fixed-form"), "reason": "灯还是不亮"})
    assert response.status_code == 303
    db.session.refresh(report)
    assert report.status == "reopened"
    reopened = db.session.scalars(select(ReportEvent).where(
        ReportEvent.report_id == report.id, ReportEvent.kind == "reopened")).one()
    assert reopened.note == "灯还是不亮" and reopened.is_public


def test_internal_events_are_not_shown_to_the_resident(client, filed):
    report, url = filed
    db.session.add(ReportEvent(report=report, kind="note", actor_kind="staff",
                               note="internal: tenant is difficult", is_public=False))
    db.session.commit()
    assert "tenant is difficult" not in client.get(url).get_data(as_text=True)


def test_the_private_link_is_written_out_in_full(client, filed):
    _report, url = filed
    html = client.get(url, base_url="https://mashang.example.org").get_data(as_text=True)
    assert f'value="https://mashang.example.org{url}"' in html


def test_the_open_tracking_page_polls_for_public_updates(client, filed, users):
    from webapp.domain import unit_of_work

    report, url = filed
    page = client.get(url).text
    poll = re.search(r'id="live" hx-get="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert client.get(poll, headers={"HX-Request": "true"}).status_code == 204
    with unit_of_work():
        dispatch.public_reply(report, users["dispatcher"], "师傅下午两点上门")
    changed = client.get(poll, headers={"HX-Request": "true", **EN})
    assert changed.status_code == 200
    assert changed.text.lstrip().startswith('<div id="live"')
    assert "师傅下午两点上门" in changed.text and "<html" not in changed.text
