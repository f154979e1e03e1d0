"""How states, priorities and actors are named: every one, in both languages."""

import pytest
from flask_babel import force_locale

from webapp.domain.reports.labels import PRIORITIES, STATUS_LABELS, actor_label
from webapp.models import Organization, ReportStatus, User
from webapp.models.reports import ACTOR_SEPARATOR


def test_every_status_has_a_label():
    assert set(STATUS_LABELS) == set(ReportStatus)


@pytest.mark.parametrize("labels", [STATUS_LABELS, PRIORITIES], ids=["statuses", "priorities"])
def test_every_label_reads_in_english_and_in_chinese(app, labels):
    with force_locale("en"):
        english = {key: str(label) for key, label in labels.items()}
    with force_locale("zh"):
        chinese = {key: str(label) for key, label in labels.items()}
    for key in labels:
        assert english[key].strip(), key
        assert chinese[key] != english[key], f"{key} has no Chinese label"
        assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese[key]), chinese[key]
    assert len(set(english.values())) == len(labels)  # no two read the same
    assert len(set(chinese.values())) == len(labels)


def test_an_actor_is_named_with_their_organisation():
    actor = User(display_name="马腾", organization=Organization(name="省直机关后勤保障中心"))
    assert actor_label(actor) == f"马腾{ACTOR_SEPARATOR}省直机关后勤保障中心"
    assert actor_label(None) is None
