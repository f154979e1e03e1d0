"""Which answers a shared cache (nginx's micro-cache, a CDN) may keep: the public pages, for a
few seconds, revalidated by ETag; never a logged-in user's page, never an answer that sets or
follows a cookie. And the board, kept rendered in the app, shows a change at once."""

import re

import pytest
from sqlalchemy import event, select

from tests.conftest import login
from tests.web.helpers import submit_report
from tests.web.test_access import walk  # noqa: F401 - the fixture: ids for every route
from webapp.access import PUBLIC, access_of
from webapp.extensions import db
from webapp.models import Report

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en-US,en;q=0.9"}
V2 = "/open311/v2"
SHARED = "public, max-age=0, s-maxage=5"


def public_urls(token, number, compound_id):
    return [
        f"/q/{token}", "/board/", f"/board/{compound_id}", "/board/?month=2020-01",
        "/board/?community=xinqiao", "/", "/open311",
        f"{V2}/discovery.json", f"{V2}/services.json?jurisdiction_id=bayi",
        f"{V2}/services.xml?jurisdiction_id=bayi&locale=en", f"{V2}/services/water.json",
        f"{V2}/requests.json?jurisdiction_id=bayi", f"{V2}/requests.xml?jurisdiction_id=bayi",
        f"{V2}/requests/{number}.json",
    ]


@pytest.fixture
def urls(entrance_code):
    report = db.session.scalars(select(Report).order_by(Report.id)).first()
    return public_urls(entrance_code.token, report.number, report.compound_id)


def test_public_pages_may_be_kept_briefly_by_a_shared_cache(demo, urls):
    for url in urls:
        client = demo.test_client()  # a visitor without cookies
        first = client.get(url, headers=ZH)
        assert first.status_code == 200, url
        assert first.headers["Cache-Control"] == SHARED, url
        assert {"Accept-Language", "Cookie"} <= set(first.vary), url
        assert "Set-Cookie" not in first.headers, url  # a cache would hand it to everyone
        assert first.headers.get("ETag"), url
        again = client.get(url, headers={**ZH, "If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304, url


def test_each_language_is_its_own_page(demo, urls):
    for url in urls:
        zh = demo.test_client().get(url, headers=ZH)
        en = demo.test_client().get(url, headers=EN)
        assert zh.headers["ETag"] != en.headers["ETag"] or "locale=" in url, url
        chosen = demo.test_client()
        chosen.set_cookie("lang", "en")  # the switch's cookie beats Accept-Language
        assert chosen.get(url, headers=ZH).headers["ETag"] == en.headers["ETag"], url
    board = demo.test_client().get("/board/", headers=EN).text
    assert "Public board" in board and "公开" not in board


def test_what_came_with_a_session_or_a_key_is_not_for_a_shared_cache(demo, client, urls):
    client.get("/login")  # the login form's CSRF token: now this browser has a session
    for url in urls:
        page = client.get(url, headers=ZH)
        assert page.status_code == 200, url
        assert page.headers["Cache-Control"] == "no-cache", url  # the same public page
    keyed = demo.test_client().get(f"{V2}/requests.json?jurisdiction_id=bayi&api_key=abc")
    assert keyed.headers["Cache-Control"] == "private, no-cache"
    token_lookup = demo.test_client().get(f"{V2}/tokens/whatever.json")
    assert "public" not in token_lookup.headers.get("Cache-Control", "")


def test_a_logged_in_users_pages_are_theirs(demo, client, users, urls):
    login(client, "dispatcher")
    for url in urls:
        page = client.get(url, headers=ZH)
        assert page.status_code == 200, url
        # The API shows a logged-in user nothing of their own: its public answer, unshared.
        own = "no-cache" if url.startswith(V2) else "private, no-store"
        assert page.headers["Cache-Control"] == own, url
    board = client.get("/board/").text
    assert 'class="staffnav"' in board and "X-CSRFToken" in board  # their bar works
    assert 'class="staffnav"' not in demo.test_client().get("/board/").text


def test_a_waiting_message_is_shown_to_its_visitor_only(demo, client, urls):
    for url in (u for u in urls if not u.startswith(V2)):
        with client.session_transaction() as session:
            session["_flashes"] = [("success", "Saved for you alone.")]
        mine = client.get(url, headers=ZH)
        assert "Saved for you alone." in mine.text, url
        assert mine.headers["Cache-Control"] == "private, no-cache", url
        for _ in range(2):  # rendered pages the app keeps must not have kept it
            theirs = demo.test_client().get(url, headers=ZH)
            assert "Saved for you alone." not in theirs.text, url
            assert theirs.headers["Cache-Control"] == SHARED, url


def test_no_route_lets_a_shared_cache_keep_a_cookie_or_a_login(app, walk):  # noqa: F811
    """Every GET route, as an anonymous visitor and logged in: an answer marked for a shared
    cache sets no cookie, and a logged-in user's page is never marked so."""
    shared = set()
    for username in (None, "dispatcher", "mateng", "admin"):
        client = app.test_client()
        if username:
            login(client, username)
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "auth.logout":
                continue
            url = rule.build({name: walk[name] for name in rule.arguments},
                             append_unknown=False)[1]
            # Anonymous: each page as the first of a new visitor (forms give a session).
            answer = (client if username else app.test_client()).get(url, headers=ZH)
            control = answer.headers.get("Cache-Control", "")
            where = f"GET {url} as {username or 'anonymous'}: {control}"
            if "s-maxage" in control:
                assert username is None and "Set-Cookie" not in answer.headers, where
                shared.add(rule.endpoint)
            if username and access_of(app, rule.endpoint) != PUBLIC:
                assert control.startswith("private"), where
    assert {"resident.scan", "board.index", "open311.discovery"} <= shared


def count_statements(engine, run):
    seen = []

    def count(*_args):
        seen.append(1)
    event.listen(engine, "before_cursor_execute", count)
    try:
        result = run()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return result, len(seen)


def received(html):
    return int(re.search(r"<dt>Received</dt><dd>(\d+)</dd>", html).group(1))


def test_the_board_is_kept_rendered_and_shows_a_change_at_once(demo, entrance_code):
    visitor = demo.test_client()
    first, _ = count_statements(db.engine, lambda: visitor.get("/board/", headers=EN))
    again, statements = count_statements(db.engine, lambda: visitor.get("/board/", headers=EN))
    assert again.text == first.text and again.headers["ETag"] == first.headers["ETag"]
    assert statements == 1  # which board, and the data's version: nothing is recounted

    assert submit_report(demo.test_client(), entrance_code.token).status_code == 303
    after = visitor.get("/board/", headers={**EN, "If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200
    assert received(after.text) == received(first.text) + 1
    compound = visitor.get(f"/board/{entrance_code.building.compound_id}", headers=EN)
    assert received(compound.text) >= 1


def test_a_board_for_nothing_is_not_found(demo, client):
    assert client.get("/board/2147483647").status_code == 404
    assert client.get("/board/?community=nowhere").status_code == 200  # the first one's
