"""The private link, kept: without JavaScript the tracking and booking pages show it in full in a
read-only field with a line saying to keep it; the copy and share buttons stay hidden until
the script finds the browser can do them. The scan page carries only an empty, hidden frame
for "My reports" and "My bookings" (the phone fills it): it is the same for every visitor."""

from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from tests.conftest import csrf_from, hidden_value
from tests.web.helpers import submit_report
from webapp.extensions import db
from webapp.models import Report, Slot


class Elements(HTMLParser):
    """Each element's attributes, by id; and the buttons, by their text."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.by_id, self.buttons, self.labels, self._open = {}, {}, {}, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.by_id[attrs["id"]] = (tag, attrs)
        if tag in ("button", "label"):
            self._open = (tag, attrs, "")

    def handle_data(self, data):
        if self._open:
            tag, attrs, text = self._open
            self._open = (tag, attrs, text + data)

    def handle_endtag(self, tag):
        if self._open and self._open[0] == tag:
            _tag, attrs, text = self._open
            if tag == "button":
                self.buttons[text.strip()] = attrs
            else:
                self.labels[attrs.get("for")] = text.strip()
            self._open = None


def assert_kept_link(html, field_id, url, keep_line):
    page = Elements(html)
    tag, attrs = page.by_id[field_id]
    assert tag == "input" and attrs["type"] == "text" and "readonly" in attrs
    assert attrs["value"] == url
    assert keep_line in page.labels[field_id]
    for name in ("复制链接", "分享"):  # shown by the script where the browser can do it
        assert "hidden" in page.buttons[name], name


def test_the_tracking_page_without_javascript_shows_the_link_to_keep(client, entrance_code):
    response = submit_report(client, entrance_code.token)
    path = response.headers["Location"]
    html = client.get(path, headers={"Accept-Language": "zh-CN"}).text
    assert_kept_link(html, "tracking-link", f"http://localhost{path}", "专属链接")
    report = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
    assert f'data-number="{report.number}"' in html and 'data-kind="report"' in html


@pytest.mark.usefixtures("demo")
def test_the_booking_page_without_javascript_shows_the_link_to_keep(client, entrance_code):
    slot = db.session.scalars(select(Slot).order_by(Slot.starts_at)).first()
    form = client.get(f"/q/{entrance_code.token}/slots/{slot.id}/book").text
    response = client.post(f"/q/{entrance_code.token}/slots/{slot.id}/book", data={
        "csrf_token": csrf_from(form), "submission_key": hidden_value(form, "submission_key"),
        "name": "赵奶奶", "phone": "13811112222"})
    path = response.headers["Location"]
    html = client.get(path, headers={"Accept-Language": "zh-CN"}).text
    assert_kept_link(html, "booking-link", f"http://localhost{path}", "专属链接")
    assert 'data-kind="booking"' in html


def test_the_scan_page_has_only_a_hidden_frame_for_my_items(client, entrance_code):
    submit_report(client, entrance_code.token)  # a report made: still the same scan page
    html = client.get(f"/q/{entrance_code.token}", headers={"Accept-Language": "en"}).text
    tag, attrs = Elements(html).by_id["my-items"]
    assert tag == "section" and "hidden" in attrs
    assert attrs["data-building"] == str(entrance_code.building_id)
    assert "My reports" in html and "My bookings" in html
    assert "/t/" not in html and "/b/" not in html and "csrf" not in html.lower()
