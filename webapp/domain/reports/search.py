"""The queue's search box. One box finds a report by its number (whole, or the tail after the
dash: "0007"), a phone in any spelling (the reporter's or a neighbour's who follows it), words
of what was written (substrings: Chinese has no spaces, so "灯不亮" finds "楼道灯不亮了") and the
names of its place (compound, building, entrance). Words are all required, each in the text
or the place's names; the number and the phone are alternatives. It answers with one SQL
condition on Report (Found), so the queue keeps its order, pages and count.

The words are looked for in ReportSearch (models/search.py), a narrow row per report kept in
the same transaction: a LIKE there reads a few dozen bytes a report, on SQLite and PostgreSQL
alike. Figures: bench/dispatch_queue.py."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, or_, select, union_all

from webapp.domain.shared import phones
from webapp.extensions import db
from webapp.models import Building, Compound, Entrance, Report, ReportFollower, ReportSearch
from webapp.models.search import search_spelling

MAX_QUERY = 100  # characters read of what was typed
MAX_WORDS = 5
FEW = 2000  # found reports read as a list of ids (one scan); more are left to the database
_NUMBER = re.compile(r"(?:\d{8}-)?(\d{1,9})")  # 20261122-0007, or its tail 0007


@dataclass(frozen=True)
class Query:
    text: str  # as typed (trimmed): a whole report number is looked up as it is
    words: tuple[str, ...]  # in the search spelling
    phone: str | None = None  # the stored spelling, if the text is a phone number
    report_id: int | None = None  # the number's tail: report numbers end in the report id


def read_query(typed: str | None) -> Query | None:
    """What the box says, or None when it says nothing."""
    text = phones.fold((typed or "")[:MAX_QUERY]).strip()
    if not text:
        return None
    try:
        phone = phones.normalise_phone(text)
    except phones.InvalidPhone:
        phone = None
    number = _NUMBER.fullmatch(text)
    # A phone is one word however it was spaced, in its stored spelling.
    words = (phone,) if phone else tuple(dict.fromkeys(search_spelling(text).split()))
    return Query(text=text, words=words[:MAX_WORDS], phone=phone,
                 report_id=int(number.group(1)) if number else None)


@dataclass(frozen=True)
class Found:
    """The reports a query finds: their ids when they are few (read once, so neither the
    count nor the page searches again), else the query that finds them."""

    ids: tuple[int, ...] | None
    query: Select | None = None

    def condition(self, in_queue_order: bool = False) -> ColumnElement[bool]:
        """SQL on Report. For a page in the queue's order, "id + 0" makes the database walk
        the queue's own index in order and look each id up in the found set, so a common
        word's first page is found early; a count is quicker fetching each found report."""
        if self.ids is not None:
            return Report.id.in_(self.ids)
        return (Report.id + 0 if in_queue_order else Report.id).in_(self.query)


def find(query: Query, community_id: int) -> Found:
    """The reports of `community_id` that `query` finds."""
    places = _places_of(community_id)
    words = select(ReportSearch.report_id).where(
        ReportSearch.community_id == community_id,
        *(_word(word, places) for word in query.words))
    found = [words, select(Report.id).where(Report.community_id == community_id,
                                            Report.number == query.text)]
    if query.report_id is not None:
        found.append(select(Report.id).where(Report.community_id == community_id,
                                             Report.id == query.report_id))
    if query.phone:
        found.append(select(Report.id).where(Report.community_id == community_id,
                                             Report.contact_phone == query.phone))
        found.append(select(ReportFollower.report_id).join(Report).where(
            Report.community_id == community_id, ReportFollower.phone == query.phone))
    everything = union_all(*found)
    few = db.session.scalars(select(everything.subquery().c[0]).limit(FEW + 1)).all()
    if len(few) <= FEW:
        return Found(tuple(sorted(set(few))))
    return Found(None, everything)


def _word(word: str, places: list[tuple]) -> ColumnElement[bool]:
    """The word is in what was written, or in the names of the report's place (the widest
    place it names: a compound's buildings are in the compound)."""
    in_text = ReportSearch.body.contains(word, autoescape=True)
    compounds, buildings, entrances = set(), set(), set()
    for compound_id, compound, building_id, building, entrance_id, entrance in places:
        if word in compound:
            compounds.add(compound_id)
        elif building_id and (word in building or word in compound + building):
            buildings.add(building_id)
        elif entrance_id and (word in entrance or word in building + entrance
                              or word in compound + building + entrance):
            entrances.add(entrance_id)
    at_place = [column.in_(ids) for column, ids in (
        (ReportSearch.compound_id, compounds), (ReportSearch.building_id, buildings),
        (ReportSearch.entrance_id, entrances)) if ids]
    return or_(in_text, *at_place)


def _places_of(community_id: int) -> list[tuple]:
    """Every compound, building and entrance of the community with names in the search
    spelling: one statement, matched in Python (a community has hundreds, not millions)."""
    rows = db.session.execute(
        select(Compound.id, Compound.name, Building.id, Building.name, Entrance.id,
               Entrance.name)
        .select_from(Compound)
        .outerjoin(Building, Building.compound_id == Compound.id)
        .outerjoin(Entrance, Entrance.building_id == Building.id)
        .where(Compound.community_id == community_id))
    return [(c_id, search_spelling(c), b_id, search_spelling(b), e_id, search_spelling(e))
            for c_id, c, b_id, b, e_id, e in rows]
