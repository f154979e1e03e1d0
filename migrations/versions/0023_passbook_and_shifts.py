"""passbook and shifts: reserved points, reversals, where to collect a reward; why a
volunteer left, the leave cut-off, sign-up windows

Revision ID: 0023
Revises: 0022
"""
import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("redemption", schema=None) as batch_op:
        batch_op.add_column(sa.Column("points", sa.Integer(), nullable=True))
    # A request made before reservations holds what its reward costs now.
    op.execute("UPDATE redemption SET points = (SELECT cost FROM reward "
               "WHERE reward.id = redemption.reward_id)")
    with op.batch_alter_table("redemption", schema=None) as batch_op:
        batch_op.alter_column("points", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("transfer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reverses_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_transfer_reverses_id", "transfer",
                                    ["reverses_id"], ["id"])
        batch_op.create_index("uq_transfer_reverses", ["reverses_id"], unique=True)
    with op.batch_alter_table("reward", schema=None) as batch_op:
        batch_op.add_column(sa.Column("collect_zh", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("collect_en", sa.String(length=200), nullable=True))
    with op.batch_alter_table("volunteer_shift", schema=None) as batch_op:
        batch_op.add_column(sa.Column("leave_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("slot", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signup_opens_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shift_leave_cutoff_hours", sa.Integer(),
                                      nullable=False, server_default="24"))


def downgrade():
    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.drop_column("shift_leave_cutoff_hours")
    with op.batch_alter_table("slot", schema=None) as batch_op:
        batch_op.drop_column("signup_opens_at")
    with op.batch_alter_table("volunteer_shift", schema=None) as batch_op:
        batch_op.drop_column("leave_reason")
    with op.batch_alter_table("reward", schema=None) as batch_op:
        batch_op.drop_column("collect_en")
        batch_op.drop_column("collect_zh")
    with op.batch_alter_table("transfer", schema=None) as batch_op:
        batch_op.drop_index("uq_transfer_reverses")
        batch_op.drop_constraint("fk_transfer_reverses_id", type_="foreignkey")
        batch_op.drop_column("reverses_id")
    with op.batch_alter_table("redemption", schema=None) as batch_op:
        batch_op.drop_column("points")
