"""What the report tests share: a resident's draft, a filed report (the `report` fixture)
and a clock under the test's control (T0, minutes)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import app_secret
from webapp.domain import unit_of_work
from webapp.domain.reports import dispatch, intake, sla, transitions
from webapp.extensions import db
from webapp.models import Building, Category, Compound, Organization


def draft(key="key-0000000000000001", **changes):
    category_id = db.session.scalar(select(Category.id).where(Category.code == "water"))
    fields = dict(submission_key=key, category_id=category_id,
                  description="楼道水管漏水 leaking pipe", floor_room="3-302",
                  contact_name="王阿姨", contact_phone="13800000000", care_card=True)
    fields.update(changes)
    return intake.ReportDraft(**fields)


T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def minutes(n):
    return T0 + timedelta(minutes=n)


@pytest.fixture
def report(entrance_code, users, tmp_path):
    draft = intake.ReportDraft(submission_key="dispatch-test-0000001",
                                 category_id=category_coded("water").id,
                                 description="楼道灯不亮", contact_phone="13800000000")
    with unit_of_work():
        report, _ = intake.submit_report(entrance_code, draft, [], tmp_path, now=T0,
                                           secret=app_secret())
    return report


def category_coded(code):
    return db.session.scalars(select(Category).where(Category.code == code)).one()


def org_named(name):
    return db.session.scalars(select(Organization).where(Organization.name == name)).one()


def clock(report, name, cycle=None):
    cycle = cycle or sla.current_cycle(report)
    return next(m for m in report.milestones if m.name == name and m.cycle == cycle)


def resolve_in_ten_minutes(report, users):
    handler = users["mateng"]
    dispatch.assign(report, users["dispatcher"], report.compound.partner_org, now=minutes(1))
    transitions.accept(report, handler, now=minutes(2))
    transitions.arrive(report, handler, now=minutes(3))
    transitions.resolve(report, handler, "修好了", now=minutes(10))


# 多元点单: a report staff file for a resident, at a place they picked.
def building_of(compound_name, building_name="1号楼"):
    return db.session.scalars(select(Building).join(Compound).where(
        Compound.name == compound_name, Building.name == building_name)).one()


def file_for(user, key, channel="phone", building=None, entrance_id=None, photo_list=(),
             folder=None, **changes):
    building = building or building_of("建材宿舍")
    if entrance_id is None and building.entrances:
        entrance_id = building.entrances[0].id
    return intake.submit_report(
        None, draft(key, channel=channel, filed_by=user, **changes), list(photo_list),
        folder, now=T0, building=building, entrance_id=entrance_id, secret=app_secret())
