"""Login throttling through the browser: a wrong guess from elsewhere never locks the owner
out, an admin can clear a wait, and admins see failed logins on an audit page."""

import re

from sqlalchemy import select

from tests.conftest import csrf_from, login
from webapp.domain import unit_of_work
from webapp.domain.people import accounts
from webapp.extensions import db
from webapp.models import Organization, Role

EN = {"Accept-Language": "en"}
OWN, ATTACKER = "192.0.2.10", "198.51.100.66"


def token_in(page: str) -> str:
    return re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)


def client_at(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def try_login(client, username, password, headers=EN):
    page = client.get("/login").text
    return client.post("/login", headers=headers, data={
        "csrf_token": csrf_from(page), "username": username, "password": password})


def test_the_owner_logs_in_while_another_address_hammers_their_name(app, demo):
    attacker = client_at(app, ATTACKER)
    answers = [try_login(attacker, "dispatcher", f"guess{n}").status_code for n in range(12)]
    assert answers[:3] == [422] * 3 and answers[-1] == 429  # the attacker waits…
    refused = try_login(attacker, "dispatcher", "mashang-demo")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "Too many failed attempts from here. Please wait" in refused.text
    assert "请等待" in try_login(attacker, "dispatcher", "x", headers={}).text
    # …and the dispatcher, at their own address, gets in at once
    assert try_login(client_at(app, OWN), "dispatcher", "mashang-demo").status_code == 303


def test_an_admin_clears_the_wait(app, demo):
    dispatcher = client_at(app, OWN)
    for n in range(3):
        try_login(dispatcher, "dispatcher", f"typo{n}")
    assert try_login(dispatcher, "dispatcher", "mashang-demo").status_code == 429
    admin = login(client_at(app, "192.0.2.99"), "admin")
    page = admin.get("/admin/failed-logins", headers=EN).text
    assert "Slowed down now" in page and "3 failures in the last 15 minutes" in page
    cleared = admin.post("/admin/failed-logins/clear", data={
        "csrf_token": token_in(page), "username": "dispatcher"})
    assert cleared.status_code == 303
    assert try_login(dispatcher, "dispatcher", "mashang-demo").status_code == 303
    page = admin.get("/admin/failed-logins", headers=EN).text
    assert "No account of this community is slowed down." in page
    assert page.count("cleared") >= 4  # the cleared failures stay on the audit page


def test_the_audit_page_lists_failed_logins_of_this_community_and_unknown_names(app, demo):
    office = db.session.scalars(select(Organization).where(
        Organization.name == "新桥北村社区居委会")).one()
    with unit_of_work():
        accounts.create_user("xq-dispatcher", "新桥派单员", "xinqiao-pass", Role.DISPATCHER,
                             office)
    for username in ("dispatcher", "no-such-person", "xq-dispatcher"):
        try_login(client_at(app, ATTACKER), username, "wrong")
    hammer = client_at(app, "203.0.113.7")
    for _ in range(4):
        try_login(hammer, "grid", "wrong")

    admin = login(client_at(app, OWN), "admin")
    page = admin.get("/admin/failed-logins", headers=EN)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    rows = re.findall(r"<tr><td><time[^>]*>([^<]+)</time></td>\s*<td><bdi>([^<]+)</bdi></td>"
                      r"<td><bdi>([^<]+)</bdi></td>\s*<td>([^<]+)</td>", page.text)
    seen = [(name, address, outcome.split(":")[0]) for _time, name, address, outcome in rows]
    assert seen == [("grid", "203.0.113.7", "yes"), ("grid", "203.0.113.7", "no"),
                    ("grid", "203.0.113.7", "no"), ("grid", "203.0.113.7", "no"),
                    ("no-such-person", ATTACKER, "no"), ("dispatcher", ATTACKER, "no")]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", time) for time, *_ in rows)
    assert "xq-dispatcher" not in page.text  # another community's account
    # the other community's username cannot be cleared from here
    assert admin.post("/admin/failed-logins/clear", data={
        "csrf_token": token_in(page.text), "username": "xq-dispatcher"}).status_code == 404
    # only admins see it
    assert login(client_at(app, OWN), "dispatcher").get("/admin/failed-logins").status_code \
        == 403
