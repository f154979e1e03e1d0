"""The slips print as the households' links, again the same, and one household's alone."""

import pytest

from tests.conftest import app_secret
from tests.domain.consultations.conftest import T0
from tests.qr_sheets.helpers import qr_texts_in_pdf, text_of
from webapp.domain import unit_of_work
from webapp.domain.consultations import ballots, printing
from webapp.domain.places.printing import PrintError

BASE = "https://mashang.example.cn"


def test_every_household_slip_decodes_to_a_link_that_finds_it(consultation):
    pdf, name = printing.slip_sheet(consultation, base_url=BASE, secret=app_secret())
    urls = qr_texts_in_pdf(pdf)
    assert len(urls) == 6 and name.endswith("-A5.pdf")
    found = {ballots.slip_by_token(url.rsplit("/v/", 1)[1]).household.room for url in urls}
    assert found == {"101", "102", "201", "202", "301", "302"}
    text = text_of(pdf)
    assert "更换楼内供暖立管" in text and "1号楼" in text and "302" in text
    again, _ = printing.slip_sheet(consultation, base_url=BASE, secret=app_secret())
    assert sorted(qr_texts_in_pdf(again)) == sorted(urls)


def test_a_reissued_slip_prints_alone_on_a_label(consultation, users):
    member = consultation.members[0]
    old, _ = printing.slip_sheet(consultation, base_url=BASE, secret=app_secret(),
                                 household_id=member.household_id)
    with unit_of_work():
        ballots.reissue_slip(consultation, member.household_id, users["dispatcher"],
                             secret=app_secret(), now=T0)
    new, _ = printing.slip_sheet(consultation, base_url=BASE, secret=app_secret(),
                                 layout="labels", skip=5, household_id=member.household_id)
    assert len(qr_texts_in_pdf(new)) == 1 and qr_texts_in_pdf(new) != qr_texts_in_pdf(old)


@pytest.mark.parametrize("changes", [dict(layout="A3"), dict(preset="9x9"), dict(skip=24),
                                     dict(household_id=10**9)])
def test_a_choice_that_prints_nothing_says_why(consultation, changes):
    with pytest.raises(PrintError):
        printing.slip_sheet(consultation, base_url=BASE, secret=app_secret(), **changes)
