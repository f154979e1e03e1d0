"""The first run of an empty installation: `flask first-run` prints a one-time link (stored
as a digest, expiring, used once) whose page creates the community, its office and the first
admin, who then follows the setup checklist; `flask community create` does the same from
the command line."""

import re
from datetime import timedelta

from sqlalchemy import func, select

from tests.conftest import count, login
from webapp.domain import unit_of_work
from webapp.domain.people import first_run
from webapp.domain.shared.tokens import digest
from webapp.extensions import db
from webapp.models import Community, FirstRunLink, Organization, QrCode, User
from webapp.models.types import utcnow

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}
FIELDS = {"name": "滨河社区", "code": "binhe", "office": "滨河社区居委会",
          "hotline": "0351-7654321", "hotline_24h": "0351-7654300", "display_name": "李主任",
          "username": "li", "password": "long-enough-1", "password_again": "long-enough-1"}


def printed_link(app) -> str:
    result = app.test_cli_runner().invoke(args=["first-run"])
    assert result.exit_code == 0, result.output
    return re.search(r"(/first-run/\S+)", result.output).group(1)


def send(client, link, headers=EN, **changes):
    page = client.get(link, headers=headers).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return client.post(link, headers=headers, data={"csrf_token": token, **FIELDS, **changes})


def test_the_link_sets_up_community_office_and_admin_once(app, client):
    link = printed_link(app)
    token = link.rsplit("/", 1)[1]
    assert db.session.scalar(select(FirstRunLink.token_hash)) == digest(token)  # never the token
    done = send(client, link)
    assert done.status_code == 303 and done.headers["Location"].endswith("/admin/setup")
    community = db.session.scalars(select(Community)).one()
    admin = db.session.scalars(select(User)).one()
    assert (community.code, community.hotline, admin.role) == ("binhe", "0351-7654321", "admin")
    assert admin.organization.name == "滨河社区居委会" and admin.organization.kind == "office"
    checklist = client.get("/admin/setup", headers=EN)  # logged in already
    assert checklist.status_code == 200 and "steps still to do" in checklist.text
    again = client.get(link, headers=EN)
    assert again.status_code == 404 and "not valid" in again.text
    assert app.test_cli_runner().invoke(args=["first-run"]).output == ""  # set up: no link


def test_a_refused_form_stores_nothing_and_the_link_still_works(app, client):
    link = printed_link(app)
    for headers, changes, words in (
            (EN, {"password_again": "other-password"}, "passwords differ"),
            (ZH, {"code": "滨河"}, "代码只能包含字母"),
            (EN, {"password": "short", "password_again": "short"}, "at least 8"),
            (EN, {"name": "社" * 101}, "100")):
        refused = send(client, link, headers, **changes)
        assert refused.status_code == 422 and words in refused.text, refused.text[:3000]
        assert 'value="滨河社区居委会"' in refused.text  # what was typed stays
        assert (count(Community), count(User), count(Organization)) == (0, 0, 0)
    assert send(client, link).status_code == 303


def test_links_expire_and_only_the_latest_works(app, client):
    first = printed_link(app)
    latest = printed_link(app)
    assert client.get(first).status_code == 404 and client.get(latest).status_code == 200
    with unit_of_work():
        db.session.scalars(select(FirstRunLink).where(FirstRunLink.used_at.is_(None),
                                                      FirstRunLink.expires_at > utcnow())
                           ).one().expires_at = utcnow() - timedelta(seconds=1)
    assert client.get(latest).status_code == 404
    assert client.get("/first-run/made-up-token").status_code == 404
    assert send(client, printed_link(app)).status_code == 303


def test_no_link_works_once_a_community_exists(demo, client):
    with unit_of_work():
        token = first_run.issue(utcnow())
    assert not first_run.needed() and client.get(f"/first-run/{token}").status_code == 404


def test_community_create_asks_for_nothing_when_not_in_a_terminal_and_makes_an_admin(app):
    runner = app.test_cli_runner()
    made = runner.invoke(args=["community", "create", "--code", "xq", "--name", "新桥社区",
                               "--office", "新桥社区办公室", "--admin", "boss",
                               "--admin-name", "主任"])
    assert made.exit_code == 0, made.output
    password = re.search(r"Password \(shown only now\): (\S+)", made.output).group(1)
    admin = db.session.scalars(select(User)).one()
    assert (admin.username, admin.display_name, admin.role) == ("boss", "主任", "admin")
    assert password not in admin.password_hash and "/admin/setup" in made.output
    login(app.test_client(), "boss", password)
    taken = runner.invoke(args=["community", "create", "--code", "xq2", "--name", "别的",
                                "--office", "别的办公室", "--admin", "boss"])
    assert taken.exit_code != 0 and "taken" in taken.output
    assert db.session.scalar(select(func.count(Community.id))) == 1  # all or nothing


def test_printing_records_when_codes_were_printed(demo, client):
    login(client, "admin")
    from webapp.models import Compound
    compound = db.session.scalars(select(Compound).where(Compound.name == "微波宿舍")).one()
    assert client.get(f"/staff/print?compound={compound.id}&kind=posters&download=1"
                      ).status_code == 200
    db.session.expire_all()
    stamps = db.session.scalars(select(QrCode.printed_at).join(QrCode.building)
                                .where(QrCode.revoked_at.is_(None))).all()
    assert any(stamps) and not all(stamps)  # this compound's only
    page = client.get("/admin/setup", headers=EN).text
    assert re.search(r"\d+ of \d+ codes not printed yet", page)
