"""The limits of what residents type into a report: sane, and the ones the form enforces."""

from wtforms.validators import Length

from webapp.domain.reports import limits
from webapp.resident.forms import AddInfoForm, RateForm, ReportForm


def test_the_limits_are_whole_positive_and_ordered():
    values = [limits.DESCRIPTION_MIN, limits.DESCRIPTION_MAX, limits.NOTE_MAX,
              limits.RATING_COMMENT_MAX]
    assert all(isinstance(v, int) and v > 0 for v in values)
    assert limits.DESCRIPTION_MIN < limits.DESCRIPTION_MAX


def _length(form, field):
    validators = getattr(form, field).kwargs["validators"]
    (length,) = [v for v in validators if isinstance(v, Length)]
    return length.min, length.max


def test_the_resident_forms_check_these_limits():
    assert _length(ReportForm, "description") == (limits.DESCRIPTION_MIN,
                                                  limits.DESCRIPTION_MAX)
    assert _length(AddInfoForm, "note")[1] == limits.NOTE_MAX
    assert _length(RateForm, "comment")[1] == limits.RATING_COMMENT_MAX
