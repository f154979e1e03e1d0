"""Rules behind the Open311 API: reading addresses, masking what is
private, and checking answers to a category's questions."""

import pytest
from sqlalchemy import select

from webapp.domain import open311, questions
from webapp.extensions import db
from webapp.models import Community, Entrance


def community_id(code: str) -> int:
    return db.session.scalar(select(Community.id).where(Community.code == code))


def place_of(address: str, code: str = "xinqiaobeicun"):
    found = open311.match_address(address, community_id(code))
    if found is None:
        return None
    entrance = db.session.get(Entrance, found.entrance_id) if found.entrance_id else None
    return (found.building.compound.name, found.building.name,
            entrance.name if entrance else None)


@pytest.mark.parametrize("address, expected", [
    ("东方花苑 3幢 2单元", ("东方花苑", "3幢", "2单元")),
    ("东方花苑3幢2单元", ("东方花苑", "3幢", "2单元")),
    ("东方花苑 10幢 1单元", ("东方花苑", "10幢", "1单元")),   # not 1幢
    ("东方花苑1幢1单元", ("东方花苑", "1幢", "1单元")),       # not 10幢
    ("2单元, 3幢, 东方花苑", ("东方花苑", "3幢", "2单元")),   # most specific first
    ("东方花苑 3号楼 2门", ("东方花苑", "3幢", "2单元")),     # the usual other words
    ("东方花苑３幢", ("东方花苑", "3幢", None)),               # full-width digit, no entrance
    ("3幢 2单元", ("东方花苑", "3幢", "2单元")),               # the only compound
    ("东方花苑 3幢 9单元 502室", ("东方花苑", "3幢", None)),
    ("东方花苑", None),                                        # which of ten buildings?
    ("东方花苑 11幢", None),
    ("人民路 1 号", None),
])
def test_addresses_as_written_on_the_posters(demo, address, expected):
    assert place_of(address) == expected


def test_a_compound_of_one_building_needs_no_building_name(demo):
    assert place_of("八一社区 微波宿舍 3单元", "bayi") == ("微波宿舍", "1号楼", "3单元")
    assert place_of("1号楼 3单元", "bayi") is None  # six compounds have a 1号楼


def test_metres_between():
    assert open311.metres_between(37.0, 112.0, 37.0, 112.0) == 0
    assert 110_000 < open311.metres_between(37.0, 112.0, 38.0, 112.0) < 112_000


def test_answers_are_checked_by_their_datatype(demo):
    from webapp.models import CategoryQuestion, Datatype

    def question(datatype, **fields):
        return CategoryQuestion(id=fields.pop("id", 1), code="x", datatype=datatype,
                                variable=True, required=fields.pop("required", False),
                                description_zh="问", description_en="Q", **fields)

    def check(q, *values):
        answers, problems = questions.check_answers([q], lambda _q: list(values),
                                                    "Asia/Shanghai")
        return (answers[0].value if answers else None), problems.get(q.id)

    assert check(question(Datatype.NUMBER), "3,5") == ("3.5", None)
    assert check(question(Datatype.NUMBER), "many")[1]
    assert check(question(Datatype.NUMBER), "nan")[1]
    assert check(question(Datatype.DATETIME), "2026-11-22T14:30") == \
        ("2026-11-22T14:30+08:00", None)
    assert check(question(Datatype.DATETIME), "2026-11-22T06:30:00Z") == \
        ("2026-11-22T06:30+00:00", None)
    assert check(question(Datatype.DATETIME), "tomorrow")[1]
    assert check(question(Datatype.STRING), "two\nlines") == ("two lines", None)
    assert check(question(Datatype.STRING), "x" * 201)[1]
    values = [{"key": "a", "name_zh": "甲", "name_en": "A"},
              {"key": "b", "name_zh": "乙", "name_en": "B"}]
    assert check(question(Datatype.SINGLEVALUELIST, values=values), "b") == ("b", None)
    assert check(question(Datatype.SINGLEVALUELIST, values=values), "c")[1]
    assert check(question(Datatype.SINGLEVALUELIST, values=values), "a", "b")[1]
    assert check(question(Datatype.MULTIVALUELIST, values=values), "b", "a") == \
        ('["b", "a"]', None)
    assert check(question(Datatype.MULTIVALUELIST, values=values), "a,b") == \
        ('["a", "b"]', None)
    assert check(question(Datatype.STRING, required=True)) == \
        (None, "请回答此问题。")  # in the default language
    assert check(question(Datatype.STRING)) == (None, None)


def test_list_values_are_read_from_the_admin_textarea():
    assert questions.parse_values("a | 甲 | A\n\nb | 乙\nc") == [
        {"key": "a", "name_zh": "甲", "name_en": "A"},
        {"key": "b", "name_zh": "乙", "name_en": "乙"},
        {"key": "c", "name_zh": "c", "name_en": "c"}]
    with pytest.raises(questions.QuestionError):
        questions.parse_values("a\na")
    with pytest.raises(questions.QuestionError):
        questions.parse_values("bad key | 坏")
