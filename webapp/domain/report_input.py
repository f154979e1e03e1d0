"""Limits and normalisation for what residents type into a report."""

import re

from flask_babel import lazy_gettext as _l

DESCRIPTION_MIN = 4
DESCRIPTION_MAX = 1000
NOTE_MAX = 1000
FLOOR_ROOM_MAX = 40
NAME_MAX = 40
RATING_COMMENT_MAX = 500

# Mainland mobile (11 digits from 1[3-9]) or a landline with area code and optional extension.
_MOBILE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}(?:\d{1,5})?$")


class InvalidPhone(ValueError):
    pass


def normalise_phone(raw: str | None) -> str | None:
    """'138 0000 0000' → '13800000000'; '0351-1234567' kept readable; None when blank."""
    if raw is None or not raw.strip():
        return None
    compact = re.sub(r"[\s\-()]", "", raw.strip())
    if _MOBILE.match(compact):
        return compact[-11:]
    if _LANDLINE.match(compact):
        return raw.strip()
    raise InvalidPhone(_l("Please enter a mobile number (11 digits) or a landline with area code."))
