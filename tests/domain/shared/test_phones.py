"""Phone numbers: every spelling a resident or staff member would type is stored one way;
what is no number is refused, never cut. No database, no app."""

import pytest

from webapp.domain.shared.phones import PHONE_MAX, InvalidPhone, normalise_phone

# (as typed, the one stored spelling)
SPELLINGS = [
    ("13800138000", "13800138000"),
    ("138 0013 8000", "13800138000"),
    ("138-0013-8000", "13800138000"),
    ("138.0013.8000", "13800138000"),
    ("138/0013/8000", "13800138000"),
    ("(138)00138000", "13800138000"),
    ("+86 138 0013 8000", "13800138000"),
    ("+86-138-0013-8000", "13800138000"),
    ("(+86)13800138000", "13800138000"),
    ("0086 13800138000", "13800138000"),
    ("8613800138000", "13800138000"),
    ("１３８００１３８０００", "13800138000"),              # full-width digits
    ("１３８　００１３　８０００", "13800138000"),          # and the ideographic space
    ("＋８６－１３８－００１３－８０００", "13800138000"),
    ("0351-7654321", "0351-7654321"),
    ("03517654321", "0351-7654321"),
    ("(0351) 765 4321", "0351-7654321"),
    ("（0351）7654321", "0351-7654321"),
    ("0351.765.4321", "0351-7654321"),
    ("0351/7654321", "0351-7654321"),
    ("+86 351 765 4321", "0351-7654321"),
    ("010-12345678", "010-12345678"),
    ("020 8765 4321", "020-87654321"),
    ("0351-7654321转123", "0351-7654321-123"),
    ("0351-7654321 转 123", "0351-7654321-123"),
    ("0351-7654321分机123", "0351-7654321-123"),
    ("0351-7654321-123", "0351-7654321-123"),          # the stored spelling reads back
    ("0351-7654321 ext. 123", "0351-7654321-123"),
    ("400-810-8888", "4008108888"),
    ("+44 20 7946 0958", "+442079460958"),
    ("+1 (415) 555-2671", "+14155552671"),
    ("001 415 555 2671", "+14155552671"),
]


@pytest.mark.parametrize(("typed", "stored"), SPELLINGS)
def test_every_spelling_of_a_number_is_stored_one_way(typed, stored):
    assert normalise_phone(typed) == stored
    assert normalise_phone(stored) == stored  # and reads back as itself


@pytest.mark.parametrize("typed", [
    "12345", "110", "1380013800", "138001380001", "0351-765", "03517654321123",
    "not a phone", "<script>", "1" * 40, "我的电话是 " * 12 + "13800138000",
    "0351-7654321-12345678901234567890",
])
def test_what_is_no_number_or_too_long_is_refused_never_cut(typed):
    with pytest.raises(InvalidPhone):
        normalise_phone(typed)


def test_blank_is_no_phone():
    assert normalise_phone(None) is None and normalise_phone("  ") is None
    assert len(normalise_phone("+44 20 7946 0958 ext 12345")) <= PHONE_MAX
