"""A community's organisations: added, renamed, re-phoned, retired and brought back; a retired
one is offered nowhere new."""

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from tests.conftest import count
from webapp.domain import unit_of_work
from webapp.domain.people import organizations
from webapp.domain.people.organizations import OrganizationBusy, OrganizationRefused
from webapp.domain.reports import dispatch, routing
from webapp.extensions import db
from webapp.models import Organization, OrgKind, Report, User
from webapp.models.text import max_length


@pytest.fixture(autouse=True)
def english(app):
    with force_locale("en"):
        yield


def bayi():
    return routing.organization_named("八一社区居委会").community


def added(kind, name, phone=None):
    with unit_of_work():
        return organizations.add(bayi(), kind, name, phone)


def test_an_admin_adds_each_kind_with_its_duty_phone_in_one_spelling(demo):
    company = added(OrgKind.PROPERTY, "  恒安物业 ", "138.0013.8000")
    grid = added(OrgKind.GRID, "第三网格")
    department = added(OrgKind.DEPARTMENT, "供电所", "(0351) 765 4321")
    assert (company.name, company.phone, company.active) == ("恒安物业", "13800138000", True)
    assert grid.phone is None and department.phone == "0351-7654321"
    assert {company, grid, department} <= set(routing.organizations(company.community_id))


@pytest.mark.parametrize(("kind", "name", "phone", "field"), [
    (OrgKind.OFFICE, "第二居委会", None, "kind"),       # the office comes with the community
    ("company", "恒安物业", None, "kind"),
    (OrgKind.PROPERTY, "   ", None, "name"),
    (OrgKind.PROPERTY, "物" * 101, None, "name"),
    (OrgKind.PROPERTY, "恒安物业", "12", "phone"),
    (OrgKind.PROPERTY, "恒安物业", "1" * 31, "phone"),
])
def test_what_is_refused_says_which_field_and_stores_nothing(demo, kind, name, phone, field):
    before = count(Organization)
    with pytest.raises(OrganizationRefused) as refused:
        added(kind, name, phone)
    assert refused.value.field == field and str(refused.value)
    assert count(Organization) == before


def test_a_name_that_reads_the_same_is_a_duplicate_retired_or_not(demo):
    added(OrgKind.PROPERTY, "Heng An 物业")
    for same in ("heng  an 物业", "ＨＥＮＧ ＡＮ 物业", "八一社区居委会"):
        with pytest.raises(OrganizationRefused, match="exists already"):
            added(OrgKind.GRID, same)
    retired = added(OrgKind.DEPARTMENT, "城管中队")
    with unit_of_work():
        organizations.retire(retired)
    with pytest.raises(OrganizationRefused, match="bring it back"):
        added(OrgKind.DEPARTMENT, "城管中队")


def test_rename_and_change_phone_keep_the_rules(demo):
    company = added(OrgKind.PROPERTY, "恒安物业")
    with unit_of_work():
        organizations.change(company, "恒安物业（新）", "0351-7654321")
    assert (company.name, company.phone) == ("恒安物业（新）", "0351-7654321")
    with unit_of_work():
        organizations.change(company, "恒安物业（新）", "")  # the same name is itself
    assert company.phone is None
    with pytest.raises(OrganizationRefused, match="exists already"), unit_of_work():
        organizations.change(company, "八一社区居委会", None)
    db.session.expire_all()
    assert company.name == "恒安物业（新）"
    limit = max_length(Organization.name)
    with pytest.raises(OrganizationRefused, match=str(limit)), unit_of_work():
        organizations.change(company, "物" * (limit + 1), None)


def test_the_office_cannot_be_retired(demo):
    office = routing.office_of(bayi().id)
    with pytest.raises(OrganizationRefused, match="office"):
        organizations.retire(office)
    assert office.active


def open_job_of(org):
    report = db.session.scalars(select(Report).where(Report.status == "submitted")
                                .where(Report.community_id == org.community_id)).first()
    dispatcher = db.session.scalars(select(User).where(User.username == "dispatcher")).one()
    with unit_of_work():
        dispatch.assign(report, dispatcher, org)
    return report


def test_an_organisation_with_open_jobs_is_not_retired_and_says_how_many(demo):
    company = added(OrgKind.PROPERTY, "恒安物业")
    report = open_job_of(company)
    with pytest.raises(OrganizationBusy, match="1 open jobs"):
        organizations.retire(company)
    assert company.active and organizations.open_jobs(company) == 1
    with unit_of_work():
        report.status = "closed"
    with unit_of_work():
        organizations.retire(company)
    assert not company.active


def test_retired_is_offered_nowhere_new_but_stays_on_its_reports(demo):
    company = added(OrgKind.PROPERTY, "恒安物业")
    department = added(OrgKind.DEPARTMENT, "供电所")
    report = open_job_of(company)
    with unit_of_work():
        report.status = "closed"
    compound = report.compound
    with unit_of_work():
        compound.partner_org = company
        organizations.retire(company)
        organizations.retire(department)
    offered = routing.organizations(company.community_id)
    assert company not in offered and department not in offered
    assert routing.suggested_org(report) != company  # routing skips it: the office takes it
    assert report.assigned_org == company  # history stays
    assert organizations.compounds_routed_to(company) == [compound]
    with unit_of_work():
        organizations.bring_back(company)
    assert company in routing.organizations(company.community_id)
