"""A community's own details as its admin keeps them: its name and the numbers residents
call, printed on every poster."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from webapp.domain import DomainRefused
from webapp.models import Community
from webapp.models.text import TextTooLong, fit, plain


class DetailsRefused(DomainRefused, ValueError):
    """str() is a message for the admin."""


def update_details(community: Community, name: str | None, hotline: str | None,
                   hotline_24h: str | None) -> None:
    name = plain(name or "").strip()
    if not name:
        raise DetailsRefused(_l("Please give the community's name."), "name")
    values = {}
    for field, column, value, label in (
            ("name", Community.name, name, _l("Community name")),
            ("hotline", Community.hotline, hotline, _l("Hotline")),
            ("hotline_24h", Community.hotline_24h, hotline_24h, _l("24-hour line"))):
        try:
            values[field] = fit(column, plain(value or "").strip() or None, label)
        except TextTooLong as error:
            raise DetailsRefused(str(error), field) from None
    community.name, community.hotline, community.hotline_24h = \
        values["name"], values["hotline"], values["hotline_24h"]
