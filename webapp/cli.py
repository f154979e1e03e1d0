"""Command-line: flask demo-data, flask qr list."""

import csv
import sys

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from webapp.domain.demo import load_demo_data
from webapp.extensions import db
from webapp.models import Building, Community, Compound, Entrance, QrCode

qr_cli = AppGroup("qr", help="QR codes on posters.")


def scan_url(token: str) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/q/{token}"


def active_codes():
    """(token, compound, building, entrance) of every active code, in place order."""
    return db.session.execute(
        select(QrCode.token, Compound.name, Building.name, Entrance.name)
        .join(Building, QrCode.building_id == Building.id)
        .join(Compound, Building.compound_id == Compound.id)
        .join(Community, Compound.community_id == Community.id)
        .outerjoin(Entrance, QrCode.entrance_id == Entrance.id)
        .where(QrCode.revoked_at.is_(None))
        .order_by(Community.id, Compound.id, Building.sort_key, Building.id,
                  Entrance.sort_key.nulls_first(), Entrance.id.nulls_first())
    ).all()


@qr_cli.command("list")
def qr_list():
    """Print every active code as CSV: token, scan URL, compound, building, entrance."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["token", "url", "compound", "building", "entrance"])
    for token, compound, building, entrance in active_codes():
        writer.writerow([token, scan_url(token), compound, building, entrance or ""])


@click.command("demo-data")
@click.option("--if-empty", is_flag=True, help="Only load when there are no communities yet.")
def demo_data(if_empty):
    """Load the demo communities, compounds, categories and a few reports (idempotent)."""
    if if_empty and db.session.scalar(select(func.count(Community.id))):
        click.echo("Database already has data; demo data not loaded.")
    else:
        added = load_demo_data()
        click.echo("Demo data: " + ", ".join(f"{n} {kind} added" for kind, n in added.items()))
    example = next((row for row in active_codes() if row[3]), None)
    if example:
        click.echo(f"Scan page of {example[1]} {example[2]} {example[3]}: {scan_url(example[0])}")


def init_app(app) -> None:
    app.cli.add_command(qr_cli)
    app.cli.add_command(demo_data)
