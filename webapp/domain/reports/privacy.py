"""What the public may read of what residents and staff wrote: one masking for every public
surface (the board, Open311 in XML and JSON), and for the words of purged records.

Masked are phone numbers however written (found by libphonenumber, see phones.py), Chinese
resident ID-card numbers, WeChat and QQ ids, e-mail addresses, room numbers, and the
resident's own name, phone and room as they wrote them. The community's own hotlines stay.

The resident's own tracking page (a private link) shows replies as staff wrote them: they
are written to that resident, who may need the handler's number in them."""

from __future__ import annotations

import re
from collections.abc import Iterable

from webapp.domain.shared import phones

MASK = "***"

_NOT_ALNUM_BEFORE = r"(?<![0-9A-Za-z])(?<![0-9][ -])"
# 18 digits (the last may be X) or the old 15, in groups or not: 110105 19900101 123X
_ID_CARD = re.compile(_NOT_ALNUM_BEFORE + r"(?:(?:\d[ -]?){17}[\dXx]|(?:\d[ -]?){14}\d)"
                      r"(?![0-9A-Za-z])")
# 微信 abc_123, 微信号：wxid_x, wx: …, VX …, QQ 12345678, QQ号: …, 扣扣 …; the label stays.
_CHAT_ID = re.compile(
    r"(?<![A-Za-z])(?:微信|威信|薇信|v信|vx|wx|wechat|weixin|qq|扣扣|企鹅)"
    r"\s*(?:号|號|id)?\s*(?:[:=]|是|为)?\s*(?P<id>[A-Za-z0-9][A-Za-z0-9_.\-]{3,39})",
    re.IGNORECASE)
_WXID = re.compile(r"(?<![A-Za-z0-9])wxid_[A-Za-z0-9_\-]+", re.IGNORECASE)
_EMAIL = re.compile(
    r"[A-Za-z0-9._%+\-]+\s*(?:@|[(\[]\s*at\s*[)\]])\s*[A-Za-z0-9\-]+"
    r"(?:\s*(?:\.|。|[(\[]\s*dot\s*[)\]])\s*[A-Za-z0-9\-]+)+", re.IGNORECASE)
_ROOM = re.compile(r"\d+(?:-\d+)*\s*(?:室|房|户)")
_NUMBERS = re.compile(r"\d{2,}")


def _own_forms(values: Iterable[str | None]) -> list[str]:
    """The resident's own name, phone and room as written, without spaces, their words and
    their numbers (302 of 3楼302室), folded, longest first."""
    forms = set()
    for value in values:
        # A phone number is found in any spelling by the phone matcher below.
        if value and value.strip() and phones.parse(value) is None:
            value = phones.fold(value.strip())
            forms.update((value, "".join(value.split()), *value.split(),
                          *_NUMBERS.findall(value)))
    return sorted((f for f in forms if len(f) >= 2), key=len, reverse=True)


def mask(text: str | None, own: Iterable[str | None] = (),
         public_numbers: Iterable[str | None] = ()) -> str | None:
    """`text` as the public may read it: see the module's docstring. `own` are the
    resident's name, phone and room; `public_numbers` the community's hotlines, left as
    written."""
    if not text:
        return text
    work = phones.fold(text)  # character for character: a span here is one in `text`
    spans: list[tuple[int, int]] = []

    def take(start: int, end: int) -> None:
        nonlocal work
        spans.append((start, end))
        work = work[:start] + "\0" * (end - start) + work[end:]

    for form in _own_forms(own):
        for found in list(re.finditer(re.escape(form), work)):
            take(*found.span())
    for pattern in (_EMAIL, _WXID, _ID_CARD):
        for found in list(pattern.finditer(work)):
            take(*found.span())
    for found in list(_CHAT_ID.finditer(work)):
        take(*found.span("id"))
    kept = [n for n in map(phones.parse, filter(None, public_numbers)) if n is not None]
    for start, end, number in phones.phone_spans(work):
        if not any(phones.same_number(number, k) for k in kept):
            take(start, end)
    for found in list(_ROOM.finditer(work)):
        take(*found.span())
    return _replace(text, spans)


def _replace(text: str, spans: list[tuple[int, int]]) -> str:
    """Each run of masked characters becomes one MASK, whatever its length."""
    hidden = [False] * len(text)
    for start, end in spans:
        hidden[start:end] = [True] * (end - start)
    out, previous = [], False
    for char, masked in zip(text, hidden, strict=True):
        if masked and not previous:
            out.append(MASK)
        elif not masked:
            out.append(char)
        previous = masked
    return "".join(out)
