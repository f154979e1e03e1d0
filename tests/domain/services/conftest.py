"""What the services tests share: the demo community's office and new volunteers in it."""

import pytest
from sqlalchemy import select

from webapp.domain import unit_of_work
from webapp.domain.people import accounts
from webapp.extensions import db
from webapp.models import Organization, Role


@pytest.fixture
def office(demo):
    return db.session.scalars(select(Organization).where(Organization.kind == "office")).first()


def volunteer(office, name):
    with unit_of_work():
        return accounts.create_user(name, name, "volunteer-pass", Role.VOLUNTEER, office)
