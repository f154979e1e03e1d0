"""What goes on the posters and labels: the active codes of a compound, as sheet items."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from qr_sheets import (
    PRESETS,
    FontNotFound,
    LabelSheet,
    PosterOptions,
    SheetItem,
    render_labels,
    render_posters,
)
from webapp.domain import DomainRefused
from webapp.extensions import db
from webapp.models import Building, Compound, Entrance, QrCode
from webapp.models.types import utcnow


def scan_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/q/{token}"


def codes_of(compound: Compound, building_ids=None, *, replacements_only=False,
             entrances=True) -> list[QrCode]:
    """Active codes of the compound in place order: each building's own code, then its
    entrances'. `replacements_only` keeps the codes issued for replaced posters."""
    query = (
        select(QrCode)
        .join(Building, QrCode.building_id == Building.id)
        .outerjoin(Entrance, QrCode.entrance_id == Entrance.id)
        .where(Building.compound_id == compound.id, QrCode.revoked_at.is_(None))
        .options(joinedload(QrCode.building).joinedload(Building.compound)
                 .joinedload(Compound.community), joinedload(QrCode.entrance))
        .order_by(Building.sort_key, Building.id, Entrance.sort_key.nulls_first(),
                  Entrance.id.nulls_first())
    )
    if building_ids:
        query = query.where(Building.id.in_(list(building_ids)))
    if replacements_only:
        query = query.where(QrCode.replaces_id.is_not(None))
    if not entrances:
        query = query.where(QrCode.entrance_id.is_(None))
    return list(db.session.scalars(query).unique())


def sheet_item(code: QrCode, base_url: str) -> SheetItem:
    building = code.building
    community = building.compound.community
    url = scan_url(base_url, code.token)
    return SheetItem(url=url, community=community.name, compound=building.compound.name,
                     building=building.name,
                     entrance=code.entrance.name if code.entrance else None,
                     hotline=community.hotline, hotline_24h=community.hotline_24h,
                     short_url=url.split("://", 1)[-1])


class PrintError(DomainRefused, ValueError):
    """str() is a message for the person printing."""


SIZES = ("skip", "columns", "rows", "label_width", "label_height", "margin_left", "margin_top",
         "gap_x", "gap_y")


@dataclass(frozen=True)
class PrintChoice:
    """What the print form (or the CLI) asks for. `sizes` are the label sheet's numbers as
    typed (see SIZES); what is wrong with them is said here, in the printer's words."""

    kind: str = "posters"
    paper: str = "A4"
    preset: str = "3x8"
    building_ids: tuple[int, ...] = ()
    replacements_only: bool = False
    cut_guides: bool = False
    sizes: dict[str, str] = field(default_factory=dict)


def label_sheet(choice: PrintChoice, preset_names) -> LabelSheet:
    """The label sheet chosen on the print form: a preset, or a custom grid in mm."""
    preset, args, cut_guides = choice.preset, choice.sizes, choice.cut_guides
    skip = _number(args, "skip", 0, whole=True)
    if preset != "custom":
        if preset not in preset_names:
            raise PrintError(_l("Unknown label sheet."))
        sheet = replace(PRESETS[preset], skip=int(skip), cut_guides=cut_guides)
    else:
        sheet = LabelSheet(
            columns=int(_number(args, "columns", None, whole=True)),
            rows=int(_number(args, "rows", None, whole=True)),
            label_width=_number(args, "label_width", None),
            label_height=_number(args, "label_height", None),
            margin_left=_number(args, "margin_left", 0),
            margin_top=_number(args, "margin_top", 0),
            gap_x=_number(args, "gap_x", 0), gap_y=_number(args, "gap_y", 0),
            skip=int(skip), cut_guides=cut_guides)
    if sheet.skip >= sheet.columns * sheet.rows:
        raise PrintError(_l("You can skip at most %(n)d positions on this sheet.",
                            n=sheet.columns * sheet.rows - 1))
    try:
        sheet.validate()
    except ValueError as error:
        raise PrintError(_l("This label grid does not fit on A4 paper.")) from error
    return sheet


def _number(args, name, default, whole=False) -> float:
    raw = (args.get(name) or "").strip()
    if not raw:
        if default is None:
            raise PrintError(_l("Please fill in every size of the custom label sheet."))
        return default
    try:
        value = int(raw) if whole else float(raw)
    except ValueError as error:
        raise PrintError(_l("Sizes are numbers in millimetres.")) from error
    if value < 0 or value > 1000:
        raise PrintError(_l("Sizes are numbers in millimetres."))
    return value


def render_for_form(compound: Compound | None, choice: PrintChoice, base_url: str,
                    font_path: str | None = None) -> tuple[bytes, str]:
    """The PDF chosen on the print form (or the CLI), and a file name for it."""
    if compound is None:
        raise PrintError(_l("Choose a compound."))
    codes = codes_of(compound, list(choice.building_ids),
                     replacements_only=choice.replacements_only)
    if not codes:
        raise PrintError(_l("There are no codes to print for this choice."))
    items = [sheet_item(code, base_url) for code in codes]
    kind = choice.kind
    try:
        if kind == "posters":
            paper = choice.paper
            if paper not in ("A4", "A5"):
                raise PrintError(_l("Posters come in A4 or A5."))
            pdf = render_posters(items, PosterOptions(paper=paper, font_path=font_path))
        elif kind == "labels":
            sheet = replace(label_sheet(choice, PRESETS), font_path=font_path)
            pdf = render_labels(items, sheet)
        else:
            raise PrintError(_l("Choose posters or labels."))
    except FontNotFound as error:
        raise PrintError(str(error)) from error
    printed = utcnow()  # the setup checklist's "codes printed", in the caller's unit of work
    for code in codes:
        code.printed_at = printed
    return pdf, f"mashang-{kind}-{compound.id}.pdf"
