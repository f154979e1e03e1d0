"""flask district create, flask street create, community create --street, an overseer's
account from the command line, and flask rollup rebuild."""

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Community, Role, User
from webapp.models.rollup import report_rollup


def test_a_district_its_street_a_community_under_it_and_their_overseers(app):
    runner = app.test_cli_runner()

    def run(*args):
        return runner.invoke(args=list(args))

    made = run("district", "create", "--code", "xiaodian", "--name", "小店区")
    assert made.exit_code == 0 and "Created 小店区" in made.output
    assert run("district", "create", "--code", "xiaodian", "--name", "别的区").exit_code == 2
    assert run("street", "create", "--district", "nowhere", "--code", "a",
               "--name", "街道").exit_code == 2
    assert run("street", "create", "--district", "xiaodian", "--code", "wucheng",
               "--name", "坞城街道").exit_code == 0
    assert run("community", "create", "--code", "bayi", "--name", "八一社区", "--office",
               "八一社区居委会", "--street", "nowhere").exit_code == 2
    assert run("community", "create", "--code", "bayi", "--name", "八一社区", "--office",
               "八一社区居委会", "--street", "wucheng").exit_code == 0
    community = db.session.scalars(select(Community).where(Community.code == "bayi")).one()
    assert community.street.name == "坞城街道"
    for username, scope in (("streetman", ["--street", "wucheng"]),
                            ("districtman", ["--district", "xiaodian"])):
        created = run("users", "create", "--username", username, "--name", "专员",
                      "--role", "overseer", *scope, "--password", "long-enough-1")
        assert created.exit_code == 0, created.output
    both = run("users", "create", "--username", "both", "--name", "x", "--role", "overseer",
               "--street", "wucheng", "--district", "xiaodian", "--password", "long-enough-1")
    in_org = run("users", "create", "--username", "inorg", "--name", "x", "--role",
                 "overseer", "--org", "八一社区居委会", "--password", "long-enough-1")
    staff_in_street = run("users", "create", "--username", "odd", "--name", "x", "--role",
                          "admin", "--street", "wucheng", "--password", "long-enough-1")
    assert (both.exit_code, in_org.exit_code, staff_in_street.exit_code) == (2, 2, 2)
    users = {u.username: u for u in db.session.scalars(select(User))}
    assert set(users) == {"streetman", "districtman"}
    assert users["streetman"].role == Role.OVERSEER and users["streetman"].street.code == \
        "wucheng" and users["streetman"].organization is None
    assert users["districtman"].district.code == "xiaodian"


def test_rollup_rebuild_recomputes_what_the_listener_keeps(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["demo-data"])
    kept = counted_rows()
    db.session.execute(report_rollup.delete())
    db.session.commit()
    rebuilt = runner.invoke(args=["rollup", "rebuild"])
    assert rebuilt.exit_code == 0 and "rows" in rebuilt.output
    assert counted_rows() == kept
    assert kept  # the demo's reports are counted


def counted_rows():
    """The rollup's rows, less those whose counts all went back to zero."""
    return sorted(tuple(row) for row in db.session.execute(select(report_rollup))
                  if any(row[5:]))
