"""Direction controls: stripped from everything typed, and user-typed text shown isolated.

U+202E (RIGHT-TO-LEFT OVERRIDE) typed into a name draws the rest of its line backwards: the
staff page showed the phone after it reversed, so a dispatcher read out another number.
Input loses these characters wherever it comes from (models/text.py); text stored before
that, or any that slips through, is drawn inside <bdi>, which stops it at its own end."""

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import login
from tests.web.helpers import submit_report
from webapp.domain import unit_of_work
from webapp.domain.places import csv_import, editing
from webapp.domain.reports import intake
from webapp.extensions import db
from webapp.models import Compound, Report
from webapp.models.text import INVISIBLE, plain

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
RLO, LRI, PDI, RLM = "\u202e", "\u2066", "\u2069", "\u200f"

# An attribute or call whose value a person typed: residents (report, booking), staff
# (notes, names), admins (places, services, rewards, keys, questions), API clients.
USER_TEXT = re.compile(
    r"\.(contact_name|contact_phone|floor_room|description|note|actor_label|rating_comment|"
    r"display_name|username|phone|name|name_zh|name_en|location|fee_note|client_name|"
    r"address_string|email|cancel_reason|reason|text|hotline|hotline_24h|media_url|"
    r"datatype_description)\b|answer_text\(|"
    # partials/_place.html gets the names themselves
    r"{{\s*(community|compound|building|entrance)\s*}}")
# Expressions that match the pattern above but show no typed text: a form field's own label
# (ours), a macro that isolates what it is given (board/_macros.html org_name).
NOT_TYPED = re.compile(
    r"\bm\.name\]|(\b|_)form\.|\bfield\.|\bcsrf|\burl_for\(|\.isoformat|\|length|"
    r"\bsmall_form\(|\.label\.text\b|\borg_name\(")
# Elements whose text is drawn on its own anyway: a select's options, a textarea's value,
# the page title.
OWN_LINE = ("option", "textarea", "title")


def rendered_outside_tags(source: str):
    """(position, expression) of each {{ … }} in element text, not in an attribute."""
    for match in re.finditer(r"{{(.*?)}}", source, re.S):
        before = source[:match.start()]
        if before.rfind("<") > before.rfind(">"):
            continue  # inside a tag: an attribute value is not drawn as text
        yield match.start(), match.group(0)


def is_open(before: str, element: str) -> bool:
    opened = len(re.findall(rf"<{element}[\s>]", before))
    return opened > len(re.findall(rf"</{element}>", before))


def unisolated(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    found = []
    for position, expression in rendered_outside_tags(source):
        if not USER_TEXT.search(expression) or NOT_TYPED.search(expression):
            continue
        before = source[:position]
        in_title = before[before.rfind("\n") + 1:].startswith("{% block title %}")
        if not in_title and not any(is_open(before, e) for e in ("bdi", *OWN_LINE)):
            line = source.count("\n", 0, position) + 1
            found.append(f"{path.relative_to(TEMPLATES)}:{line}: {expression}")
    return found


def test_every_user_typed_text_in_every_template_is_isolated():
    problems = [p for path in sorted(TEMPLATES.rglob("*.html")) for p in unisolated(path)]
    assert problems == [], "wrap these in <bdi>…</bdi>:\n" + "\n".join(problems)


def test_the_template_check_finds_an_unisolated_name(tmp_path):
    page = tmp_path / "page.html"
    page.write_text('<p>{{ report.contact_name }} · <a href="tel:{{ report.contact_phone }}">'
                    "<bdi>{{ report.contact_phone }}</bdi></a></p>", encoding="utf-8")
    global TEMPLATES
    saved, TEMPLATES = TEMPLATES, tmp_path
    try:
        assert unisolated(page) == ["page.html:1: {{ report.contact_name }}"]
    finally:
        TEMPLATES = saved


@pytest.mark.parametrize("control", list(INVISIBLE))
def test_plain_drops_each_direction_control(control):
    assert plain(f"张{control}三 138") == "张三 138"


def test_plain_keeps_everything_else():
    text = "王师傅 (0351) 765-4321 · 2楼201 — Zhāng «ok» ‘a’ ١٢٣ \u200d👩‍🔧"
    assert plain(text) == text


def test_every_way_in_stores_no_direction_control(client, entrance_code):
    """The resident form, a domain call (as the CLI, Open311 and CSV import make) and an
    attribute set directly: none keeps U+202E and its kin."""
    response = submit_report(client, entrance_code.token, contact_name=f"李{RLO}师傅",
                             floor_room=f"2楼{LRI}201{PDI}", description=f"漏水了{RLM}，快来")
    assert response.status_code == 303
    report = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
    assert (report.contact_name, report.floor_room, report.description) == \
        ("李师傅", "2楼201", "漏水了，快来")

    with unit_of_work():
        compound = editing.add_compound(entrance_code.building.compound.community,
                                            f"新{RLO}小区")
    assert compound.name == "新小区"
    with unit_of_work():
        result = csv_import.import_places(compound.community, f"新小区,{RLO}3号楼\n",
                                           apply=True)
    assert result.problems == [] and result.new_compounds == 0
    assert db.session.scalar(select(Compound).where(Compound.name == "新小区")).buildings[0] \
        .name == "3号楼"

    draft = intake.ReportDraft(submission_key="x" * 43, category_id=1, description="d",
                                 contact_name=f"{RLO}赵")
    assert draft.contact_name == "赵"
    report.rating_comment = f"好{RLO}评"
    assert report.rating_comment == "好评"


def test_the_staff_page_isolates_a_name_stored_before_the_stripping(demo, client,
                                                                     entrance_code):
    report = db.session.scalars(select(Report).order_by(Report.id)).first()
    with db.engine.begin() as connection:  # as an older version stored it
        connection.exec_driver_sql("UPDATE report SET contact_name = %s WHERE id = %s"
                                   if db.engine.dialect.name == "postgresql" else
                                   "UPDATE report SET contact_name = ? WHERE id = ?",
                                   (f"张{RLO}三", report.id))
    login(client, "dispatcher")
    page = client.get(f"/staff/reports/{report.id}").text
    assert f"<bdi>张{RLO}三</bdi>" in page

