"""Command-line: flask community create, flask first-run, flask users create,
flask demo-data, flask qr list, flask qr sheet, flask worker, flask sla sweep,
flask consultations close-due,
flask photos sweep, flask privacy purge, flask open311 key create, flask backup."""

import sys
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from webapp.domain import unit_of_work
from webapp.domain.notify import outbox
from webapp.domain.people import accounts
from webapp.domain.places import lookup as places
from webapp.domain.places import printing
from webapp.domain.reports import purge, routing
from webapp.domain.shared import photos, spreadsheet
from webapp.domain.shared.tokens import new_password
from webapp.models import Role
from webapp.models.types import utcnow
from webapp.seed import district as district_seed
from webapp.seed.demo import DEMO_OVERSEERS, DEMO_PASSWORD, DEMO_USERS, load_demo_data
from webapp.seed.services import VOLUNTEERS

qr_cli = AppGroup("qr", help="QR codes on posters.")
users_cli = AppGroup("users", help="Staff accounts.")
sla_cli = AppGroup("sla", help="SLA clocks.")
photos_cli = AppGroup("photos", help="Photo files.")
community_cli = AppGroup("community", help="Communities (a new installation starts here).")
privacy_cli = AppGroup("privacy", help="Residents' personal data.")
consultations_cli = AppGroup("consultations", help="一事一议: residents' decisions.")


def scan_url(token: str) -> str:
    return printing.scan_url(current_app.config["BASE_URL"], token)


@qr_cli.command("list")
def qr_list():
    """Print every active code as CSV: token, scan URL, compound, building, entrance."""
    rows = [(token, scan_url(token), compound, building, entrance or "")
            for token, compound, building, entrance in places.active_codes()]
    # Names typed by admins: made safe in case the list is opened in a spreadsheet.
    spreadsheet.write_rows(sys.stdout, [("token", "url", "compound", "building", "entrance"),
                                        *rows], bom=False, lineterminator="\n")


@qr_cli.command("sheet")
@click.option("--compound", "compound_name", required=True, help="Compound name.")
@click.option("--kind", type=click.Choice(["posters", "labels"]), default="posters")
@click.option("--paper", type=click.Choice(["A4", "A5"]), default="A4", help="Poster paper.")
@click.option("--preset", default="3x8", help="Label sheet preset.")
@click.option("--skip", default=0, help="Labels already used on the first sheet.")
@click.option("--cut-guides", is_flag=True)
@click.option("--replaced-only", is_flag=True, help="Only codes issued to replace old ones.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True)
def qr_sheet(compound_name, kind, paper, preset, skip, cut_guides, replaced_only, output):
    """Write posters or a label sheet of a compound's codes to a PDF file."""
    compounds = places.compounds_named(compound_name)
    if len(compounds) != 1:
        raise click.UsageError(f"{len(compounds)} compounds are named {compound_name!r}.")
    choice = printing.PrintChoice(kind=kind, paper=paper, preset=preset,
                                  sizes={"skip": str(skip)}, cut_guides=cut_guides,
                                  replacements_only=replaced_only)
    try:
        with unit_of_work():  # records when its codes were printed
            pdf, _name = printing.render_for_form(compounds[0], choice,
                                                  current_app.config["BASE_URL"],
                                                  current_app.config.get("QR_FONT"))
    except printing.PrintError as error:
        raise click.UsageError(str(error)) from error
    with open(output, "wb") as out:
        out.write(pdf)
    click.echo(f"Wrote {output} ({len(pdf)} bytes).")


@click.command("demo-data")
@click.option("--if-empty", is_flag=True, help="Only load when there are no communities yet.")
@click.option("--district", is_flag=True,
              help="Also generate the district 小店区: 80 communities, a year of reports.")
@click.option("--reports", type=click.IntRange(0, 1_000_000), default=100_000,
              show_default=True, help="Reports of the generated district.")
@click.option("--seed", type=int, default=1, show_default=True,
              help="The same seed (and day) generates the same district.")
def demo_data(if_empty, district, reports, seed):
    """Load the demo communities, compounds, categories and a few reports (idempotent)."""
    if if_empty and places.communities():
        click.echo("Database already has data; demo data not loaded.")
    else:
        with unit_of_work():
            added = load_demo_data(current_app.config["SECRET_KEY"])
        click.echo("Demo data: " + ", ".join(f"{n} {kind} added" for kind, n in added.items()))
        if district:
            generate_district(reports, seed)
    example = next((row for row in places.active_codes() if row[3]), None)
    if example:
        click.echo(f"Scan page of {example[1]} {example[2]} {example[3]}: {scan_url(example[0])}")
    base = current_app.config["BASE_URL"].rstrip("/")
    click.echo(f"Staff login: {base}/login  (demo password for every account: {DEMO_PASSWORD})")
    for username, name, role, _org in DEMO_USERS:
        click.echo(f"  {username:<12} {role:<11} {name}")
    for username, name in VOLUNTEERS:
        click.echo(f"  {username:<12} {'volunteer':<11} {name}")
    for username, name in DEMO_OVERSEERS:
        click.echo(f"  {username:<12} {'overseer':<11} {name}")
    click.echo(f"Public board: {base}/board")


def generate_district(reports: int, seed: int) -> None:
    try:
        with unit_of_work():
            rows = district_seed.generate(current_app.config["SECRET_KEY"], reports, seed,
                                          echo=click.echo)
    except district_seed.DistrictExists as exists:
        raise click.UsageError(str(exists)) from None
    click.echo("District: " + ", ".join(f"{n:,} {table}" for table, n in rows.items()))


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--name", "display_name", required=True, help="Name shown to colleagues.")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--org", "org_name", help="Organisation name, as in the admin pages.")
@click.option("--street", "street_code", help="An overseer's street office (code).")
@click.option("--district", "district_code", help="An overseer's district (code).")
@click.password_option()
def create_user(username, display_name, role, org_name, street_code, district_code, password):
    """Create a staff account: in an organisation, or an overseer (--role overseer) of a
    street office or a district."""
    from webapp.district.cli import overseer_scope

    org = routing.organization_named(org_name) if org_name else None
    if org_name and org is None:
        raise click.UsageError(f"No organisation named {org_name!r}.")
    street, district = overseer_scope(street_code, district_code)
    try:
        with unit_of_work():
            user = accounts.create_user(username, display_name, password, role, org,
                                        street=street, district=district)
    except accounts.AccountError as error:
        raise click.UsageError(str(error)) from error
    where = org or street or district
    click.echo(f"Created {user.username} ({user.role}, {where.name}).")


