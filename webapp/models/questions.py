"""Extra questions of a report category (the Open311 service definition's attributes) and the
answers a report carries. One definition serves the resident form and the Open311 API."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.reports import Category, Report
from webapp.models.types import UtcDateTime, utcnow


class Datatype(StrEnum):
    """GeoReport v2 attribute datatypes."""

    STRING = "string"
    NUMBER = "number"
    DATETIME = "datetime"
    TEXT = "text"
    SINGLEVALUELIST = "singlevaluelist"
    MULTIVALUELIST = "multivaluelist"


LIST_TYPES = (Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST)


class CategoryQuestion(db.Model):
    """One attribute of a category: shared (no community) or one community's own, asked in
    that community only. Removing a question deactivates it, so that the answers given to it
    keep their meaning."""

    __tablename__ = "category_question"
    __table_args__ = (
        Index("uq_category_question_shared", "category_id", "code", unique=True,
              sqlite_where=text("community_id IS NULL"),
              postgresql_where=text("community_id IS NULL")),
        Index("uq_category_question_community", "community_id", "category_id", "code",
              unique=True, sqlite_where=text("community_id IS NOT NULL"),
              postgresql_where=text("community_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"))
    code: Mapped[str] = mapped_column(String(40))
    # False: information shown to the person reporting, nothing to answer.
    variable: Mapped[bool] = mapped_column(default=True)
    datatype: Mapped[str] = mapped_column(String(20), default=Datatype.STRING)
    required: Mapped[bool] = mapped_column(default=False)
    sort_order: Mapped[int] = mapped_column(default=1)
    description_zh: Mapped[str] = mapped_column(String(300))
    description_en: Mapped[str] = mapped_column(String(300))
    datatype_description_zh: Mapped[str | None] = mapped_column(String(300))
    datatype_description_en: Mapped[str | None] = mapped_column(String(300))
    # For the list types: [{"key": "...", "name_zh": "...", "name_en": "..."}, ...]
    values: Mapped[list | None] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    category: Mapped[Category] = relationship()

    def description(self, locale: str) -> str:
        return self.description_zh if locale.startswith("zh") else self.description_en

    def datatype_description(self, locale: str) -> str | None:
        return (self.datatype_description_zh if locale.startswith("zh")
                else self.datatype_description_en)

    def options(self, locale: str) -> list[tuple[str, str]]:
        """(key, name) of each value of a list question, in the chosen language."""
        field = "name_zh" if locale.startswith("zh") else "name_en"
        return [(v["key"], v.get(field) or v["key"]) for v in (self.values or [])]


class ReportAnswer(db.Model):
    """What the person reporting answered to one question. `value` holds the answer as
    validated: text, a number, an ISO 8601 time, a key, or a JSON list of keys."""

    __tablename__ = "report_answer"
    __table_args__ = (UniqueConstraint("report_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("category_question.id"), index=True)
    value: Mapped[str] = mapped_column(Text)

    report: Mapped[Report] = relationship()
    question: Mapped[CategoryQuestion] = relationship()
