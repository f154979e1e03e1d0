"""A care visit (敲门行动) that finds the holder in need files a report for them: a care-card
report at their address, in their name, channel home visit, filed by the visiting volunteer,
and the visit is made with it (services/care_visits.py) — both in one unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from webapp.domain import DomainRefused
from webapp.domain.reports import intake, limits
from webapp.domain.services.care_visits import check_outcome, record_outcome
from webapp.domain.shared.tokens import is_submission_key
from webapp.models import AttendanceKind, CareVisit, Report, ReportChannel, User
from webapp.models.types import utcnow


@dataclass(frozen=True)
class HelpDraft:
    """What a volunteer found at the door that needs the community's help."""

    submission_key: str
    category_id: int | None
    description: str
    language: str = "zh"


def needs_help(visit: CareVisit, volunteer: User, draft: HelpDraft,
               now: datetime | None = None, *, upload_folder: str, secret: str) -> Report:
    now = now or utcnow()
    check_outcome(visit, volunteer, AttendanceKind.NEEDS_HELP)
    if not is_submission_key(draft.submission_key):
        raise DomainRefused(_l("This form is out of date. Please reload the page."))
    description = draft.description.strip()
    if not limits.DESCRIPTION_MIN <= len(description) <= limits.DESCRIPTION_MAX:
        raise DomainRefused(_l("Please say what help is needed, in %(min)d to %(max)d "
                               "characters.", min=limits.DESCRIPTION_MIN,
                               max=limits.DESCRIPTION_MAX), field="description")
    card = visit.care_card
    report, _made = intake.submit_report(
        None, intake.ReportDraft(
            submission_key=draft.submission_key, category_id=draft.category_id,
            description=description, contact_name=card.name, contact_phone=card.phone,
            care_card=True, channel=ReportChannel.VISIT, language=draft.language,
            filed_by=volunteer, on_care_visit=True),
        [], upload_folder, now, building=card.building, entrance_id=card.entrance_id,
        secret=secret)
    record_outcome(visit, volunteer, AttendanceKind.NEEDS_HELP, now, report=report)
    return report
