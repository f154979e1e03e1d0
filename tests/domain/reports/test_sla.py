"""The SLA's rules that need no database: merging targets, and the expected-by time that the
board, the queue and Open311 can show."""

from datetime import UTC, datetime, timedelta

from webapp.domain.reports import sla
from webapp.models import Milestone


def test_expected_time_adds_the_steps_after_the_running_clock():
    due = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    routine = {Milestone.ACCEPT: 30, Milestone.ARRIVE: 5, Milestone.RESOLVE: 20}
    assert sla.expected_by([(Milestone.ACCEPT, due)], False, routine) == \
        due + timedelta(minutes=25)
    assert sla.expected_by([(Milestone.ARRIVE, due)], False, routine) == \
        due + timedelta(minutes=20)
    assert sla.expected_by([(Milestone.RESOLVE, due)], False, routine) == due
    major = {Milestone.ACCEPT: 30, Milestone.PLAN: 2880}
    assert sla.expected_by([(Milestone.ACCEPT, due)], True, major) == \
        due + timedelta(days=2)
    assert sla.expected_by([], False, routine) is None


def test_targets_are_the_defaults_under_shared_under_own():
    assert sla.merged_targets(False) == sla.ROUTINE_DEFAULTS
    assert sla.merged_targets(True) == sla.MAJOR_DEFAULTS
    shared = {Milestone.ACCEPT: 60, Milestone.ARRIVE: 15}
    own = {Milestone.ARRIVE: 10}
    assert sla.merged_targets(False, shared, own) == {
        Milestone.ACCEPT: 60, Milestone.ARRIVE: 10, Milestone.RESOLVE: 20}
    # a milestone the kind of job has not is not made up by a stray row
    assert sla.merged_targets(True, {Milestone.ARRIVE: 5}) == sla.MAJOR_DEFAULTS
