"""The API key fixture every Open311 test file uses."""

import pytest
from sqlalchemy import select

from webapp.domain import unit_of_work
from webapp.domain.people import api_clients
from webapp.extensions import db
from webapp.models import Community


@pytest.fixture
def key(demo):
    """A key of 八一社区's community office for a test client."""
    community = db.session.scalar(select(Community).where(Community.code == "bayi"))
    with unit_of_work():
        return api_clients.issue_key(community, "Test client")[1]
