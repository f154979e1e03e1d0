"""Limits for what residents type into a report (phone numbers: domain/shared/phones.py). The limits
of what is stored in a sized column are that column's length (models/text.py), not written here."""

DESCRIPTION_MIN = 4
DESCRIPTION_MAX = 1000
NOTE_MAX = 1000
RATING_COMMENT_MAX = 500
