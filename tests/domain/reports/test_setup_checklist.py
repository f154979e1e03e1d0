"""The setup checklist: each step done when what it asks for is there."""

from sqlalchemy import select

from webapp.domain import unit_of_work
from webapp.domain.people import accounts, organizations
from webapp.domain.reports import pairing, setup_checklist
from webapp.extensions import db
from webapp.models import OrgKind, QrCode, Role
from webapp.models.types import utcnow
from webapp.seed.community import set_up


def steps(community):
    return {s.key: s.done for s in setup_checklist.checklist(community)}


def test_a_new_community_goes_from_nothing_to_everything(app):
    with unit_of_work():
        community, admin = set_up("xin", "新社区", "新社区居委会", None, None, "boss", "主任",
                                  "long-enough-1")
    assert steps(community) == {"details": False, "organizations": False, "places": False,
                                "routing": False, "categories": True, "users": False,
                                "codes": False}
    with unit_of_work():
        community.hotline, community.hotline_24h = "0351-7654321", "0351-7654300"
        pairing.import_places(community, "小区,楼栋,单元,物业,网格\n滨河小区,1号楼,1单元,恒安物业,"
                              "第三网格\n", apply=True)
        office = admin.organization
        accounts.create_user("disp", "派单员", "long-enough-1", Role.DISPATCHER, office)
    done = steps(community)
    assert done["details"] and done["organizations"] and done["places"] and done["routing"]
    assert not done["users"] and not done["codes"]
    assert "恒安物业" in next(s.detail for s in setup_checklist.checklist(community)
                          if s.key == "users")
    with unit_of_work():
        for org in organizations.organizations_of(community.id):
            if org.kind in (OrgKind.PROPERTY, OrgKind.GRID):
                accounts.create_user(f"h{org.id}", "师傅", "long-enough-1", Role.HANDLER, org)
        for code in db.session.scalars(select(QrCode)):
            code.printed_at = utcnow()
    assert setup_checklist.missing(community) == 0
