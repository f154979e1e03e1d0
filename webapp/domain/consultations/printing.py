"""The ballot slips of a consultation as a PDF: every slip in force, or one household's new
one, on A5 or on a label sheet (qr_sheets)."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from qr_sheets import PRESETS, BallotOptions, BallotSlipItem, FontNotFound, render_ballot_slips
from webapp.domain.consultations.ballots import slips_to_print
from webapp.domain.places.printing import PrintError
from webapp.models import Consultation, Household

LAYOUTS = ("A5", "labels")


def slip_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/v/{token}"


def place_of(household: Household) -> str:
    building = household.building
    parts = [building.compound.name, building.name,
             household.entrance.name if household.entrance else None]
    return "·".join(p for p in parts if p)


def slip_sheet(consultation: Consultation, *, base_url: str, secret: str, layout: str = "A5",
               preset: str = "3x8", skip: int = 0, household_id: int | None = None,
               font_path: str | None = None) -> tuple[bytes, str]:
    """(the PDF, a file name). Printing again prints the same links: they are derived, not
    stored."""
    if layout not in LAYOUTS:
        raise PrintError(_l("Choose A5 sheets or labels."))
    if preset not in PRESETS:
        raise PrintError(_l("Unknown label sheet."))
    sheet = PRESETS[preset]
    if not 0 <= skip < sheet.per_page:
        raise PrintError(_l("You can skip at most %(n)d positions on this sheet.",
                            n=sheet.per_page - 1))
    slips = slips_to_print(consultation, secret, household_id)
    if not slips:
        raise PrintError(_l("There are no slips to print for this choice."))
    zone = ZoneInfo(consultation.compound.community.timezone)
    deadline = consultation.deadline.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    items = [BallotSlipItem(url=slip_url(base_url, token),
                            community=consultation.compound.community.name,
                            place=place_of(household), room=household.room,
                            title=consultation.title, deadline=deadline)
             for household, token in slips]
    options = BallotOptions(layout=layout, sheet=replace(sheet, skip=skip),
                            font_path=font_path)
    try:
        pdf = render_ballot_slips(items, options)
    except FontNotFound as error:
        raise PrintError(str(error)) from error
    return pdf, f"mashang-ballots-{consultation.id}-{layout}.pdf"
