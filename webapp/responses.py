"""Responses that more than one blueprint sends."""

from flask import abort, current_app, make_response, redirect, request, send_file

from webapp.domain.shared import photos as photo_store
from webapp.domain.shared.photos import upload_folder_for_reports
from webapp.extensions import db
from webapp.models import Report, ReportPhoto


def report_photo(report: Report, photo_id: int, max_age: int):
    """One photo of `report`, for whoever may see the report; never cached by a proxy."""
    item = db.session.get(ReportPhoto, photo_id)
    if item is None or item.report_id != report.id:
        abort(404)
    folder = upload_folder_for_reports(current_app.config["UPLOAD_FOLDER"])
    path = photo_store.photo_path(folder, item.stored_name)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype="image/jpeg", max_age=max_age)
    response.headers["Cache-Control"] = f"private, max-age={max_age}"
    return response


def see_other(location: str):
    """Redirect after a successful POST; htmx gets the new page without a full reload."""
    if request.htmx:
        response = make_response("", 204)
        response.headers["HX-Location"] = location
        return response
    return redirect(location, code=303)
