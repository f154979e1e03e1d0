"""What a service costs, as one sentence: the one rule every page, message and Open311
description uses, so the catalogue, a slot, a booking and its confirmation never disagree.

Free for everyone (no fee note, or free for care-card holders with no fee for others);
free for care-card holders, and what others pay (the fee note); or the fee note alone.
Knowing the booking (`care_card`), the sentence says what this resident pays."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


def price_text(free_for_care_card: bool, fee_note: str | None, *,
               care_card: bool | None = None) -> str:
    note = (fee_note or "").strip()
    if free_for_care_card and care_card:
        return str(_l("Free (care card)."))
    if not note:
        return str(_l("Free for everyone."))
    if free_for_care_card and care_card is None:
        return str(_l("Free for care-card holders; others: %(fee)s", fee=note))
    return str(_l("Fee: %(fee)s", fee=note))


def service_price(service, locale: str, *, care_card: bool | None = None) -> str:
    """The sentence for a ServiceType in `locale`'s fee note."""
    return price_text(service.free_for_care_card, service.fee_note(locale), care_card=care_card)
