"""一事一议 for residents: a ballot slip's page (read the proposal, vote, change the vote until
the deadline) and a consultation's public page (the proposal, the tally, the result, the
shares), which shows counts only, never who chose what."""

from flask import abort, current_app, flash, make_response, render_template, send_file, url_for
from flask_babel import gettext as _

from webapp import ratelimits
from webapp.access import public
from webapp.caching import shared
from webapp.domain import DomainRefused, unit_of_work
from webapp.domain.consultations import ballots
from webapp.domain.consultations import tally as tallies
from webapp.domain.shared import photos as photo_store
from webapp.extensions import db
from webapp.models import Consultation, ConsultationPhoto
from webapp.models.types import utcnow
from webapp.resident import bp
from webapp.resident.forms import BallotForm
from webapp.responses import see_other


def page_of(consultation, **extra) -> dict:
    return dict(c=consultation, tally=tallies.tally(consultation),
                rule_words=tallies.rule_words(consultation), option_label=tallies.option_label,
                yuan=tallies.yuan, now=utcnow(), **extra)


def render_ballot(slip, token, form=None, problem=None, status=200):
    consultation = slip.consultation
    ballot = ballots.ballot_of(consultation.id, slip.household_id)
    response = make_response(render_template(
        "resident/ballot.html", slip=slip, token=token, form=form or BallotForm(),
        mine=ballot, problem=problem, voting=ballots.voting_open(consultation, utcnow()),
        **page_of(consultation)), status)
    # The household's own page: no shared cache keeps it, no referrer carries its link.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def slip_for(token):
    slip = ballots.slip_by_token(token)
    if slip is None:
        abort(404)
    return slip


@bp.get("/v/<token>")
@public
@ratelimits.link_lookup
def ballot(token):
    slip = slip_for(token)
    if slip.voided_at is not None:
        return render_ballot(slip, token, problem=str(ballots.SLIP_VOIDED), status=410)
    return render_ballot(slip, token)


@bp.post("/v/<token>")
@public
@ratelimits.link_change
def vote(token):
    slip = slip_for(token)
    form = BallotForm()
    if not form.validate():
        return render_ballot(slip, token, form, form.first_error(), 422)
    try:
        with unit_of_work():
            first = ballots.vote_by_slip(slip, form.choice.data)
    except DomainRefused as refused:
        db.session.expire_all()
        return render_ballot(slip_for(token), token, form, str(refused), refused.status)
    flash(_("Thank you: your household's vote is counted.") if first else
          _("Your household's vote is changed."), "success")
    return see_other(url_for("resident.ballot", token=token))


@bp.get("/consultations/<int:consultation_id>")
@public
@shared
def consultation(consultation_id):
    found = db.session.get(Consultation, consultation_id)
    if found is None:
        abort(404)
    shares = tallies.shares_of(found) if found.outcome == "approved" else []
    return render_template("resident/consultation.html", shares=shares,
                           raised=tallies.raised_cents(found), **page_of(found))


@bp.get("/consultations/<int:consultation_id>/photos/<int:photo_id>.jpg")
@public
def consultation_photo(consultation_id, photo_id):
    item = db.session.get(ConsultationPhoto, photo_id)
    if item is None or item.consultation_id != consultation_id:
        abort(404)
    folder = photo_store.upload_folder_for_consultations(current_app.config["UPLOAD_FOLDER"])
    path = photo_store.photo_path(folder, item.stored_name)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="image/jpeg", max_age=86400)

