"""A care visit that finds the holder in need files a care-card report for them, at their
address and in their name, filed by the volunteer at the door; the visit is made with it.
Nothing is filed by a volunteer who has not checked in, nor from a description too short."""

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from tests.conftest import app_secret
from tests.domain.services import conftest as services
from tests.domain.services import test_care_visits as visits
from webapp.domain import DomainRefused, unit_of_work
from webapp.domain.reports import care_visit_help
from webapp.domain.services import care_visits, ledger
from webapp.extensions import db
from webapp.models import Report

# The care visits' fixtures and helpers, for these reports filed from a visit.
office, card = services.office, visits.card
volunteer, plan, NOW = services.volunteer, visits.plan, visits.NOW

def test_needs_help_files_a_care_card_report_for_the_holder(card, office, entrance_code,
                                                            tmp_path):
    visit = plan(card)[0]
    v = volunteer(office, "t_knock")
    category = db.session.scalar(select(Report.category_id))
    with unit_of_work():
        care_visits.take(visit, v, now=NOW)
        care_visits.check_in(visit, v, entrance_code, now=NOW)
    help_draft = care_visit_help.HelpDraft("care-visit-key-000000001", category,
                                       "水管漏水，老人行动不便")
    with unit_of_work():
        care_visit_help.needs_help(visit, v, help_draft, now=NOW,
                                   upload_folder=str(tmp_path), secret=app_secret())
    report = visit.report
    assert (report.care_card, report.channel, report.contact_phone, report.building_id) == \
        (True, "visit", "13700001111", entrance_code.building_id)
    assert report.events[0].actor_id == v.id
    assert ledger.balance(ledger.passbook(v)) == 15


def test_nothing_is_filed_without_a_check_in_or_with_too_few_words(card, office, entrance_code,
                                                                   tmp_path):
    visit = plan(card)[0]
    v = volunteer(office, "t_knock")
    category = db.session.scalar(select(Report.category_id))
    before = db.session.scalar(select(func.count(Report.id)))
    with unit_of_work():
        care_visits.take(visit, v, now=NOW)
    draft = care_visit_help.HelpDraft("care-visit-key-000000002", category,
                                      "水管漏水，老人行动不便")
    with force_locale("en"), pytest.raises(DomainRefused), unit_of_work():
        care_visit_help.needs_help(visit, v, draft, now=NOW, upload_folder=str(tmp_path),
                                   secret=app_secret())
    with unit_of_work():
        care_visits.check_in(visit, v, entrance_code, now=NOW)
    short = care_visit_help.HelpDraft("care-visit-key-000000003", category, "漏")
    with pytest.raises(DomainRefused), unit_of_work():
        care_visit_help.needs_help(visit, v, short, now=NOW, upload_folder=str(tmp_path),
                                   secret=app_secret())
    assert db.session.scalar(select(func.count(Report.id))) == before
    assert visit.report is None and ledger.balance(ledger.passbook(v)) == 0
