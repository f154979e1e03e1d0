"""What the consultation tests share: 微波宿舍 1号楼 with six rooms, a consultation open on it
(from a report waiting on the residents) and a clock under the test's control."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import app_secret
from webapp.domain import unit_of_work
from webapp.domain.consultations import opening, rooms, rules
from webapp.domain.reports import dispatch, intake
from webapp.extensions import db
from webapp.models import Category

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
DEADLINE = T0 + timedelta(days=7)
ROOMS = "101, 80\n102, 100\n201, 80, 1单元\n202, 100, 2单元\n301, 90, 2单元\n302, 120, 3单元"


def draft(**changes):
    fields = dict(title="更换楼内供暖立管", proposal="更换 1-6 层供暖立管及阀门",
                  reason="立管锈蚀漏水，影响全楼供暖", cost_cents=60_000_00,
                  share_basis=rules.EQUAL, deadline=DEADLINE,
                  rule=rules.PRESETS["two_thirds_households"])
    fields.update(changes)
    return opening.ConsultationDraft(**fields)


@pytest.fixture
def building(entrance_code):
    building = entrance_code.building
    with unit_of_work():
        rooms.save_rooms(building, ROOMS)
    return building


@pytest.fixture
def waiting_report(entrance_code, users, tmp_path):
    """A heating report the dispatcher marked for the residents' decision."""
    heating = db.session.scalar(select(Category.id).where(Category.code == "heating"))
    with unit_of_work():
        report, _ = intake.submit_report(entrance_code, intake.ReportDraft(
            submission_key="consult-test-0000001", category_id=heating,
            description="暖气立管漏水，全楼不热"), [], tmp_path, now=T0, secret=app_secret())
        dispatch.assign(report, users["dispatcher"], report.compound.partner_org, now=T0)
        dispatch.mark_needs_consultation(report, users["dispatcher"], "需业主表决出资",
                                         now=T0)
    return report


@pytest.fixture
def consultation(building, waiting_report, users, tmp_path):
    with unit_of_work():
        return opening.open_consultation(
            draft(), opening.Place(building.compound, building), users["dispatcher"],
            secret=app_secret(), upload_folder=tmp_path, report=waiting_report, now=T0)
