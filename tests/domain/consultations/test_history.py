"""The consultation's event log is append-only."""

import pytest

from webapp.domain.consultations import history
from webapp.extensions import db


def test_the_log_is_append_only(consultation):
    events = history.events_of(consultation)
    assert [e.kind for e in events] == ["opened", "slips_issued"]
    events[0].note = "rewritten"
    with pytest.raises(RuntimeError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(RuntimeError):
        db.session.delete(history.events_of(consultation)[0])
        db.session.flush()
