"""1+N: compounds paired with their partner company and grid, from the routing table, its CSV
and the place CSV's optional columns; unknown names create the organisation."""

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from tests.conftest import app_secret, count
from webapp.domain import unit_of_work
from webapp.domain.people import organizations
from webapp.domain.reports import intake, pairing, routing
from webapp.domain.reports.routing import RoutingRefused
from webapp.extensions import db
from webapp.models import Category, Compound, Organization, OrgKind, QrCode
from webapp.seed.community import create_community

PLACES = ("小区,楼栋,单元,帮建物业,网格\n"
          "滨河小区,1号楼,1单元,恒安物业,第三网格\n"
          "滨河小区,1号楼,2单元,,\n"
          "滨河小区,2号楼,,恒安物业,第三网格\n"
          "柳巷小区,1号楼,1单元,,第三网格\n")


@pytest.fixture(autouse=True)
def english(app):
    with force_locale("en"):
        yield


@pytest.fixture
def community(app):
    with unit_of_work():
        return create_community("xin", "新社区", "新社区居委会")


def imported(community, text):
    with unit_of_work():
        return pairing.import_places(community, text, apply=True)


def compound(name):
    return db.session.scalars(select(Compound).where(Compound.name == name)).one()


def test_the_place_csv_routes_new_compounds_and_creates_named_organisations(community):
    preview = pairing.import_places(community, PLACES, apply=False)
    assert preview.problems == []
    assert preview.new_organizations == [(OrgKind.PROPERTY, "恒安物业"), (OrgKind.GRID, "第三网格")]
    assert preview.routing_changes == 2 and count(Compound) == 0
    done = imported(community, PLACES)
    assert done.new_compounds == 2 and done.new_entrances == 3
    binhe, liuxiang = compound("滨河小区"), compound("柳巷小区")
    assert (binhe.partner_org.name, binhe.partner_org.kind) == ("恒安物业", OrgKind.PROPERTY)
    assert (binhe.grid_org.name, binhe.grid_org.kind) == ("第三网格", OrgKind.GRID)
    assert liuxiang.partner_org is None and liuxiang.grid_org == binhe.grid_org
    assert pairing.is_routed(binhe) and not pairing.is_routed(liuxiang)
    again = imported(community, PLACES)
    assert again.changes == 0 and count(Organization) == 3


def test_a_new_compound_routes_a_report_to_its_partner_company_with_no_code(community):
    imported(community, PLACES)
    code = db.session.scalars(select(QrCode).where(QrCode.entrance_id.is_not(None))).first()
    water = db.session.scalar(select(Category.id).where(Category.code == "water"))
    with unit_of_work():
        report, _ = intake.submit_report(code, intake.ReportDraft(
            submission_key="pairing-test-00000001", category_id=water, description="漏水"),
            [], None, secret=app_secret())
    assert routing.suggested_org(report).name == "恒安物业"


def test_blank_cells_leave_routing_as_it_is(community):
    imported(community, PLACES)
    result = imported(community, "compound,building,partner_company\n滨河小区,3号楼,\n")
    assert result.routing_changes == 0 and compound("滨河小区").partner_org.name == "恒安物业"


@pytest.mark.parametrize(("text", "line", "words"), [
    ("compound,building,partner_company\n小区,1号楼,新社区居委会\n", 2, "not a property company"),
    ("compound,building,grid\n小区,1号楼,恒安物业\n小区,2号楼,\n"
     "小区2,1号楼,恒安物业\n", 2, None),
    ("compound,building,partner_company\n小区,1号楼,甲物业\n小区,2号楼,乙物业\n", 3,
     "has 甲物业 on line 2"),
    ("compound,building,grid\n小区,1号楼," + "网" * 101 + "\n", 2, "100"),
    ("compound,building,partner_company,grid\n小区,1号楼,同名,同名\n", 2, "not a grid team"),
])
def test_each_problem_names_line_and_column_and_nothing_is_stored(community, text, line, words):
    if words is None:  # 恒安物业 is a company: a grid of that name is refused
        imported(community, "compound,building,partner_company\n旧小区,1号楼,恒安物业\n")
        words = "not a grid team"
    before = (count(Compound), count(Organization))
    result = imported(community, text)
    assert result.problems and result.problems[0][0] == line
    assert words in result.problems[0][1] and "Column" in result.problems[0][1]
    assert (count(Compound), count(Organization)) == before


def test_a_retired_company_in_a_file_is_refused(community):
    imported(community, PLACES)
    company = organizations.named(community.id, "恒安物业")
    with unit_of_work():
        company.active = False
    result = imported(community, "compound,building,partner_company\n新小区,1号楼,恒安物业\n")
    assert "retired" in result.problems[0][1] and count(Compound) == 2


def test_the_table_puts_unrouted_first_filters_and_saves_many_at_once(community):
    imported(community, PLACES)
    table = pairing.table(community.id)
    assert [c.name for c in table.compounds] == ["柳巷小区", "滨河小区"]
    assert (table.total, table.unrouted) == (2, 1)
    assert [c.name for c in pairing.table(community.id, missing="partner").compounds] == \
        ["柳巷小区"]
    assert [c.name for c in pairing.table(community.id, name="滨河").compounds] == ["滨河小区"]
    company = organizations.named(community.id, "恒安物业")
    grid = organizations.named(community.id, "第三网格")
    binhe, liuxiang = compound("滨河小区"), compound("柳巷小区")
    with unit_of_work():
        changed = pairing.save_table(community, {liuxiang.id: (company.id, grid.id),
                                                 binhe.id: (company.id, None)})
    assert changed == 2 and liuxiang.partner_org == company and binhe.grid_org is None
    with pytest.raises(RoutingRefused), unit_of_work():
        pairing.save_table(community, {binhe.id: (grid.id, None)})  # a grid is no company
    office = routing.office_of(community.id)
    with pytest.raises(RoutingRefused), unit_of_work():
        pairing.save_table(community, {binhe.id: (None, office.id)})


def test_the_table_as_csv_goes_out_and_comes_back(community):
    imported(community, PLACES)
    rows = pairing.table_rows(community.id)
    assert rows == [("compound", "partner_company", "grid"), ("柳巷小区", "", "第三网格"),
                    ("滨河小区", "恒安物业", "第三网格")]
    text = "\n".join(",".join(row) for row in rows)
    with unit_of_work():
        assert pairing.import_table(community, text, apply=True).changes == 0
    edited = text.replace("柳巷小区,,第三网格", "柳巷小区,万家物业,第三网格") \
        .replace("滨河小区,恒安物业,第三网格", "滨河小区,恒安物业,")
    with unit_of_work():
        result = pairing.import_table(community, edited, apply=True)
    assert result.new_organizations == [(OrgKind.PROPERTY, "万家物业")]
    assert result.routing_changes == 2
    assert compound("柳巷小区").partner_org.name == "万家物业"
    assert compound("滨河小区").grid_org is None  # blank is none in the table's file
    with unit_of_work():
        unknown = pairing.import_table(community, "compound,partner_company,grid\n无此小区,a,b\n",
                                       apply=True)
    assert unknown.problems[0][0] == 2 and "无此小区" in unknown.problems[0][1]