@sla_cli.command("sweep")
@click.option("--auto-close-days", type=click.IntRange(0, 3650), default=None,
              help="Close resolved reports nobody rated after this many days.")
def sla_sweep(auto_close_days):
    """Mark breached SLA milestones (and tell of them) and close unrated reports. The worker
    does this every minute; safe to run at any frequency."""
    from webapp.worker import sweep_clocks

    days = auto_close_days if auto_close_days is not None else \
        current_app.config["AUTO_CLOSE_DAYS"]
    with unit_of_work():
        breached, closed = sweep_clocks(utcnow(), days)
    click.echo(f"{breached} milestones marked breached, {closed} reports closed unrated.")


@consultations_cli.command("close-due")
def consultations_close_due():
    """Decide every consultation whose deadline has passed, by its rule. The worker does this
    every minute; safe to run at any frequency (each is decided once)."""
    from webapp.domain.consultations.deciding import close_due

    with unit_of_work():
        decided = close_due(utcnow())
    click.echo(f"{decided} consultations decided.")


@photos_cli.command("sweep")
@click.option("--dry-run", is_flag=True, help="List the stray files; delete nothing.")
def photos_sweep(dry_run):
    """Delete report photo files that no report names (left by a worker that stopped
    mid-save). Files younger than an hour are never touched."""
    stray = photos.stray_photo_files(current_app.config["UPLOAD_FOLDER"], utcnow())
    for path in stray:
        click.echo(path.name)
        if not dry_run:
            path.unlink(missing_ok=True)
    verb = "would be deleted" if dry_run else "deleted"
    click.echo(f"{len(stray)} stray photo files {verb}.")


@privacy_cli.command("purge")
@click.option("--days", type=click.IntRange(min=0), default=None,
              help="Purge what closed at least this many days ago "
                   "(default: MASHANG_PURGE_AFTER_DAYS, 180).")
def privacy_purge(days):
    """Remove residents' names, phones, rooms and e-mails from reports and bookings closed
    longer than DAYS, and mask numbers in what they wrote; figures stay. Safe to repeat."""
    days = days if days is not None else current_app.config["PURGE_AFTER_DAYS"]
    now, reports, bookings = utcnow(), 0, 0
    while True:
        with unit_of_work():  # each batch its own: no long transaction, resumable
            done = purge.purge_batch(now, days)
        if done is None:
            break
        reports, bookings = reports + done.reports, bookings + done.bookings
    with unit_of_work():
        messages = outbox.forget_before(now - timedelta(days=days))
    click.echo(f"Purged {reports} report(s) and {bookings} booking(s) "
               f"closed {days} or more days ago, and {messages} delivered notification(s).")


