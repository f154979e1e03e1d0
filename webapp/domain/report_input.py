"""Limits and normalisation for what residents type into a report."""

import re
import unicodedata

from flask_babel import lazy_gettext as _l

DESCRIPTION_MIN = 4
DESCRIPTION_MAX = 1000
NOTE_MAX = 1000
FLOOR_ROOM_MAX = 40
NAME_MAX = 40
RATING_COMMENT_MAX = 500

PHONE_MAX = 30  # the width of every phone column

# Mainland mobile (11 digits from 1[3-9]) or a landline with area code and optional extension.
# ASCII digits only: \d would also take Arabic-Indic or other scripts' digits.
_MOBILE = re.compile(r"^(?:\+?86)?1[3-9][0-9]{9}$")
_LANDLINE = re.compile(r"^0[0-9]{2,3}[0-9]{7,8}(?:[0-9]{1,5})?$")


class InvalidPhone(ValueError):
    pass


def normalise_phone(raw: str | None) -> str | None:
    """'138 0000 0000' → '13800000000'; '0351-1234567' kept readable; None when blank."""
    if raw is None or not raw.strip():
        return None
    # Full-width digits, brackets and spaces (typed with a Chinese IME) become ASCII ones.
    text = unicodedata.normalize("NFKC", raw).strip()
    compact = re.sub(r"[\s\-()]", "", text)
    if _MOBILE.match(compact):
        return compact[-11:]
    if _LANDLINE.match(compact):
        # Readable as typed, but any run of spaces or dashes counts once, and never wider
        # than the column: padding past it made PostgreSQL refuse the row (a 500).
        readable = re.sub(r"-+", "-", re.sub(r"\s+", " ", text))
        return readable if len(readable) <= PHONE_MAX else compact
    raise InvalidPhone(_l("Please enter a mobile number (11 digits) or a landline with area code."))
