"""A category's extra questions (GeoReport v2 "attributes"): defining them, and checking and
reading the answers given on the resident form or through Open311. One definition serves both,
so a rule here holds for every channel."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.domain import DomainRefused
from webapp.extensions import db
from webapp.models import LIST_TYPES, Category, CategoryQuestion, Datatype, ReportAnswer
from webapp.models.text import max_length, plain
from webapp.models.types import utcnow

CODE_MAX = max_length(CategoryQuestion.code)
CODE = re.compile(rf"^[A-Za-z0-9_\-]{{1,{CODE_MAX}}}$")
STRING_MAX = 200
TEXT_MAX = 1000
DESCRIPTION_MAX = max_length(CategoryQuestion.description_zh)
VALUE_NAME_MAX = 100
MAX_VALUES = 50
NUMBER_LIMIT = Decimal("1e12")

DATATYPE_LABELS = {
    Datatype.STRING: _l("Short text"),
    Datatype.NUMBER: _l("Number"),
    Datatype.DATETIME: _l("Date and time"),
    Datatype.TEXT: _l("Longer text"),
    Datatype.SINGLEVALUELIST: _l("Pick one"),
    Datatype.MULTIVALUELIST: _l("Pick any"),
}


class QuestionError(DomainRefused, ValueError):
    """A question definition that cannot be saved; str() says why."""


@dataclass(frozen=True)
class Answer:
    question: CategoryQuestion
    value: str  # as stored: see ReportAnswer.value


# --- reading the definition --------------------------------------------------------------

def asked_in(community_id: int | None):
    """The questions a community asks: the shared ones and its own."""
    return CategoryQuestion.community_id.is_(None) | \
        (CategoryQuestion.community_id == community_id)


def questions_of(category_id: int, community_id: int | None, *,
                 only_variable: bool = False) -> list[CategoryQuestion]:
    query = select(CategoryQuestion).where(CategoryQuestion.category_id == category_id,
                                           CategoryQuestion.active, asked_in(community_id))
    if only_variable:
        query = query.where(CategoryQuestion.variable)
    return list(db.session.scalars(query.order_by(CategoryQuestion.sort_order,
                                                  CategoryQuestion.id)))


def questions_by_category(category_ids: Iterable[int], community_id: int | None
                          ) -> dict[int, list[CategoryQuestion]]:
    """Active questions of each category asked in the community, in order: one query for a
    whole form."""
    ids = list(category_ids)
    found: dict[int, list[CategoryQuestion]] = {i: [] for i in ids}
    if not ids:
        return found
    for question in db.session.scalars(
            select(CategoryQuestion).where(CategoryQuestion.category_id.in_(ids),
                                           CategoryQuestion.active, asked_in(community_id))
            .order_by(CategoryQuestion.sort_order, CategoryQuestion.id)):
        found[question.category_id].append(question)
    return found


# --- checking answers --------------------------------------------------------------------

def check_answers(questions: list[CategoryQuestion], get: Callable[[CategoryQuestion], list[str]],
                  timezone: str) -> tuple[list[Answer], dict[int, str]]:
    """Check what was given for each question. `get(question)` returns the raw values sent
    for it (several for a multi-value list). Returns the answers to store and, by question id,
    what is wrong; nothing is stored when anything is wrong."""
    answers, problems = [], {}
    for question in questions:
        if not question.variable:
            continue
        raw = [plain(v).strip() for v in get(question) if v is not None]
        raw = [v for v in raw if v]
        if not raw:
            if question.required:
                problems[question.id] = str(_l("Please answer this question."))
            continue
        try:
            answers.append(Answer(question, _clean(question, raw, timezone)))
        except ValueError as invalid:
            problems[question.id] = str(invalid)
    return answers, problems


def _clean(question: CategoryQuestion, raw: list[str], timezone: str) -> str:
    kind = question.datatype
    if kind == Datatype.MULTIVALUELIST:
        keys = {key for key, _name in question.options("en")}
        chosen = []
        for value in raw:
            for part in [value] if value in keys else value.split(","):
                part = part.strip()
                if part not in keys:
                    raise ValueError(_l("Please choose from the list."))
                if part not in chosen:
                    chosen.append(part)
        return json.dumps(chosen, ensure_ascii=False)
    if len(raw) > 1:
        raise ValueError(_l("Please give one answer."))
    value = raw[0]
    if kind == Datatype.SINGLEVALUELIST:
        if value not in {key for key, _name in question.options("en")}:
            raise ValueError(_l("Please choose from the list."))
        return value
    if kind == Datatype.NUMBER:
        try:
            number = Decimal(value.replace(",", "."))
        except InvalidOperation as error:
            raise ValueError(_l("Please enter a number.")) from error
        if not number.is_finite() or abs(number) >= NUMBER_LIMIT:
            raise ValueError(_l("Please enter a number."))
        return format(number.normalize(), "f")
    if kind == Datatype.DATETIME:
        return _iso_datetime(value, timezone)
    if kind == Datatype.TEXT:
        if len(value) > TEXT_MAX:
            raise ValueError(_l("At most %(max)d characters.", max=TEXT_MAX))
        return value
    # string: one line
    value = " ".join(value.split())
    if len(value) > STRING_MAX:
        raise ValueError(_l("At most %(max)d characters.", max=STRING_MAX))
    return value


def parse_w3c(value: str, timezone: str) -> datetime:
    """A W3C / ISO 8601 date and time: with 'Z' or an offset, or without one (then in the
    community's zone, as a form's local time is); a date alone is its midnight.
    Raises ValueError."""
    text = value.strip().replace(" ", "T", 1)
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))


def _iso_datetime(value: str, timezone: str) -> str:
    """A form's or a client's date and time → ISO 8601 with offset."""
    try:
        moment = parse_w3c(value, timezone)
    except ValueError as error:
        raise ValueError(_l("Please give a date and time such as 2026-11-22 14:30.")) \
            from error
    if not 1900 <= moment.year <= 2200:
        raise ValueError(_l("Please give a date and time such as 2026-11-22 14:30."))
    return moment.isoformat(timespec="minutes")


def store_answers(report, answers: Iterable[Answer]) -> None:
    for answer in answers:
        db.session.add(ReportAnswer(report=report, question=answer.question, value=answer.value))


def answers_of(report_id: int) -> list[ReportAnswer]:
    return list(db.session.scalars(
        select(ReportAnswer).join(CategoryQuestion)
        .where(ReportAnswer.report_id == report_id)
        .order_by(CategoryQuestion.sort_order, CategoryQuestion.id)))


def display_value(answer: ReportAnswer, locale: str) -> str:
    """The answer as a person reads it: list keys become their names."""
    question = answer.question
    if question.datatype not in LIST_TYPES:
        return answer.value
    names = dict(question.options(locale))
    keys = json.loads(answer.value) if question.datatype == Datatype.MULTIVALUELIST \
        else [answer.value]
    return "、".join(names.get(key, key) for key in keys) if locale.startswith("zh") \
        else ", ".join(names.get(key, key) for key in keys)


# --- admins define them ------------------------------------------------------------------

def parse_values(text: str) -> list[dict]:
    """One value a line: `key | 中文 | English` (the names may be left out)."""
    values, keys = [], set()
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        key = parts[0]
        if not CODE.match(key):
            raise QuestionError(_l("Line %(n)d: a key is 1 to %(max)d letters, digits, _ "
                                   "or -.", n=number, max=CODE_MAX))
        if key in keys:
            raise QuestionError(_l("Line %(n)d: the key “%(key)s” is used twice.", n=number,
                                   key=key))
        keys.add(key)
        name_zh = (parts[1] if len(parts) > 1 else "") or key
        name_en = (parts[2] if len(parts) > 2 else "") or name_zh
        if max(len(name_zh), len(name_en)) > VALUE_NAME_MAX:
            raise QuestionError(_l("Line %(n)d: a name may have at most %(max)d characters.",
                                   n=number, max=VALUE_NAME_MAX))
        values.append({"key": key, "name_zh": name_zh, "name_en": name_en})
    if len(values) > MAX_VALUES:
        raise QuestionError(_l("At most %(n)d values.", n=MAX_VALUES))
    return values


def values_text(question: CategoryQuestion) -> str:
    return "\n".join(f"{v['key']} | {v.get('name_zh', '')} | {v.get('name_en', '')}"
                     for v in question.values or [])


@dataclass(frozen=True)
class QuestionDraft:
    """A question as the admin's form gives it: text cleaned, the order read as a number
    (None when it is not one)."""

    code: str
    datatype: str
    description_zh: str
    order: int | None
    description_en: str = ""
    variable: bool = True
    required: bool = False
    datatype_description_zh: str = ""
    datatype_description_en: str = ""
    values: str = ""


def save_question(category: Category, community_id: int, draft: QuestionDraft,
                  question: CategoryQuestion | None = None) -> CategoryQuestion:
    """Add a question of the community's own to `category`, or change its own `question`.
    Raises QuestionError (nothing changed) when a field is wrong. Shared questions are the
    installation's and are not changed here."""
    if question is not None and question.community_id != community_id:
        raise QuestionError(_l("No such question."))
    code = draft.code.strip()
    if not CODE.match(code):
        raise QuestionError(_l("The code is 1 to %(max)d letters, digits, _ or -.",
                               max=CODE_MAX))
    if draft.datatype not in set(Datatype):
        raise QuestionError(_l("Choose the kind of answer."))
    description_zh = draft.description_zh.strip()
    description_en = draft.description_en.strip() or description_zh
    if not description_zh or len(description_zh) > DESCRIPTION_MAX or \
            len(description_en) > DESCRIPTION_MAX:
        raise QuestionError(_l("Write the question (up to %(max)d characters).",
                               max=DESCRIPTION_MAX))
    hints = [hint.strip() for hint in (draft.datatype_description_zh,
                                       draft.datatype_description_en)]
    if max(map(len, hints)) > DESCRIPTION_MAX:
        raise QuestionError(_l("A hint may have at most %(max)d characters.",
                               max=DESCRIPTION_MAX))
    if draft.order is None or not 1 <= draft.order <= 999:
        raise QuestionError(_l("The order is a whole number from 1 to 999."))
    values = parse_values(draft.values) if draft.datatype in LIST_TYPES else None
    if draft.datatype in LIST_TYPES and not values:
        raise QuestionError(_l("A list needs at least one value."))

    # A code names one attribute in the community's service definition: shared or own.
    same_code = db.session.scalars(select(CategoryQuestion).where(
        CategoryQuestion.category_id == category.id, CategoryQuestion.code == code,
        asked_in(community_id)).order_by(CategoryQuestion.community_id.is_(None))).first()
    if same_code is not None and (
            same_code.community_id != community_id  # a shared one
            or (question is None and same_code.active)  # an active one, when adding
            or (question is not None and same_code.id != question.id)):  # another one
        raise QuestionError(_l("This category already has a question with the code "
                               "“%(code)s”.", code=code))
    if question is None:
        # A removed question with the same code comes back, so that old answers keep it.
        question = same_code or CategoryQuestion(category=category, community_id=community_id)
        question.active = True
        db.session.add(question)
    question.code = code
    question.datatype = draft.datatype
    question.variable = draft.variable
    question.required = draft.variable and draft.required
    question.sort_order = draft.order
    question.description_zh = description_zh
    question.description_en = description_en
    question.datatype_description_zh, question.datatype_description_en = \
        (hint or None for hint in hints)
    question.values = values
    category.updated_at = utcnow()
    return question


def remove_question(question: CategoryQuestion) -> None:
    """Take a question off the forms; the answers already given keep it."""
    question.active = False
    question.category.updated_at = utcnow()
