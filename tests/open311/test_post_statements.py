"""How many SQL statements filing one report costs, through Open311 and through the door's
form. Each is a round trip to the database (on PostgreSQL most of a POST's time): the count
may shrink, and must not grow unnoticed. The lists say what each statement is for."""

from sqlalchemy import event, select

from tests.open311.helpers import PLACE, json_of, post
from tests.web.helpers import open_report_form, report_fields
from webapp.extensions import db
from webapp.models import ApiKey, Report

# api key with its community; category with its SLA targets; the community's place names;
# the entrance with its building, compound and community; the category's questions; the
# category offered in the community (intake checks every way in, Open311's lookup too); the
# care-card check of the phone; INSERT report, its search row, answer, first event, clock;
# the day's rollup (upsert); UPDATE the number (it is made of the id); INSERT the Open311 row.
OPEN311_POST = 15
# The door's form: the code with its place; the categories; their questions; the report
# the submission key may already have made (a replay); the care-card check; a SAVEPOINT
# (a racing replay undoes only it) around the category's SLA targets, the INSERTs of
# report, search row, event and clock, the day's rollup (upsert), and the number.
FORM_POST = 13
# The dispatchers told of a new report: who they are, their preferences, their bell
# items, their push subscriptions (one query for all of them), the report's own.
FEED = 5


def statements_of(run):
    seen = []

    def note(_conn, _cursor, statement, *_):
        if statement != "BEGIN":  # the tests' SQLite dialect says it; PostgreSQL's does not
            seen.append(" ".join(statement.split())[:120])

    engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        result = run()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return result, seen


def filing_part(seen):
    """The statements before the notifications (which start by reading the dispatchers)."""
    first_feed = next((i for i, s in enumerate(seen)
                       if s.startswith(("SELECT user.", 'SELECT "user".'))), len(seen))
    return seen[:first_feed], seen[first_feed:]


def test_filing_a_request_runs_a_fixed_few_statements(client, key):
    def file():
        return post(client, api_key=key, service_code="water", address_string=PLACE,
                    description="楼道的水管漏水了", phone="13900001111",
                    **{"attribute[leak_place]": "home"})
    file()  # the key's first use is written; later ones within the minute are not
    response, seen = statements_of(file)
    assert response.status_code == 200, response.text
    report = db.session.scalar(select(Report).where(
        Report.number == json_of(response)[0]["service_request_id"]))
    assert report.next_due_at is not None and report.milestones  # the clock runs
    filing, feed = filing_part(seen)
    assert len(filing) <= OPEN311_POST, "\n".join(filing)
    assert len(feed) <= FEED, "\n".join(feed)
    assert not [s for s in seen if s.startswith("UPDATE api_key")]


def test_the_key_last_use_is_written_at_most_once_a_minute(client, key):
    def file():
        return post(client, api_key=key, service_code="water", address_string=PLACE)
    assert file().status_code == 200
    first = db.session.scalar(select(ApiKey.last_used_at))
    assert first is not None
    assert file().status_code == 200
    db.session.expire_all()
    assert db.session.scalar(select(ApiKey.last_used_at)) == first


def test_filing_at_the_door_runs_a_fixed_few_statements(client, entrance_code):
    token = entrance_code.token
    fields = report_fields(open_report_form(client, token))
    db.session.remove()  # as a new request: nothing of the form's page in the session

    def file():
        return client.post(f"/q/{token}/report", data=fields,
                           content_type="multipart/form-data")
    response, seen = statements_of(file)
    assert response.status_code == 303, response.text
    filing, _feed = filing_part(seen)
    assert len(filing) <= FORM_POST, "\n".join(filing)
