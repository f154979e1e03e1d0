"""Questions a category asks: answers checked by datatype, list values from the admin's
textarea."""

import pytest

from webapp.domain import questions


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
