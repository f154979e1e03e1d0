"""Every logged-in page fits a 360 px phone (DESIGN.md §8): the walk takes every GET page of
the staff, volunteer, admin and notifications blueprints from the app's url_map, so a new page
is walked without anyone adding it here, and opens it as each role that may open it, in both
languages, with reports in each step of the loop (one with a long unbroken word). On the way
it follows every link those pages show: none may lead its user to a page they may not open."""

from datetime import timedelta

from sqlalchemy import select

from tests.e2e.conftest import log_in
from webapp.access import access_of
from webapp.domain import unit_of_work
from webapp.domain.consultations import opening, rooms, rules
from webapp.domain.people import accounts
from webapp.domain.people.permissions import ROLE_ACTIONS
from webapp.domain.reports import dispatch, intake, transitions
from webapp.domain.services import booking, care_cards, care_visits
from webapp.extensions import db
from webapp.models import (
    CareCard,
    CareVisit,
    Category,
    Company,
    Compound,
    Consultation,
    Organization,
    OrgKind,
    QrCode,
    Report,
    Role,
    Slot,
    User,
    VolunteerShift,
)
from webapp.models.types import utcnow

NARROW = {"width": 360, "height": 740}
BLUEPRINTS = ("staff", "volunteer", "admin", "notifications", "district")
ACCOUNTS = {Role.ADMIN: "admin", Role.DISPATCHER: "dispatcher", Role.HANDLER: "mateng",
            Role.VOLUNTEER: "volunteer", Role.OVERSEER: "district"}
LINKS = """() => [...document.querySelectorAll('a[href^="/"]')].map(a => a.getAttribute('href'))"""
LONG_WORD = "https://example.com/" + "water-pipe-leaking-again-" * 6
WIDTH = "document.documentElement.scrollWidth"
# Where the width comes from: elements sticking out past the viewport whose parent does not.
CULPRITS = """(limit) => [...document.querySelectorAll('body *')].filter(e =>
    e.getBoundingClientRect().right > limit + 0.5
    && e.parentElement.getBoundingClientRect().right <= limit + 0.5).slice(0, 3)
    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
         + [...e.classList].map(c => '.' + c).join(''))"""


def user(name: str) -> User:
    return db.session.scalars(select(User).where(User.username == name)).one()


def file(code: QrCode, key: str, text: str, **contact) -> Report:
    draft = intake.ReportDraft(
        submission_key=key, description=text, floor_room="3楼301", **contact,
        category_id=db.session.scalar(select(Category.id).where(Category.code == "water")))
    return intake.submit_report(code, draft, [], upload_folder=None, secret="x")[0]


def reports_in_every_step(app, token: str) -> None:
    """mateng gets a job in each of his steps; one report stays new; all have long words."""
    with app.app_context(), unit_of_work():
        code = db.session.scalars(select(QrCode).where(QrCode.token == token)).one()
        dispatcher, handler = user("dispatcher"), user("mateng")
        company = handler.organization
        file(code, "width-new-000000001", LONG_WORD, contact_name="王" * 20,
             contact_phone="13812345678")
        steps = [file(code, f"width-step-00000000{n}", f"三楼水管漏水 {LONG_WORD}",
                      contact_phone="13812345678") for n in range(3)]
        for n, report in enumerate(steps):
            dispatch.assign(report, dispatcher, company, handler)
            dispatch.add_internal_note(report, dispatcher, "请带上扳手 " + LONG_WORD)
            if n >= 1:
                transitions.accept(report, handler)
            if n >= 2:
                transitions.arrive(report, handler)
        office = db.session.scalars(select(Organization).where(
            Organization.kind == OrgKind.OFFICE)).first()
        helper = accounts.create_user("volunteer", "志愿者 小王", "volunteer-pass",
                                      Role.VOLUNTEER, office)
        booking.sign_up(db.session.scalars(select(Slot).where(  # a shift to ask to leave
            Slot.starts_at > utcnow() + timedelta(days=2), Slot.community_id ==
            office.community_id).order_by(Slot.starts_at)).first(), helper)
        # A care-card holder visited daily, today's visit taken by the volunteer.
        card = care_cards.register(office.community_id, care_cards.CareCardDraft(
            "孙" + "爷" * 30, "13700001111", code.entrance_id))
        db.session.flush()
        care_visits.set_rhythm(card, care_visits.RhythmDraft(1, 10, None), dispatcher)
        db.session.flush()
        visit = db.session.scalars(select(CareVisit).order_by(CareVisit.due_on)).first()
        care_visits.take(visit, helper)
        # 一事一议: the door's building has rooms, and a consultation open on it.
        rooms.save_rooms(code.building, "101, 80\n102, 100\n" + "2" * 20 + ", 80")
        db.session.flush()
        opening.open_consultation(opening.ConsultationDraft(
            title="更换楼内供暖立管", proposal="更换立管 " + LONG_WORD, reason=LONG_WORD,
            cost_cents=60_000_00, share_basis=rules.EQUAL,
            deadline=utcnow() + timedelta(days=7), rule=rules.PRESETS["two_thirds_households"]),
            opening.Place(code.building.compound, code.building), dispatcher,
            secret=app.config["SECRET_KEY"], upload_folder=app.config["UPLOAD_FOLDER"])


