"""Ask before a step that cannot be taken back (replacing a code, revoking a key, calling off
a slot…). Plain forms, no JavaScript: the button's first POST answers with a page that says
exactly what will change and what stops working; only its second POST, which carries the
same fields plus confirmed=1, makes the change."""

from flask import make_response, render_template, request
from flask_babel import gettext as _

from webapp.admin.forms import ConfirmForm

CARRIED_OVER = ("csrf_token", "confirmed")


def confirmed() -> bool:
    return ConfirmForm().confirmed.data


def ask(title: str, details: list[tuple[str, str]], consequence: str, button: str, back: str):
    """The confirmation page: `details` are (label, value) lines naming the exact thing,
    `consequence` what stops working, `back` where "Cancel" leads."""
    fields = [(name, value) for name, value in request.form.items(multi=True)
              if name not in CARRIED_OVER]
    response = make_response(render_template(
        "admin/confirm.html", title=title, details=details, consequence=consequence,
        button=button, back=back, action=request.path, fields=fields))
    # The carried fields may hold a new password: never kept by a cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response


def place_lines(compound: str, building: str | None = None,
                entrance: str | None = None) -> list[tuple[str, str]]:
    lines = [(_("Compound"), compound)]
    if building is not None:
        lines.append((_("Building"), building))
        lines.append((_("Entrance"), entrance if entrance is not None
                      else _("the whole building")))
    return lines
