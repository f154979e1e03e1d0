"""Who a report should go to: the category's route in the community, falling back to the
community office; and whom a job can be handed to."""

import pytest

from webapp.domain import unit_of_work
from webapp.domain.reports import category_settings, routing, sla
from webapp.models import OrgKind, Role, Routing


def routed(report, route):
    category, community_id = report.category, report.community_id
    with unit_of_work():
        category_settings.save(category, community_id, routing=route,
                               targets=sla.targets_for(category, community_id))


def test_the_office_is_the_communitys_own(demo):
    office = routing.organization_named("八一社区居委会")
    assert office.kind == OrgKind.OFFICE
    assert routing.office_of(office.community_id) == office
    assert routing.organizations(office.community_id, [OrgKind.OFFICE]) == [office]
    others = routing.organizations(office.community_id)
    assert office in others and all(o.community_id == office.community_id for o in others)
    assert routing.organization(None) is None and routing.staff_member(None) is None


@pytest.mark.parametrize("route", list(Routing))
def test_a_report_goes_where_its_category_is_routed(report, route):
    compound, office = report.compound, routing.office_of(report.community_id)
    routed(report, route)
    expected = {Routing.PARTNER: compound.partner_org, Routing.GRID: compound.grid_org,
                Routing.OFFICE: office}[route]
    assert expected is not None
    assert routing.suggested_org(report) == expected


def test_without_a_partner_or_grid_the_office_takes_it(report):
    office = routing.office_of(report.community_id)
    report.compound.partner_org = report.compound.grid_org = None
    for route in (Routing.PARTNER, Routing.GRID):
        routed(report, route)
        assert routing.suggested_org(report) == office


def test_a_job_is_handed_to_active_handlers_and_dispatchers_of_the_chosen_organisations(
        report, users):
    partner = report.compound.partner_org
    people = routing.people([partner])
    assert users["mateng"] in people and users["yianju"] not in people
    assert all(p.organization_id == partner.id and p.active for p in people)
    assert all(p.role in (Role.HANDLER, Role.DISPATCHER) for p in people)
    with unit_of_work():
        users["mateng"].active = False
    assert users["mateng"] not in routing.people([partner])


def test_a_retired_partner_or_grid_is_never_suggested(report):
    office = routing.office_of(report.community_id)
    for route, attribute in ((Routing.PARTNER, "partner_org"), (Routing.GRID, "grid_org")):
        routed(report, route)
        org = getattr(report.compound, attribute)
        with unit_of_work():
            org.active = False
        assert routing.suggested_org(report) == office
        with unit_of_work():
            org.active = True


def test_a_compound_exception_goes_before_the_category_route(report):
    compound, category = report.compound, report.category
    grid = compound.grid_org
    routed(report, Routing.PARTNER)
    with unit_of_work():
        routing.set_exception(compound, category, grid)
    assert routing.suggested_org(report) == grid
    offered = routing.active_categories(report.community_id)
    effect = dict((org.id, cats) for org, cats in routing.effect(
        [compound], offered, report.community_id)[compound.id])
    assert category in effect[grid.id]
    with unit_of_work():
        grid.active = False  # a retired exception counts for nothing
    assert routing.suggested_org(report) == compound.partner_org
    with unit_of_work():
        grid.active = True
        routing.set_exception(compound, category, None)
    assert routing.suggested_org(report) == compound.partner_org


def test_an_exception_names_an_active_team_of_the_same_community(report):
    department = routing.organizations(report.community_id, [OrgKind.DEPARTMENT])[0]
    with pytest.raises(routing.RoutingRefused):
        routing.set_exception(report.compound, report.category, department)
    other = routing.organization_named("新桥北村社区居委会")
    with pytest.raises(routing.RoutingRefused):
        routing.set_exception(report.compound, report.category, other)
