"""The one way a view turns a refusal of the domain into a page.

    @bp.post("/services")
    @requires(Action.MANAGE_SERVICES)
    @refusals.answered_by(render_services)
    def add_service(): ...

The view's work runs in one unit of work (committed when the view returns). A DomainRefused
raised anywhere inside rolls it back, once, and the answer is `render(message, status)`: the
page again with the message, 422, or 409 when someone else changed the record first.
`stale`, if given, is the page's own words for a write that lost a race at the commit."""

from __future__ import annotations

from functools import wraps

from webapp.domain import DomainRefused, StaleWrite, unit_of_work


def answered_by(render, stale=None):
    def decorate(view):
        @wraps(view)
        def run(*args, **kwargs):
            try:
                with unit_of_work():
                    return view(*args, **kwargs)
            except DomainRefused as refusal:
                message = stale if stale is not None and type(refusal) is StaleWrite \
                    else refusal
                return render(str(message), refusal.status)
        return run
    return decorate
