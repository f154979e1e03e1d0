"""Phone numbers, read with libphonenumber's data (the `phonenumbers` package): which numbers
exist (China's mobile ranges, every area code), one stored spelling per number, and where
numbers sit inside free text. Nothing here decides by hand what a phone number looks like."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import phonenumbers
from flask_babel import lazy_gettext as _l
from phonenumbers import Leniency, NumberParseException, PhoneNumber, PhoneNumberMatcher

from webapp.domain import DomainRefused
from webapp.models import Report
from webapp.models.text import max_length

REGION = "CN"  # numbers typed without +country are Chinese
# The length of every phone column, which is also what may be typed, spaces included: a
# longer entry is refused whole, never cut (models/text.py).
PHONE_MAX = max_length(Report.contact_phone)

# Chinese words for "extension" become "x", which libphonenumber reads as one; each keeps its
# length so that positions in a folded text are positions in the text as written.
_EXTENSION_WORDS = re.compile(r"\s*(?:分机号|分機號|分机|分機|转|轉)\s*")
# A landline's extension written after a dash, as the stored spelling does: 0351-7654321-12
_DASH_EXTENSION = re.compile(r"(.*\d)\s*[-‐‑–—]\s*(\d{1,6})")


class InvalidPhone(DomainRefused, ValueError):
    pass


def fold(text: str) -> str:
    """The text with full-width letters, digits and punctuation (typed with a Chinese IME),
    the ideographic space and other scripts' digits as ASCII, character for character."""
    chars = []
    for char in text:
        code = ord(char)
        if 0xFF01 <= code <= 0xFF5E:
            char = chr(code - 0xFEE0)
        elif char == "\u3000":
            char = " "
        elif not char.isascii() and unicodedata.category(char) == "Nd":
            char = str(unicodedata.digit(char))
        chars.append(char)
    return "".join(chars)


def _extension_words_as_x(text: str) -> str:
    return _EXTENSION_WORDS.sub(lambda m: "x".center(len(m.group())), text)


def _valid(text: str) -> PhoneNumber | None:
    try:
        number = phonenumbers.parse(text, REGION)
    except NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


@lru_cache(maxsize=4096)
def parse(text: str) -> PhoneNumber | None:
    """The number `text` spells, or None when libphonenumber says it is none. Remembered per
    text: a public listing masks a hundred texts against the same hotlines and residents'
    phones, so the same strings come back again and again. The number is shared: read it,
    never change it."""
    text = _extension_words_as_x(fold(text)).strip()
    number = _valid(text)
    if number is None and (dashed := _DASH_EXTENSION.fullmatch(text)):
        number = _valid(dashed.group(1))
        if number is not None and not number.extension:
            number.extension = dashed.group(2)
    return number


def spelling(number: PhoneNumber) -> str:
    """The one stored spelling: a Chinese number as dialled at home (13800138000, or
    AREA-LOCAL for a landline: 0351-7654321), any other in E.164 (+442079460958); an
    extension follows a dash."""
    if number.country_code == 86:
        national = phonenumbers.national_significant_number(number)
        area = phonenumbers.length_of_geographical_area_code(number)
        text = f"0{national[:area]}-{national[area:]}" if area else national
    else:
        text = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return text + (f"-{number.extension}" if number.extension else "")


def texting_number(text: str | None) -> str | None:
    """The number in E.164 (+8613800138000) if `text` is a phone a text message can reach
    (a mobile), else None."""
    number = parse(text) if text else None
    if number is None or number.extension or phonenumbers.number_type(number) not in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_phone(raw: str | None) -> str | None:
    """One spelling per number, so that the same phone typed two ways is one phone (a care
    card, one booking per slot): '138.0013.8000' → '13800138000', '(0351) 765 4321' →
    '0351-7654321'; None when blank. Refuses what is no number, or too long to keep whole."""
    if raw is None or not raw.strip():
        return None
    if len(raw.strip()) > PHONE_MAX:
        raise InvalidPhone(_l("A phone number has at most %(max)d characters.", max=PHONE_MAX))
    number = parse(raw)
    if number is None:
        raise InvalidPhone(_l("Please enter a mobile number (11 digits) or a landline with "
                              "area code."))
    spelled = spelling(number)
    if len(spelled) > PHONE_MAX:
        raise InvalidPhone(_l("A phone number has at most %(max)d characters.", max=PHONE_MAX))
    return spelled


def same_number(a: PhoneNumber, b: PhoneNumber) -> bool:
    return (a.country_code, a.national_number) == (b.country_code, b.national_number)


# What libphonenumber's loosest matcher also takes for a possible number, and is not one:
# a date, or one of our report numbers (20261122-0042).
_NOT_A_PHONE = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}日?|\d{8}-\d{4,}")
_LANDLINE_EXTENSION = re.compile(r"\s*(?:[-‐‑–—]|x)\s*\d{1,6}(?!\d)")
# A stretch of digits and separators libphonenumber's matcher passed over (it gives up on a
# landline with a dashed extension); parse() then says whether it is a number.
_DIGIT_STRETCH = re.compile(r"(?<![\d])\+?\d[\d \-./()]{5,}\d(?![\d])")


def phone_spans(folded: str) -> list[tuple[int, int, PhoneNumber]]:
    """Where phone numbers are in a folded text (see fold), however loosely written: with
    dots, slashes, dashes, spaces or brackets, +86 or 0086 in front, an extension after."""
    text = _extension_words_as_x(folded)
    found = []
    for match in PhoneNumberMatcher(text, REGION, leniency=Leniency.POSSIBLE):
        number, raw = match.number, match.raw_string
        digits = sum(c.isdigit() for c in raw)
        if not phonenumbers.is_valid_number(number) and \
                (digits < 7 or _NOT_A_PHONE.fullmatch(raw)):
            continue  # a price, a short service number like 12345, a date
        end = match.end
        if phonenumbers.length_of_geographical_area_code(number):
            extension = _LANDLINE_EXTENSION.match(text, end)
            end = extension.end() if extension else end
        found.append((match.start, end, number))
    taken = [(start, end) for start, end, _n in found]
    for stretch in _DIGIT_STRETCH.finditer(text):
        if any(start < stretch.end() and stretch.start() < end for start, end in taken):
            continue
        number = parse(stretch.group())
        if number is not None:
            found.append((stretch.start(), stretch.end(), number))
    return sorted(found, key=lambda span: span[0])
