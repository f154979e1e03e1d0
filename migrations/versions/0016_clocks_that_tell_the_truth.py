"""clocks that tell the truth: pauses, working days, the department's answer, plans, urgency

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

OPEN_CLOCK = sa.text("met_at IS NULL AND cancelled_at IS NULL")
QUEUE_ORDER = ["community_id", sa.text("(next_due_at IS NULL)"), "next_due_at",
               sa.text("priority DESC"), sa.text("id DESC")]


def upgrade():
    op.create_table(
        "working_day_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("working", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"],
                                name=op.f("fk_working_day_override_community_id_community")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_working_day_override")),
        sa.UniqueConstraint("community_id", "day",
                            name=op.f("uq_working_day_override_community_id")),
    )
    with op.batch_alter_table("category_setting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("urgent_percent", sa.Integer(), nullable=True))

    with op.batch_alter_table("report_milestone", schema=None) as batch_op:
        batch_op.add_column(sa.Column("target_minutes", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("working_days", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("paused_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("pause_reason", sa.String(length=20), nullable=True))
        batch_op.drop_constraint(batch_op.f("uq_report_milestone_report_id"), type_="unique")
        batch_op.create_index("uq_report_milestone_open", ["report_id", "cycle", "name"],
                              unique=True, sqlite_where=OPEN_CLOCK, postgresql_where=OPEN_CLOCK)

    op.drop_index("ix_report_queue_order", table_name="report")
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("goes_first", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("escalated_from_org_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("escalated_from_user_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("plan_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("plan_done_by", sa.Date(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_report_escalated_from_org_id_organization"),
                                    "organization", ["escalated_from_org_id"], ["id"])
        batch_op.create_foreign_key(batch_op.f("fk_report_escalated_from_user_id_user"),
                                    "user", ["escalated_from_user_id"], ["id"])
    op.execute(sa.text("UPDATE report SET goes_first = (priority >= 2 OR care_card)"))
    op.create_index("ix_report_queue_order", "report",
                    [QUEUE_ORDER[0], sa.text("goes_first DESC"), *QUEUE_ORDER[1:]])


def downgrade():
    op.drop_index("ix_report_queue_order", table_name="report")
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_report_escalated_from_user_id_user"),
                                 type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_report_escalated_from_org_id_organization"),
                                 type_="foreignkey")
        batch_op.drop_column("plan_done_by")
        batch_op.drop_column("plan_note")
        batch_op.drop_column("escalated_from_user_id")
        batch_op.drop_column("escalated_from_org_id")
        batch_op.drop_column("goes_first")
    op.create_index("ix_report_queue_order", "report", QUEUE_ORDER)

    with op.batch_alter_table("report_milestone", schema=None) as batch_op:
        batch_op.drop_index("uq_report_milestone_open")
        batch_op.create_unique_constraint(batch_op.f("uq_report_milestone_report_id"),
                                          ["report_id", "cycle", "name"])
        batch_op.drop_column("pause_reason")
        batch_op.drop_column("paused_at")
        batch_op.drop_column("working_days")
        batch_op.drop_column("target_minutes")

    with op.batch_alter_table("category_setting", schema=None) as batch_op:
        batch_op.drop_column("urgent_percent")
    op.drop_table("working_day_override")
