"""API keys (domain/people/api_clients.py): issued once, kept as a digest, revocable, counted."""

import re

import pytest
from sqlalchemy import select

from webapp.domain import DomainRefused, unit_of_work
from webapp.domain.people import api_clients
from webapp.domain.shared import tokens
from webapp.extensions import db
from webapp.models import ApiKey, Community
from webapp.models.types import utcnow


@pytest.fixture
def bayi(demo):
    return db.session.scalar(select(Community).where(Community.code == "bayi"))


def test_a_key_is_returned_once_and_kept_as_a_digest(bayi):
    with unit_of_work():
        key, raw = api_clients.issue_key(bayi, "  区12345\n热线 ")
    assert key.client_name == "区12345 热线"
    assert raw.startswith(api_clients.KEY_PREFIX) and len(raw) >= len("ms311_") + 32
    assert key.key_hash == tokens.digest(raw) and raw not in key.key_hash
    assert key.key_prefix == raw[:len(api_clients.KEY_PREFIX) + 4]
    assert api_clients.key_for(raw) == key
    assert api_clients.key_for(f"  {raw} ") == key  # as pasted


def test_a_client_needs_a_name_that_fits(bayi):
    for name in ("", "   ", "x" * 101):
        with pytest.raises(DomainRefused) as refused:
            api_clients.issue_key(bayi, name)
        assert refused.value.field == "client_name" and "100" in str(refused.value)
    assert db.session.scalar(select(ApiKey)) is None


def test_issuing_and_revoking_commit_nothing_themselves(bayi):
    key, raw = api_clients.issue_key(bayi, "rolled back")
    db.session.rollback()
    assert api_clients.key_for(raw) is None
    with unit_of_work():
        key, raw = api_clients.issue_key(bayi, "kept")
    api_clients.revoke_key(key)
    db.session.rollback()
    assert api_clients.key_for(raw) == key


def test_a_revoked_or_wrong_key_stands_for_no_one(bayi):
    with unit_of_work():
        key, raw = api_clients.issue_key(bayi, "client")
        api_clients.revoke_key(key, now=utcnow())
    assert api_clients.key_for(raw) is None
    for wrong in (None, "", "ms311_nothing", "x" * 201):
        assert api_clients.key_for(wrong) is None


def test_keys_listed_active_first_with_their_report_counts(bayi):
    with unit_of_work():
        old, _ = api_clients.issue_key(bayi, "old")
        new, _ = api_clients.issue_key(bayi, "new")
        api_clients.revoke_key(old)
    assert [k.client_name for k in api_clients.keys_of(bayi.id)] == ["new", "old"]
    assert api_clients.report_counts([old.id, new.id]) == {}
    assert api_clients.report_counts([]) == {}


def test_rate_limits_count_a_key_under_its_digest_only():
    bucket = api_clients.limit_bucket(" ms311_secret ")
    assert re.fullmatch(r"key:[0-9a-f]{32}", bucket)
    assert "secret" not in bucket and bucket == api_clients.limit_bucket("ms311_secret")
