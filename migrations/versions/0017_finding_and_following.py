"""finding and following: the queue's search rows, neighbours following a report

Revision ID: 0017
Revises: 0016

The search spelling is copied here, not imported, so that this migration keeps doing what it
did when it was written (webapp/models/search.py is the rule from now on).
"""
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

BATCH = 1000


def _spelling(text):
    return " ".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def upgrade():
    op.create_table(
        "report_search",
        sa.Column("report_id", sa.Integer(), sa.ForeignKey("report.id"), primary_key=True),
        sa.Column("community_id", sa.Integer(), sa.ForeignKey("community.id"),
                  nullable=False),
        sa.Column("compound_id", sa.Integer(), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("entrance_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
    )
    op.create_table(
        "report_follower",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("report_id", sa.Integer(), sa.ForeignKey("report.id"), nullable=False),
        sa.Column("submission_key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("link_token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("phone", sa.String(30), nullable=True),
        sa.Column("sms_updates", sa.Boolean(), nullable=False),
        sa.Column("sealed_link", sa.Text(), nullable=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_report_follower_report_id", "report_follower", ["report_id"])
    op.create_index("ix_report_follower_phone", "report_follower", ["phone"])
    op.create_index("ix_report_community_phone", "report", ["community_id", "contact_phone"])

    connection = op.get_bind()
    report = sa.table("report", sa.column("id"), sa.column("community_id"),
                      sa.column("compound_id"), sa.column("building_id"),
                      sa.column("entrance_id"),
                      sa.column("description"), sa.column("floor_room"),
                      sa.column("contact_name"), sa.column("contact_phone"))
    search = sa.table("report_search", sa.column("report_id"), sa.column("community_id"),
                      sa.column("compound_id"), sa.column("building_id"),
                      sa.column("entrance_id"), sa.column("body"))
    last = 0
    while rows := connection.execute(
            sa.select(report).where(report.c.id > last).order_by(report.c.id)
            .limit(BATCH)).all():
        connection.execute(search.insert(), [
            {"report_id": r.id, "community_id": r.community_id, "compound_id": r.compound_id,
             "building_id": r.building_id, "entrance_id": r.entrance_id,
             "body": "\n".join(_spelling(t) for t in (r.description, r.floor_room,
                                                        r.contact_name, r.contact_phone) if t)}
            for r in rows])
        last = rows[-1].id


def downgrade():
    op.drop_index("ix_report_community_phone", table_name="report")
    op.drop_index("ix_report_follower_phone", table_name="report_follower")
    op.drop_index("ix_report_follower_report_id", table_name="report_follower")
    op.drop_table("report_follower")
    op.drop_table("report_search")
