"""The first-run link: a digest stored, the latest one valid for a day, spent once."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import at_the_same_moment
from webapp.domain import unit_of_work
from webapp.domain.people import first_run
from webapp.extensions import db
from webapp.models import FirstRunLink
from webapp.models.types import utcnow
from webapp.seed.community import create_community


def issued(now=None):
    with unit_of_work():
        return first_run.issue(now or utcnow())


def test_a_link_is_valid_for_a_day_and_only_the_latest(app):
    now = utcnow()
    first, latest = issued(now), issued(now)
    assert first_run.valid(first, now) is None and first_run.valid(latest, now) is not None
    assert first_run.valid(latest, now + first_run.LIFETIME) is None
    assert latest not in {row.token_hash for row in db.session.scalars(select(FirstRunLink))}


def test_spent_once_and_never_once_a_community_exists(app):
    token = issued()
    with unit_of_work():
        first_run.use(token, utcnow())
    with pytest.raises(first_run.LinkGone):
        first_run.use(token, utcnow())
    other = issued()
    with unit_of_work():
        create_community("c", "社区", "居委会")
    assert not first_run.needed() and first_run.valid(other, utcnow()) is None


def test_two_set_ups_at_the_same_moment_spend_it_once(app):
    token = issued()
    outcomes = at_the_same_moment(app, 2, lambda i: first_run.use(token, utcnow()),
                                  refusals=(first_run.LinkGone,))
    assert sorted(outcomes) == ["ok", "refused"]
    db.session.expire_all()
    assert db.session.scalars(select(FirstRunLink.used_at)).one() is not None
    assert first_run.valid(token, utcnow() + timedelta(seconds=1)) is None
