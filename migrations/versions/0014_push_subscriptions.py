"""push subscriptions: a browser's Web Push address, for a user's account or for a
resident's one report or booking

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

ONE_OWNER = ("(CASE WHEN user_id IS NULL THEN 0 ELSE 1 END)"
             " + (CASE WHEN report_id IS NULL THEN 0 ELSE 1 END)"
             " + (CASE WHEN booking_id IS NULL THEN 0 ELSE 1 END) = 1")


def upgrade():
    op.create_table(
        "push_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("endpoint", sa.String(length=500), nullable=False),
        sa.Column("p256dh", sa.String(length=120), nullable=False),
        sa.Column("auth", sa.String(length=40), nullable=False),
        sa.Column("owner", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("sealed_url", sa.String(length=400), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("end_reason", sa.String(length=60), nullable=True),
        sa.CheckConstraint(ONE_OWNER, name=op.f("ck_push_subscription_one_owner")),
        sa.ForeignKeyConstraint(["booking_id"], ["booking.id"],
                                name=op.f("fk_push_subscription_booking_id_booking")),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"],
                                name=op.f("fk_push_subscription_report_id_report")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"],
                                name=op.f("fk_push_subscription_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_subscription")),
        sa.UniqueConstraint("endpoint", "owner", name=op.f("uq_push_subscription_endpoint")),
    )
    with op.batch_alter_table("push_subscription", schema=None) as batch_op:
        for column in ("booking_id", "report_id", "user_id"):
            batch_op.create_index(batch_op.f(f"ix_push_subscription_{column}"), [column])


def downgrade():
    op.drop_table("push_subscription")
