"""Limits for what residents type into a report (phone numbers: domain/phones.py)."""

DESCRIPTION_MIN = 4
DESCRIPTION_MAX = 1000
NOTE_MAX = 1000
FLOOR_ROOM_MAX = 40
NAME_MAX = 40
RATING_COMMENT_MAX = 500
