"""Which of a report page's actions matters now: the step the report waits for from the person
looking at it. The page shows that one first and folds the rest."""

from __future__ import annotations

from webapp.domain.people.permissions import Action, is_handlers_job
from webapp.domain.reports import sla
from webapp.domain.reports.labels import S
from webapp.models import Report, User

# The handler's steps in the order the loop takes them: the first one allowed is next.
HANDLER_STEPS = (Action.ACCEPT, Action.ARRIVE, Action.SUBMIT_PLAN, Action.RESOLVE)


def next_step(report: Report, user: User, allowed: set[Action]) -> Action | None:
    """The handler's next step on their own job; for the dispatcher, dispatching a report
    nobody has yet, or the call-back of a closed one; None when the report waits on others."""
    if is_handlers_job(user, report):
        for action in HANDLER_STEPS:
            if action == Action.ARRIVE and not sla.needs_arrival(report):
                continue  # a major job is not a quick visit, unless it is an emergency
            if action == Action.SUBMIT_PLAN and report.plan_note:
                continue  # planned: a new plan is among the other actions
            if action in allowed:
                return action
    if Action.ASSIGN in allowed and (report.status == S.SUBMITTED
                                     or report.assigned_org_id is None):
        return Action.ASSIGN
    if Action.CALLBACK in allowed:
        return Action.CALLBACK
    return None
