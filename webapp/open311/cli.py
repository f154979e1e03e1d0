"""flask open311 key create|list|revoke: Open311 API keys from the command line."""

from zoneinfo import ZoneInfo

import click
from flask.cli import AppGroup
from sqlalchemy import select

from webapp.domain import DomainRefused, unit_of_work
from webapp.domain.people import api_clients
from webapp.extensions import db
from webapp.inputs import LARGEST_ID
from webapp.models import ApiKey, Community

open311_cli = AppGroup("open311", help="The Open311 GeoReport v2 API.")
key_cli = AppGroup("key", help="API keys of client applications.")
open311_cli.add_command(key_cli)


def community_named(code: str | None) -> Community:
    communities = db.session.scalars(select(Community).order_by(Community.id)).all()
    if code:
        found = next((c for c in communities if c.code == code), None)
        if found is None:
            raise click.UsageError(f"No community with the code {code!r}.")
        return found
    if len(communities) != 1:
        raise click.UsageError("Say which community with --community CODE: "
                               + ", ".join(c.code for c in communities))
    return communities[0]


@key_cli.command("create")
@click.argument("client_name")
@click.option("--community", "code", help="Community code (its jurisdiction_id).")
def create_key(client_name, code):
    """Issue a key for CLIENT_NAME and print it (it is shown only this once)."""
    try:
        with unit_of_work():
            key, raw = api_clients.issue_key(community_named(code), client_name)
    except DomainRefused as error:
        raise click.UsageError(str(error)) from error
    click.echo(f"API key for {key.client_name} (#{key.id}, {key.community.code}):")
    click.echo(raw)


@key_cli.command("list")
def list_keys():
    """Every key: id, community, client, prefix, state."""
    for key in db.session.scalars(select(ApiKey).order_by(ApiKey.id)):
        revoked = key.revoked_at and key.revoked_at.astimezone(ZoneInfo(key.community.timezone))
        state = f"revoked {revoked:%Y-%m-%d}" if revoked else "active"  # the community's day
        click.echo(f"{key.id}\t{key.community.code}\t{key.client_name}\t{key.key_prefix}…\t"
                   f"{state}")


@key_cli.command("revoke")
@click.argument("key_id", type=click.IntRange(1, LARGEST_ID))  # larger: no database holds it
def revoke_key(key_id):
    """Revoke the key with this id (see `flask open311 key list`)."""
    key = db.session.get(ApiKey, key_id)
    if key is None:
        raise click.UsageError(f"No key #{key_id}.")
    with unit_of_work():
        api_clients.revoke_key(key)
    click.echo(f"Revoked the key of {key.client_name}.")
