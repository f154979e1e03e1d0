from webapp.inputs import LARGEST_ID, whole_number


def test_whole_numbers_are_ascii_digits_within_an_ids_range():
    assert whole_number("42") == 42
    assert whole_number(" 7 ") == 7
    assert whole_number(str(LARGEST_ID)) == LARGEST_ID
    for not_a_number in ("", "-", "²", "٣", "３", "1.5", "1e3", "0x10", "9" * 19, None, 5,
                         str(LARGEST_ID + 1), "-1"):
        assert whole_number(not_a_number) is None, not_a_number
    assert whole_number("-5", smallest=-10) == -5
    assert whole_number("11", largest=10) is None


def test_an_id_in_a_route_beyond_the_database_range_is_not_found(client, demo):
    assert client.get(f"/staff/reports/{LARGEST_ID + 1}").status_code == 404
    assert client.get("/staff/reports/99999999999999999999").status_code == 404
