"""Limits and normalisation for what residents type into a report. The limits of what is
stored in a sized column are that column's length (models/text.py), not written here."""

import re
import unicodedata

from flask_babel import lazy_gettext as _l

DESCRIPTION_MIN = 4
DESCRIPTION_MAX = 1000
NOTE_MAX = 1000
RATING_COMMENT_MAX = 500

# Mainland mobile (11 digits from 1[3-9]) or a landline with area code and optional extension.
# ASCII digits only: \d would also take Arabic-Indic or other scripts' digits.
_MOBILE = re.compile(r"^(?:\+?86)?1[3-9][0-9]{9}$")
_LANDLINE = re.compile(r"^0[0-9]{2,3}[0-9]{7,8}(?:[0-9]{1,5})?$")


class InvalidPhone(ValueError):
    pass


def normalise_phone(raw: str | None) -> str | None:
    """One spelling per number, so that the same phone typed two ways is one phone (a
    care card, one booking per slot): '138 0000 0000' → '13800000000',
    '(0351) 765 4321' → '0351-7654321'; None when blank."""
    if raw is None or not raw.strip():
        return None
    # Full-width digits, brackets and spaces (typed with a Chinese IME) become ASCII ones.
    text = unicodedata.normalize("NFKC", raw).strip()
    compact = re.sub(r"[\s\-()]", "", text)
    if _MOBILE.match(compact):
        return compact[-11:]
    if _LANDLINE.match(compact):
        return _landline(text, compact)
    raise InvalidPhone(_l("Please enter a mobile number (11 digits) or a landline with area code."))


def _landline(text: str, compact: str) -> str:
    """AREA-LOCAL[-EXTENSION]. Beijing (010) and the 02x cities have three-digit area codes,
    the rest four. An extension is told apart only when typed as a group of its own after a
    whole local number; run together with the number it cannot be."""
    area = compact[:3] if compact[1] in "12" else compact[:4]
    groups = re.findall(r"[0-9]+", text)
    extension = ""
    if len(groups) > 1 and len(groups[-1]) <= 5:
        number = "".join(groups[:-1])
        if number.startswith(area) and 7 <= len(number) - len(area) <= 8:
            extension = groups[-1]
    local = compact[len(area):len(compact) - len(extension)]
    return f"{area}-{local}" + (f"-{extension}" if extension else "")
