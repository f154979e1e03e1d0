"""check-in at the door and care visits: the attendance log, care-visit plans and visits,
and awards for a visit made

Revision ID: 0025
Revises: 0024
"""
import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def once(kind: str) -> dict:
    where = sa.text(f"kind = '{kind}'")
    return {"unique": True, "sqlite_where": where, "postgresql_where": where}


def upgrade():
    op.create_table(
        "care_visit_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("care_card_id", sa.Integer(), nullable=False),
        sa.Column("every_days", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("every_days BETWEEN 1 AND 90", name=op.f("ck_care_visit_plan_rhythm")),
        sa.CheckConstraint("points BETWEEN 0 AND 1000",
                           name=op.f("ck_care_visit_plan_visit_points")),
        sa.ForeignKeyConstraint(["care_card_id"], ["care_card.id"],
                                name=op.f("fk_care_visit_plan_care_card_id_care_card")),
        sa.ForeignKeyConstraint(["set_by_id"], ["user.id"],
                                name=op.f("fk_care_visit_plan_set_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_visit_plan")),
        sa.UniqueConstraint("care_card_id", name=op.f("uq_care_visit_plan_care_card_id")),
    )
    op.create_table(
        "care_visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("care_card_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", sa.Integer(), nullable=True),
        sa.Column("taken_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("missed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["care_card_id"], ["care_card.id"],
                                name=op.f("fk_care_visit_care_card_id_care_card")),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"],
                                name=op.f("fk_care_visit_community_id_community")),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"],
                                name=op.f("fk_care_visit_report_id_report")),
        sa.ForeignKeyConstraint(["volunteer_id"], ["user.id"],
                                name=op.f("fk_care_visit_volunteer_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_visit")),
    )
    with op.batch_alter_table("care_visit", schema=None) as batch_op:
        batch_op.create_index("uq_care_visit_day", ["care_card_id", "due_on"], unique=True)
        batch_op.create_index("ix_care_visit_open", ["community_id", "due_on"])
        batch_op.create_index(batch_op.f("ix_care_visit_volunteer_id"), ["volunteer_id"])

    op.create_table(
        "attendance_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=True),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("care_visit_id", sa.Integer(), nullable=True),
        sa.Column("volunteer_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("qr_code_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["user.id"],
                                name=op.f("fk_attendance_event_actor_id_user")),
        sa.ForeignKeyConstraint(["booking_id"], ["booking.id"],
                                name=op.f("fk_attendance_event_booking_id_booking")),
        sa.ForeignKeyConstraint(["care_visit_id"], ["care_visit.id"],
                                name=op.f("fk_attendance_event_care_visit_id_care_visit")),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"],
                                name=op.f("fk_attendance_event_community_id_community")),
        sa.ForeignKeyConstraint(["qr_code_id"], ["qr_code.id"],
                                name=op.f("fk_attendance_event_qr_code_id_qr_code")),
        sa.ForeignKeyConstraint(["slot_id"], ["slot.id"],
                                name=op.f("fk_attendance_event_slot_id_slot")),
        sa.ForeignKeyConstraint(["volunteer_id"], ["user.id"],
                                name=op.f("fk_attendance_event_volunteer_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_event")),
    )
    with op.batch_alter_table("attendance_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendance_event_slot_id"), ["slot_id"])
        batch_op.create_index(batch_op.f("ix_attendance_event_booking_id"), ["booking_id"])
        batch_op.create_index(batch_op.f("ix_attendance_event_care_visit_id"),
                              ["care_visit_id"])
        batch_op.create_index("ix_attendance_volunteer_kind", ["volunteer_id", "kind"])
        batch_op.create_index("uq_attendance_booking_check_in", ["booking_id", "volunteer_id"],
                              **once("check_in"))
        batch_op.create_index("uq_attendance_visit_check_in",
                              ["care_visit_id", "volunteer_id"], **once("check_in"))
        batch_op.create_index("uq_attendance_no_show", ["slot_id", "volunteer_id"],
                              **once("no_show"))
        batch_op.create_index("uq_attendance_missed", ["care_visit_id"], **once("missed"))

    with op.batch_alter_table("transfer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("care_visit_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_transfer_care_visit_id_care_visit", "care_visit",
                                    ["care_visit_id"], ["id"])
        batch_op.create_index("uq_transfer_visit_award", ["care_visit_id", "volunteer_id"],
                              **once("award"))


def downgrade():
    with op.batch_alter_table("transfer", schema=None) as batch_op:
        batch_op.drop_index("uq_transfer_visit_award")
        batch_op.drop_constraint("fk_transfer_care_visit_id_care_visit", type_="foreignkey")
        batch_op.drop_column("care_visit_id")
    op.drop_table("attendance_event")
    op.drop_table("care_visit")
    op.drop_table("care_visit_plan")
