"""A community's own extra questions, defined without the admin page
(domain/reports/questions.py)."""

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from webapp.domain import unit_of_work
from webapp.domain.reports import questions
from webapp.extensions import db
from webapp.models import Category, CategoryQuestion, Community

TREE = questions.QuestionDraft(code="tree", datatype="singlevaluelist", order=1,
                               description_zh="哪种树？", required=True,
                               values="pine | 松树 | Pine\nwillow | 柳树")


@pytest.fixture
def greenery(demo):
    return db.session.scalar(select(Category).where(Category.code == "greenery"))


@pytest.fixture
def bayi(demo):
    return db.session.scalar(select(Community.id).where(Community.code == "bayi"))


def save(category, community_id, draft, question=None):
    with unit_of_work():
        return questions.save_question(category, community_id, draft, question)


def test_a_question_is_saved_with_its_values_and_english_defaults(greenery, bayi):
    question = save(greenery, bayi, TREE)
    assert (question.code, question.community_id, question.required) == ("tree", bayi, True)
    assert question.description_en == "哪种树？"
    assert question.values[1] == {"key": "willow", "name_zh": "柳树", "name_en": "柳树"}
    fixed = save(greenery, bayi, questions.QuestionDraft(
        code="height", datatype="number", order=2, description_zh="多高？", variable=False,
        required=True, values="ignored"))
    assert not fixed.variable and not fixed.required and fixed.values is None


@pytest.mark.parametrize("change, message", [
    ({"code": "a b"}, "The code is"),
    ({"datatype": "colour"}, "kind of answer"),
    ({"description_zh": " "}, "Write the question"),
    ({"order": None}, "from 1 to 999"),
    ({"order": 1000}, "from 1 to 999"),
    ({"values": ""}, "at least one value"),
    ({"values": "a\na"}, "used twice"),
])
def test_a_wrong_field_saves_nothing(greenery, bayi, change, message):
    draft = questions.QuestionDraft(**{**TREE.__dict__, **change})
    with force_locale("en"), pytest.raises(questions.QuestionError, match=message):
        save(greenery, bayi, draft)
    assert not questions.questions_of(greenery.id, bayi)


def test_a_removed_question_comes_back_with_its_code_and_codes_stay_unique(greenery, bayi):
    question = save(greenery, bayi, TREE)
    with unit_of_work():
        questions.remove_question(question)
    assert not questions.questions_of(greenery.id, bayi)
    again = save(greenery, bayi, TREE)
    assert again.id == question.id and again.active
    with force_locale("en"), pytest.raises(questions.QuestionError, match="already has"):
        save(greenery, bayi, TREE)


def test_another_communitys_question_is_not_changed_here(greenery, bayi):
    question = save(greenery, bayi, TREE)
    other = db.session.scalar(select(Community.id).where(Community.id != bayi))
    with force_locale("en"), pytest.raises(questions.QuestionError, match="No such question"):
        save(greenery, other, TREE, question)
    assert db.session.get(CategoryQuestion, question.id).community_id == bayi


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
