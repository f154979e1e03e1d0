"""flask district create, flask street create, flask rollup rebuild."""

import click
from flask.cli import AppGroup

from webapp.domain import DomainRefused, unit_of_work
from webapp.domain.district import places, rollup

district_cli = AppGroup("district", help="Districts (区) over street offices.")
street_cli = AppGroup("street", help="Street offices (街道) over communities.")
rollup_cli = AppGroup("rollup", help="The report figures the district and board read.")


@district_cli.command("create")
@click.option("--code", required=True, help="Short code, e.g. xiaodian.")
@click.option("--name", required=True, help="The district's name, e.g. 小店区.")
def create_district(code, name):
    """Create a district."""
    try:
        with unit_of_work():
            district = places.create_district(code, name)
    except DomainRefused as refused:
        raise click.UsageError(str(refused)) from None
    click.echo(f"Created {district.name} ({district.code}).")
    click.echo(f"Next: flask street create --district {district.code} --code … --name …")


@street_cli.command("create")
@click.option("--district", "district_code", required=True, help="The district's code.")
@click.option("--code", required=True, help="Short code, e.g. wucheng.")
@click.option("--name", required=True, help="The street office's name, e.g. 坞城街道.")
def create_street(district_code, code, name):
    """Create a street office in a district."""
    district = places.district_coded(district_code)
    if district is None:
        raise click.UsageError(f"No district has the code {district_code!r}.")
    try:
        with unit_of_work():
            street = places.create_street(district, code, name)
    except DomainRefused as refused:
        raise click.UsageError(str(refused)) from None
    click.echo(f"Created {street.name} ({street.code}) in {district.name}.")


@rollup_cli.command("rebuild")
def rebuild():
    """Recompute the report rollup from the reports (after a bulk load, or to repair)."""
    with unit_of_work():
        rows = rollup.rebuild()
    click.echo(f"Report rollup rebuilt: {rows} rows.")


def init_app(app) -> None:
    for group in (district_cli, street_cli, rollup_cli):
        app.cli.add_command(group)


def street_or_fail(code: str | None):
    """The street office of this code (None for none asked), or a usage error."""
    if code is None:
        return None
    street = places.street_coded(code)
    if street is None:
        raise click.UsageError(f"No street office has the code {code!r}.")
    return street


def overseer_scope(street_code: str | None, district_code: str | None):
    """`flask users create`'s --street and --district, found or a usage error."""
    district = None
    if district_code is not None:
        district = places.district_coded(district_code)
        if district is None:
            raise click.UsageError(f"No district has the code {district_code!r}.")
    return street_or_fail(street_code), district
