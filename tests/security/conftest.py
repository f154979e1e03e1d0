from pathlib import Path

import pytest

from tests.security.helpers import roomy_slot


@pytest.fixture
def upload_root(app) -> Path:
    return Path(app.config["UPLOAD_FOLDER"])


@pytest.fixture
def roomy(entrance_code):
    """An upcoming slot of the entrance's community with 200 places."""
    return roomy_slot(entrance_code.building.compound.community_id)
