"""A community of its own, with no places yet, for the places tests."""

import pytest

from webapp.extensions import db
from webapp.models import Community


@pytest.fixture
def community(app):
    c = Community(code="test", name="测试社区", hotline="010-1")
    db.session.add(c)
    db.session.commit()
    return c
