"""API keys: issued by admins or the CLI, shown once, stored as a digest, revocable; CSRF for the
admin pages only; rate limits per key."""

import re
from datetime import UTC, datetime

from sqlalchemy import select

from tests.conftest import FreshContextClient, app_on_a_copy, app_secret, login
from tests.open311.helpers import PLACE, V2, csrf_from_page, errors_of, file_request, post
from webapp.domain import unit_of_work
from webapp.domain.people import api_clients
from webapp.domain.shared import tokens
from webapp.extensions import db
from webapp.models import ApiKey, Community
from webapp.seed.demo import load_demo_data


def test_admins_issue_a_key_shown_once_and_stored_only_as_a_hash(client, demo):
    login(client, "admin")
    page = client.get("/admin/api-keys")
    assert page.status_code == 200
    issued = client.post("/admin/api-keys", data={"csrf_token": csrf_from_page(page.text),
                                                 "client_name": "区12345热线"})
    assert issued.status_code == 200 and issued.headers["Cache-Control"] == "private, no-store"
    raw = re.search(r'id="new-key" type="text" readonly value="([^"]+)"', issued.text).group(1)
    stored = db.session.scalar(select(ApiKey).where(ApiKey.client_name == "区12345热线"))
    assert raw not in (stored.key_hash, stored.key_prefix) and stored.key_hash == \
        tokens.digest(raw)
    assert raw not in client.get("/admin/api-keys").text  # shown only that once
    client.post("/logout", data={"csrf_token": csrf_from_page(page.text)})

    api = FreshContextClient(client.application)
    assert post(api, api_key=raw, service_code="water", address_string=PLACE).status_code == 200

    login(client, "admin")
    page = client.get("/admin/api-keys")
    revoked = client.post(f"/admin/api-keys/{stored.id}/revoke",
                          data={"csrf_token": csrf_from_page(page.text), "confirmed": "1"})
    assert revoked.status_code == 303
    assert post(api, api_key=raw, service_code="water", address_string=PLACE).status_code == 403


def test_admin_pages_keep_csrf_while_the_api_needs_none(client, key):
    login(client, "admin")
    refused = client.post("/admin/api-keys", data={"client_name": "no token"})
    assert refused.status_code == 400
    assert db.session.scalar(select(ApiKey).where(ApiKey.client_name == "no token")) is None
    # The API post above carried no CSRF token either, and was accepted.
    file_request(client, key)


def test_only_admins_manage_keys(client, demo):
    login(client, "dispatcher")
    assert client.get("/admin/api-keys").status_code == 403


def test_cli_issues_a_key(app, demo):
    result = app.test_cli_runner().invoke(args=["open311", "key", "create", "FixMyStreet",
                                                "--community", "bayi"])
    assert result.exit_code == 0, result.output
    raw = result.output.strip().splitlines()[-1]
    assert api_clients.key_for(raw).client_name == "FixMyStreet"
    listed = app.test_cli_runner().invoke(args=["open311", "key", "list"])
    assert "FixMyStreet" in listed.output and raw not in listed.output
    ambiguous = app.test_cli_runner().invoke(args=["open311", "key", "create", "X"])
    assert ambiguous.exit_code != 0


def test_post_is_rate_limited_per_key(migrated_db, tmp_path):
    app = app_on_a_copy(migrated_db, tmp_path, TESTING=True, RATELIMIT_ENABLED=True,
                        RATELIMIT_OPEN311_POST="2 per minute")
    app.test_client_class = FreshContextClient
    with app.app_context():
        with unit_of_work():
            load_demo_data(app_secret())
        bayi = db.session.scalar(select(Community).where(Community.code == "bayi"))
        with unit_of_work():
            first = api_clients.issue_key(bayi, "one")[1]
            second = api_clients.issue_key(bayi, "two")[1]
        client = app.test_client()
        for _ in range(2):
            assert post(client, api_key=first, service_code="water",
                        address_string=PLACE).status_code == 200
        for ext in ("json", "xml"):
            limited = post(client, ext, api_key=first, service_code="water",
                           address_string=PLACE)
            assert limited.status_code == 429
            assert errors_of(limited, ext)[0][0] == 429
            assert limited.headers["Retry-After"]
        assert post(client, api_key=second, service_code="water",
                    address_string=PLACE).status_code == 200
        # Reading is not limited by the POST limit.
        assert client.get(f"{V2}/requests.json?jurisdiction_id=bayi").status_code == 200
        db.session.remove()
        db.engine.dispose()


def test_the_key_list_gives_the_revocation_day_of_the_keys_community(app, demo):
    """Revoked at 17:30 UTC on 1 November: already the 2nd in Shanghai."""
    bayi = db.session.scalars(select(Community).where(Community.code == "bayi")).one()
    with unit_of_work():
        key, _raw = api_clients.issue_key(bayi, "热线平台")
    key.revoked_at = datetime(2026, 11, 1, 17, 30, tzinfo=UTC)
    db.session.commit()
    listed = app.test_cli_runner().invoke(args=["open311", "key", "list"])
    assert f"{key.id}\tbayi" in listed.output and "revoked 2026-11-02" in listed.output
    assert db.session.get(ApiKey, key.id).revoked_at.day == 1