def path_values(app, role: str) -> dict[str, list]:
    """Real ids for the path parameters: every report the role may open, a compound, a door."""
    with app.app_context():
        me = user(ACCOUNTS[role])
        if role == Role.OVERSEER:  # the district's figures: every company, nobody's report
            return {"company_id": list(db.session.scalars(select(Company.id)))}
        reports = db.session.scalars(select(Report).where(
            Report.community_id == me.organization.community_id).order_by(Report.id)).all()
        if role == Role.HANDLER:
            reports = [r for r in reports if r.assigned_org_id == me.organization_id]
        compound = db.session.scalars(select(Compound).where(
            Compound.community_id == me.organization.community_id)).first()
        shifts = [s.id for s in db.session.scalars(select(VolunteerShift).where(
            VolunteerShift.user_id == me.id, VolunteerShift.cancelled_at.is_(None)))]
        return {"report_id": [r.id for r in reports], "compound_id": [compound.id],
                "shift_id": shifts,
                "card_id": list(db.session.scalars(select(CareCard.id).where(
                    CareCard.community_id == me.organization.community_id))),
                "visit_id": list(db.session.scalars(select(CareVisit.id).where(
                    CareVisit.volunteer_id == me.id))),
                "consultation_id": list(db.session.scalars(select(Consultation.id).where(
                    Consultation.community_id == me.organization.community_id))),
                "building_id": list(db.session.scalars(select(Consultation.building_id).where(
                    Consultation.community_id == me.organization.community_id))),
                "token": [reports[-1].qr_code.token if reports[-1].qr_code else None]}


def pages_of(app, role: str) -> list[str]:
    values, urls = path_values(app, role), []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in BLUEPRINTS or "GET" not in rule.methods:
            continue
        if "." in rule.rule.rsplit("/", 1)[-1]:
            continue  # a file (CSV, photo, code image, calendar), not a page
        if access_of(app, rule.endpoint) not in ROLE_ACTIONS[role]:
            continue
        combos = [{}]
        for name in rule.arguments:
            combos = [dict(c, **{name: v}) for c in combos for v in values[name]]
        urls += [rule.build(c, append_unknown=False)[1] for c in combos]
    return urls


def forbidden_links(context, base: str, links: set[str]) -> list[str]:
    """The links among `links` that answer this user 403."""
    return sorted(link for link in links
                  if context.request.get(base + link, max_redirects=0).status == 403)


def test_no_logged_in_page_scrolls_sideways_at_360_px(live_server, browser):
    app = live_server.app
    reports_in_every_step(app, live_server.scan_url.rsplit("/", 1)[1])
    walked, offenders, dead_ends = 0, [], []
    for locale in ("zh-CN", "en-US"):
        for role, username in ACCOUNTS.items():
            context = browser.new_context(viewport=NARROW, locale=locale)
            page = context.new_page()
            log_in(page, live_server.url, username,
                   "volunteer-pass" if role == Role.VOLUNTEER else "mashang-demo")
            links: set[str] = set()
            for url in pages_of(app, role):
                response = page.goto(live_server.url + url)
                if "text/html" not in response.headers.get("content-type", ""):
                    continue  # JSON for live.js
                assert response.status == 200, f"{url} as {username}: {response.status}"
                walked += 1
                links.update(link.split("#")[0] for link in page.evaluate(LINKS))
                width = page.evaluate(WIDTH)
                if width > NARROW["width"]:
                    culprits = ", ".join(page.evaluate(CULPRITS, NARROW["width"]))
                    offenders.append(f"{url} as {username} ({locale}): {width} px ({culprits})")
            if locale == "zh-CN":
                dead_ends += [f"{link} linked for {username}"
                              for link in forbidden_links(context, live_server.url, links)]
            context.close()
    assert walked > 40
    assert offenders == [], "wider than 360 px:\n" + "\n".join(offenders)
    assert dead_ends == [], "links to a 403:\n" + "\n".join(dead_ends)
