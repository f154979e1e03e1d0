"""Exceptions to a community's category routing for one compound (1+N): "lifts of this
compound go to the lift company", "a compound without property management sends repairs to
its grid"."""

from __future__ import annotations

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.people import Organization
from webapp.models.places import Compound
from webapp.models.reports import Category


class CompoundRoute(db.Model):
    """Reports of `category` at `compound` are suggested to `org`, whatever the category's
    routing in the community says (domain/reports/routing.py)."""

    __table_args__ = (UniqueConstraint("compound_id", "category_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compound.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)

    compound: Mapped[Compound] = relationship()
    category: Mapped[Category] = relationship()
    org: Mapped[Organization] = relationship()
