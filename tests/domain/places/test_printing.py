"""What goes on the posters and label sheets: which codes, in which order, on which sheet."""

import pytest

from webapp.domain import unit_of_work
from webapp.domain.places import editing, printing
from webapp.domain.places.printing import PRESETS, PrintError


def test_a_scan_address_is_the_base_and_the_token():
    assert printing.scan_url("https://mashang.example/", "abc") == "https://mashang.example/q/abc"
    assert printing.scan_url("http://h:8000", "T") == "http://h:8000/q/T"


def choice(args: dict) -> printing.PrintChoice:
    """The print form's fields as the PrintChoice the blueprint makes of them."""
    args = dict(args)
    return printing.PrintChoice(preset=args.pop("preset", "3x8"),
                                cut_guides=args.pop("cut_guides", "") == "1", sizes=args)


def test_a_preset_sheet_with_skipped_positions():
    sheet = printing.label_sheet(choice({"preset": "3x8", "skip": "5", "cut_guides": "1"}),
                                 PRESETS)
    assert (sheet.columns, sheet.rows, sheet.skip, sheet.cut_guides) == (
        PRESETS["3x8"].columns, PRESETS["3x8"].rows, 5, True)
    assert printing.label_sheet(choice({}), PRESETS).skip == 0


def test_a_custom_sheet_in_millimetres():
    sheet = printing.label_sheet(choice({"preset": "custom", "columns": "2", "rows": "5",
                                         "label_width": "90", "label_height": "50"}), PRESETS)
    assert (sheet.columns, sheet.rows, sheet.label_width, sheet.label_height) == (2, 5, 90, 50)


@pytest.mark.parametrize("args", [
    {"preset": "9x99"},
    {"preset": "3x8", "skip": str(PRESETS["3x8"].columns * PRESETS["3x8"].rows)},
    {"preset": "3x8", "skip": "-1"},
    {"preset": "3x8", "skip": "two"},
    {"preset": "custom", "columns": "2", "rows": "5", "label_width": "90"},
    {"preset": "custom", "columns": "2", "rows": "5", "label_width": "wide",
     "label_height": "50"},
    {"preset": "custom", "columns": "4", "rows": "5", "label_width": "90",
     "label_height": "50"},  # 360 mm across: not on A4
])
def test_a_wrong_sheet_is_refused_with_a_message(args):
    with pytest.raises(PrintError):
        printing.label_sheet(choice(args), PRESETS)


def test_codes_come_in_place_order_and_replacements_can_be_printed_alone(entrance_code):
    compound = entrance_code.building.compound
    codes = printing.codes_of(compound)
    assert entrance_code in codes and all(c.revoked_at is None for c in codes)
    order = [(c.building.sort_key, c.building_id, c.entrance is not None) for c in codes]
    assert [o[:2] for o in order] == sorted(o[:2] for o in order)
    building_own = [i for i, c in enumerate(codes) if c.building_id == entrance_code.building_id]
    assert codes[building_own[0]].entrance_id is None  # each building's own code first
    assert all(c.entrance_id is None for c in printing.codes_of(compound, entrances=False))
    only = printing.codes_of(compound, [entrance_code.building_id])
    assert {c.building_id for c in only} == {entrance_code.building_id}
    assert printing.codes_of(compound, replacements_only=True) == []

    with unit_of_work():
        new = editing.replace_code(entrance_code)
    assert printing.codes_of(compound, replacements_only=True) == [new]
    assert entrance_code not in printing.codes_of(compound)
    item = printing.sheet_item(new, "https://mashang.example")
    assert item.url == f"https://mashang.example/q/{new.token}"
    assert item.short_url == f"mashang.example/q/{new.token}"
    assert (item.compound, item.entrance) == ("微波宿舍", "2单元")


def test_no_compound_is_nothing_to_print(app):
    with pytest.raises(PrintError):
        printing.render_for_form(None, {}, "https://mashang.example")
