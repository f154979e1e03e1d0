"""The timeline of a report: append-only, who made each step, what the public sees, and what
a merged report's reporter sees of the report that carries the work."""

import pytest
from sqlalchemy import select

from tests.conftest import app_secret
from tests.domain.reports.conftest import T0, draft, minutes
from webapp.domain import unit_of_work
from webapp.domain.reports import dispatch, intake, timeline, transitions
from webapp.domain.reports.labels import actor_label
from webapp.extensions import db
from webapp.models import ReportEvent, ReportStatus

S = ReportStatus


def test_timeline_is_append_only(entrance_code, tmp_path):
    with unit_of_work():
        report, _ = intake.submit_report(entrance_code, draft(), [], tmp_path,
                                           secret=app_secret())
    event = db.session.scalar(select(ReportEvent).where(ReportEvent.report_id == report.id))
    event.note = "rewritten history"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(ReportEvent, event.id))
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()


def test_a_merged_report_shows_what_carries_its_work(report, users, entrance_code, tmp_path):
    """The end of the chain, and of the target only what its staff wrote in public."""
    dispatcher = users["dispatcher"]
    later = intake.submit_report(entrance_code, intake.ReportDraft(
        submission_key="merge-carried-000001", category_id=report.category_id,
        description="同一个灯"), [], tmp_path, now=T0, secret=app_secret())[0]
    transitions.add_information(report, "我家电话 13800000000", [], tmp_path)
    dispatch.public_reply(report, dispatcher, "已安排师傅明早更换")
    dispatch.add_internal_note(report, dispatcher, "住户白天不在家")
    dispatch.merge_duplicate(later, dispatcher, report)
    assert timeline.carried_by(later) == report and timeline.carried_by(report) is None
    lines = timeline.shared_progress(report)
    assert [line.kind for line in lines] == ["submitted", "info_added", "reply"]
    assert [line.note for line in lines] == [None, None, "已安排师傅明早更换"]


def test_an_event_names_who_made_it_and_only_public_events_are_shown(report, users):
    dispatcher = users["dispatcher"]
    with unit_of_work():
        note = timeline.record_event(report, "note", S.SUBMITTED, S.SUBMITTED, "住户白天不在家",
                                     actor=dispatcher, public=False, now=minutes(1))
        added = timeline.record_event(report, "info_added", S.SUBMITTED, S.SUBMITTED, "补充",
                                      now=minutes(2))
        swept = timeline.record_event(report, "auto_closed", S.SUBMITTED, S.SUBMITTED, None,
                                      actor_kind=timeline.SYSTEM, now=minutes(3))
    assert (note.actor_kind, note.actor_id, note.actor_label) == (
        timeline.STAFF, dispatcher.id, actor_label(dispatcher))
    assert (added.actor_kind, added.actor_id, added.actor_label) == (
        timeline.RESIDENT, None, None)
    assert swept.actor_kind == timeline.SYSTEM and added.created_at == minutes(2)
    assert [e.kind for e in timeline.public_events(report)] == [
        "submitted", "info_added", "auto_closed"]
    assert note in report.events and note not in timeline.public_events(report)
