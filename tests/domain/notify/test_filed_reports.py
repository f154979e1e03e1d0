"""A report staff filed for a resident: the dispatchers hear of it, but not the one who filed
it; the resident who is to be texted gets the tracking link, as after scanning."""

from tests.conftest import app_secret
from tests.domain.notify.test_feed import bell_of
from tests.domain.notify.test_rules import outbox
from tests.domain.reports.test_filing import file_for
from webapp.domain import unit_of_work
from webapp.domain.shared.tokens import unseal
from webapp.models import Channel


def test_the_one_who_filed_it_is_not_told_of_it(users, tmp_path):
    with unit_of_work():
        file_for(users["dispatcher"], "told-nobody-00000001", folder=tmp_path)
    assert [n.kind for n in bell_of(users["dispatcher"])] == []
    with unit_of_work():
        report, _ = file_for(users["grid"], "told-dispatcher-0001", channel="patrol",
                             folder=tmp_path)
    [notice] = bell_of(users["dispatcher"])
    assert notice.kind == "new_report" and notice.report_id == report.id


def test_the_resident_is_texted_the_tracking_link(users, tmp_path):
    with unit_of_work():
        report, _ = file_for(users["dispatcher"], "texted-the-link-0001", folder=tmp_path,
                             contact_phone="139 1234 5678", sms_updates=True)
    [received] = outbox(channel=Channel.SMS)
    assert received.recipient == "phone:+8613912345678" and received.kind == "received"
    assert unseal(received.url, app_secret()) == unseal(report.sealed_link, app_secret())