@community_cli.command("create")
@click.option("--code", required=True, help="Short code, e.g. bayi (Open311 jurisdiction_id).")
@click.option("--name", required=True, help="The community's name, e.g. 八一社区.")
@click.option("--office", required=True, help="Name of the community office (an organisation).")
@click.option("--hotline", help="Office phone shown to residents.")
@click.option("--hotline-24h", "hotline_24h", help="24-hour phone shown to residents.")
@click.option("--admin", "admin_username", help="Username of the first admin (asked for when "
              "run in a terminal).")
@click.option("--admin-name", help="The admin's name as colleagues see it.")
@click.option("--street", "street_code", help="The street office over it (code), if any.")
def create_community(code, name, office, hotline, hotline_24h, admin_username, admin_name,
                     street_code):
    """Create a community, its office, the standard report categories and its first admin
    account. The password is asked twice, or made and printed once if left empty."""
    from webapp.district.cli import street_or_fail
    from webapp.domain.district.places import place_under
    from webapp.seed.community import SetupRefused, set_up
    from webapp.seed.community import create_community as create

    street = street_or_fail(street_code)
    asking = sys.stdin.isatty()
    if admin_username is None and asking:
        admin_username = click.prompt("First admin's username", default="admin")
    password = ""
    if admin_username is not None:
        admin_name = admin_name or (click.prompt("Their name", default=admin_username)
                                    if asking else admin_username)
        if asking:
            password = click.prompt("Password (empty: make one)", default="", hide_input=True,
                                    confirmation_prompt=True, show_default=False)
    made = not password
    password = password or new_password()
    try:
        with unit_of_work():
            if admin_username is None:
                community = create(code, name, office, hotline, hotline_24h)
            else:
                community, admin = set_up(code, name, office, hotline, hotline_24h,
                                          admin_username, admin_name, password)
            place_under(community, street)
    except SetupRefused as refused:
        with force_locale("en"):  # the command line speaks English, as its help does
            raise click.UsageError(str(refused)) from None
    click.echo(f"Created {community.name} ({community.code}) with its office {office}.")
    if admin_username is None:
        click.echo(f"Next: flask users create --username … --name … --role admin --org {office}")
        return
    click.echo(f"Admin account: {admin.username}")
    if made:
        click.echo(f"Password (shown only now): {password}")
    base = current_app.config["BASE_URL"].rstrip("/")
    click.echo(f"Log in at {base}/login, then follow the setup checklist: {base}/admin/setup")


@click.command("first-run")
def first_run_link():
    """While the database has no community: print a one-time link to set one up in the
    browser (it expires in 24 hours). Otherwise say nothing is needed."""
    from webapp.domain.people import first_run

    with unit_of_work():
        token = first_run.issue(utcnow()) if first_run.needed() else None
    if token is None:
        return
    base = current_app.config["BASE_URL"].rstrip("/")
    click.echo("No community yet. Set one up in the browser with this one-time link "
               f"(valid for 24 hours):\n  {base}/first-run/{token}")
    click.echo("Or on the command line: flask community create --code … --name … --office …")


@click.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due, run the periodic jobs, exit.")
def worker(once):
    """Deliver notifications and run the periodic jobs until stopped (SIGTERM or Ctrl-C)."""
    from webapp.worker import Worker

    runner = Worker(current_app._get_current_object())
    if not once:
        runner.stop_on_signals()
        click.echo(f"Worker {runner.name} delivering; stop with Ctrl-C.")
    delivered = runner.run(once=once)
    click.echo(f"{delivered} notifications delivered.")


@click.command("backup")
@click.argument("output", type=click.Path(dir_okay=False, writable=True))
def backup(output):
    """Copy the SQLite database to OUTPUT while the app keeps running."""
    from webapp.backup import BackupUnsupported, backup_sqlite

    try:
        size = backup_sqlite(current_app.config["SQLALCHEMY_DATABASE_URI"], output)
    except BackupUnsupported as error:
        raise click.ClickException(
            f"flask backup copies SQLite databases; this one is {error}. "
            "For PostgreSQL use pg_dump (see docs/deploy.md).") from None
    except FileExistsError:
        raise click.ClickException(f"{output} exists already; choose a new file name.") from None
    click.echo(f"Backed up the database to {output} ({size} bytes). "
               "Photos are files: copy the upload folder too "
               f"({current_app.config['UPLOAD_FOLDER']}).")


def init_app(app) -> None:
    from webapp.district import cli as district_cli
    from webapp.open311.cli import open311_cli

    district_cli.init_app(app)

    app.cli.add_command(open311_cli)
    app.cli.add_command(qr_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(sla_cli)
    app.cli.add_command(photos_cli)
    app.cli.add_command(privacy_cli)
    app.cli.add_command(consultations_cli)
    app.cli.add_command(community_cli)
    app.cli.add_command(demo_data)
    app.cli.add_command(first_run_link)
    app.cli.add_command(backup)
    app.cli.add_command(worker)
